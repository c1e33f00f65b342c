"""The LoRAResolver vLLM asks for a model name it does not know."""

from __future__ import annotations

import asyncio
import logging
import zlib

from vllm.lora.request import LoRARequest
from vllm.lora.resolver import LoRAResolver, LoRAResolverRegistry

from whetstone_vllm.fetch import fetch_adapter
from whetstone_vllm.settings import ResolverSettings

RESOLVER_NAME = "whetstone"

logger = logging.getLogger(__name__)


class WhetstoneAdapterResolver(LoRAResolver):
    """Reads a LoRA name as a Whetstone artifact-store key and fetches that adapter."""

    def __init__(self, settings: ResolverSettings):
        self.settings = settings

    async def resolve_lora(self, base_model_name: str, lora_name: str) -> LoRARequest | None:
        """The adapter stored under `lora_name`; None when Whetstone has none there.

        The base model is not compared with the adapter's `base_model_name_or_path`: Whetstone
        routes each adapter to its base model's server, and the path an adapter was trained
        from rarely equals the name vLLM serves the model under.
        """
        # Downloading blocks: off vLLM's event loop, which serves every other request.
        path = await asyncio.to_thread(fetch_adapter, self.settings, lora_name)
        if path is None:
            return None
        logger.info("Fetched adapter %s from Whetstone into %s", lora_name, path)
        # vLLM replaces the id with its own counter; it must only be positive here.
        return LoRARequest(
            lora_name=lora_name,
            lora_int_id=zlib.crc32(lora_name.encode()) or 1,
            lora_path=str(path),
        )


def register_resolver() -> None:
    """Register the resolver with vLLM's registry when WHETSTONE_URL is set."""
    settings = ResolverSettings.from_environment()
    if settings is None:
        return
    LoRAResolverRegistry.register_resolver(RESOLVER_NAME, WhetstoneAdapterResolver(settings))
