"""Adapters and checkpoints as tar archives for vLLM servers: an internal route, not OpenAI's."""
