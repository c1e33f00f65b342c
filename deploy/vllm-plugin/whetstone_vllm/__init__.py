"""Whetstone's LoRA resolver for vLLM, registered through vLLM's `vllm.general_plugins`.

A request to vLLM naming a model it does not know (with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True)
asks the registered resolvers; this one reads the name as a Whetstone artifact-store key
(`jobs/ftjob-.../adapter`) and downloads that adapter from Whetstone's internal route.
"""

from __future__ import annotations


def register() -> None:
    """vLLM's entry point: register the resolver when WHETSTONE_URL is set, else do nothing."""
    # Imported here: vLLM loads general plugins in every process, and most never resolve.
    from whetstone_vllm.resolver import register_resolver

    register_resolver()
