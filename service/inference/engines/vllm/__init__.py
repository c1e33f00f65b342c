"""The vLLM engine: a vLLM OpenAI server per base model, spoken to over HTTP.

client.py implements the `Engine` protocol over vLLM's `/v1/completions` (token ids in, token
ids out; detokenizing, stop strings and logprobs mapped as the builtin engine does);
supervisor.py starts, health-checks and restarts the vLLM process (or watches replicas run
elsewhere); zero_adapter.py writes the adapter every base request goes through. Nothing here
imports torch except zero_adapter.py, when a zero adapter is first written.
"""
