"""The catalog of base models: the emulator, OpenAI's fine-tunable names, and the models file.

Importing this module does not import torch: the API resolves names with it at request time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from service.catalog.architectures import read_config, unservable_reason
from service.catalog.emulator import (
    EMULATOR_CONTEXT_LENGTH,
    EMULATOR_NAME,
    ensure_emulator,
    ensure_emulator_tokenizer,
)
from service.catalog.vllm_options import ENGINES, VLLM_KEYS, Engine, VllmOptions, vllm_options
from service.core.errors import ModelNotFoundError

# How a job spanning several devices trains: PyTorch FSDP2 (service/training/distributed.py).
SHARDING_STRATEGY = "fsdp"
STRATEGIES = (SHARDING_STRATEGY,)
# The emulator's jobs may ask for 2 ranks with no models file, so that CI exercises sharded
# training on the CPU (they train on one unless they ask).
EMULATOR_MAX_DEVICES = 2

# The reasoning models OpenAI's reinforcement fine-tuning takes. Requests to them (and to `ft:`
# models tuned from them) may carry `reasoning`, and are answered as by a reasoning model whose
# reasoning is empty.
REASONING_ALIASES = ("o4-mini-2025-04-16", "o4-mini")
# OpenAI's fine-tunable model names. They alias to the emulator by default so that code written
# for OpenAI runs unchanged; the models file may point them elsewhere.
OPENAI_ALIASES = (
    "gpt-4o-mini-2024-07-18",
    "gpt-4o-2024-08-06",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
    "gpt-3.5-turbo-0125",
    "gpt-3.5-turbo",
    "babbage-002",
    "davinci-002",
    *REASONING_ALIASES,
)
# The base models Bedrock documents as customizable (fine-tuning, continued pre-training,
# reinforcement fine-tuning), by their model identifiers; a job naming one trains the emulator.
BEDROCK_ALIASES = (
    "amazon.nova-micro-v1:0:128k",
    "amazon.nova-lite-v1:0:300k",
    "amazon.nova-pro-v1:0:300k",
    "amazon.nova-2-lite-v1:0:256k",
    "amazon.titan-text-lite-v1:0:4k",
    "amazon.titan-text-express-v1:0:8k",
    "amazon.titan-text-premier-v1:0:32k",
    "anthropic.claude-3-haiku-20240307-v1:0:200k",
    "cohere.command-light-text-v14:7:4k",
    "cohere.command-text-v14:7:4k",
    "meta.llama3-1-8b-instruct-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "meta.llama3-2-1b-instruct-v1:0",
    "meta.llama3-2-3b-instruct-v1:0",
    "meta.llama3-2-11b-instruct-v1:0",
    "meta.llama3-2-90b-instruct-v1:0",
    "meta.llama3-3-70b-instruct-v1:0",
)
# Vertex AI's tunable Gemini models (its supervised and preference tuning docs), aliased to the
# emulator the same way, so that a pipeline written for Vertex AI runs unchanged.
VERTEX_ALIASES = (
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash-001",
    "gemini-2.0-flash-lite-001",
)
# Tool-call parsers a models-file entry may name (`tool_parser`), one per chat-template family.
TOOL_PARSERS = ("json", "hermes", "llama3", "mistral")


def is_reasoning_model(name: str) -> bool:
    """Whether `name` is a reasoning alias, or an `ft:` name (`ft:{base}:...`) tuned from one."""
    parts = name.split(":")
    base = parts[1] if parts[0] == "ft" and len(parts) > 1 else name
    return base in REASONING_ALIASES


# Ways a base model may be quantized for LoRA training: NF4, QLoRA's 4-bit NormalFloat.
Quantization = Literal["nf4"]
QUANTIZATIONS: tuple[Quantization, ...] = ("nf4",)


@dataclass(frozen=True)
class LoraDefaults:
    """LoRA settings used when a job does not choose its own."""

    rank: int = 16
    alpha: int = 32
    dropout: float = 0.0
    target_modules: tuple[str, ...] | str = "all-linear"


@dataclass(frozen=True)
class BaseModelEntry:
    """One base model of the catalog."""

    name: str
    # Exactly one of: the emulator, a local directory, or a hub id resolved from the HF cache.
    emulator: bool = False
    path: Path | None = None
    hub_id: str | None = None
    revision: str | None = None
    context_length: int = EMULATOR_CONTEXT_LENGTH
    lora: LoraDefaults = field(default_factory=LoraDefaults)
    created: int = 1_700_000_000
    owned_by: str = "whetstone"
    # The forgetting check's reference set (a JSONL of chat or text lines); None: the general
    # text Whetstone ships (for the emulator, the held-out part of its embedded corpus).
    reference_file: Path | None = None
    # The tool-call parser of the model's template family (one of TOOL_PARSERS); None: read
    # from the chat template (service/completions/tools.py).
    tool_parser: str | None = None
    # A fully fine-tuned `ft:` model served as a base model of its own: the artifact-store
    # prefix of its saved directory (config, safetensors shards, tokenizer). Never in the
    # catalog: service/models makes such an entry per name from its base model's, and the
    # inference service downloads the weights on first use (local_path does not resolve it).
    weights_key: str | None = None
    # Which engine serves the model (service/inference/engines/), and vLLM's settings for it.
    engine: Engine = "builtin"
    vllm: VllmOptions = field(default_factory=VllmOptions)
    # "nf4": LoRA jobs train over the base loaded in 4 bits by bitsandbytes (QLoRA); the
    # adapter is served on the unquantized base. None: the base is loaded as it is.
    quantization: Quantization | None = None
    # How its jobs train (models-file keys): on `devices` devices (GPUs; processes on the
    # CPU), sharded with `strategy` above one; a job may ask for 1 to `max_devices` (the
    # `devices` hyperparameter).
    devices: int = 1
    strategy: str = SHARDING_STRATEGY
    max_devices: int = 1

    def unservable_lora_rank(self, rank: int) -> str | None:
        """Why this model's engine could not load an adapter of `rank`, or None."""
        if self.engine == "vllm" and rank > self.vllm.max_lora_rank:
            return (
                f"lora_rank {rank} is above the max_lora_rank ({self.vllm.max_lora_rank}) of "
                f"the vLLM engine that serves {self.name}; ask for a rank of at most "
                f"{self.vllm.max_lora_rank}"
            )
        return None


# The keys a models-file entry may hold; any other is refused at load (a typo is not ignored).
ENTRY_KEYS = (
    "emulator",
    "path",
    "hub_id",
    "revision",
    "context_length",
    "lora",
    "owned_by",
    "reference_file",
    "tool_parser",
    "aliases",
    "engine",
    *VLLM_KEYS,
    "devices",
    "max_devices",
    "strategy",
    "quantization",
)
_EMULATOR_LORA = LoraDefaults(rank=16, alpha=16, dropout=0.0, target_modules="all-linear")


class Catalog:
    """Resolves model names (base names and aliases) to base model entries."""

    def __init__(
        self, entries: dict[str, BaseModelEntry], aliases: dict[str, str], models_dir: Path
    ):
        self.entries = entries
        self.aliases = aliases
        self.models_dir = models_dir

    @classmethod
    def load(cls, *, data_dir: Path, models_file: Path | None) -> Catalog:
        """The default catalog, extended or overridden by the models file when given."""
        emulator = BaseModelEntry(
            name=EMULATOR_NAME,
            emulator=True,
            lora=_EMULATOR_LORA,
            max_devices=EMULATOR_MAX_DEVICES,
        )
        entries = {EMULATOR_NAME: emulator}
        aliases = dict.fromkeys((*OPENAI_ALIASES, *BEDROCK_ALIASES, *VERTEX_ALIASES), EMULATOR_NAME)
        if models_file is not None:
            file_entries, file_aliases = _read_models_file(models_file)
            entries.update(file_entries)
            aliases.update(file_aliases)
        for alias in list(aliases):
            if alias in entries:
                del aliases[alias]  # a real entry of that name wins over the default alias
        return cls(entries, aliases, data_dir / "models")

    def resolve(self, name: str) -> BaseModelEntry:
        """The base model for a base name or alias; ModelNotFoundError otherwise."""
        base = self.aliases.get(name, name)
        entry = self.entries.get(base)
        if entry is None:
            raise ModelNotFoundError(f"The model '{name}' does not exist.", param="model")
        return entry

    def names(self) -> list[str]:
        """Every servable base name and alias, base names first."""
        return [*self.entries, *self.aliases]

    def local_path(self, entry: BaseModelEntry) -> Path:
        """A local directory holding the model's weights and tokenizer; no network, ever."""
        if entry.weights_key is not None:
            raise ValueError(f"{entry.name} is a fine-tuned model in the artifact store")
        if entry.emulator:
            return ensure_emulator(self.models_dir)
        if entry.path is not None:
            return entry.path
        from huggingface_hub import snapshot_download

        assert entry.hub_id is not None
        return Path(snapshot_download(entry.hub_id, revision=entry.revision, local_files_only=True))

    def unservable_reason(self, entry: BaseModelEntry) -> str | None:
        """Why `entry` cannot be served (its architecture), or None; unknown until its weights
        are on disk, so None for a hub model not yet downloaded."""
        return _unservable(entry)

    def tokenizer_path(self, entry: BaseModelEntry) -> Path:
        """A local directory holding the model's tokenizer; for the emulator, built without
        torch if the model itself is not built yet (the API process counts tokens with it)."""
        if entry.emulator:
            return ensure_emulator_tokenizer(self.models_dir)
        return self.local_path(entry)


def _read_models_file(path: Path) -> tuple[dict[str, BaseModelEntry], dict[str, str]]:
    try:
        text = path.read_text()
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read WHETSTONE_MODELS_FILE {path}: {exc}") from exc
    models = (raw or {}).get("models", {}) if isinstance(raw, dict) else None
    if not isinstance(models, dict):
        raise ValueError(f"WHETSTONE_MODELS_FILE {path} must have a 'models' mapping")
    entries: dict[str, BaseModelEntry] = {}
    aliases: dict[str, str] = {}
    for name, spec in models.items():
        entries[name] = _entry_from_spec(name, spec or {}, path)
        # Refused now rather than after hours of training, or at the first completion.
        reason = _unservable(entries[name])
        if reason is not None:
            raise ValueError(f"model {name!r} in {path} cannot be served: {reason}")
        for alias in (spec or {}).get("aliases", []):
            aliases[alias] = name
    return entries, aliases


def _unservable(entry: BaseModelEntry) -> str | None:
    if entry.emulator:
        return None
    model_dir = entry.path if entry.path is not None else _cached_hub_dir(entry)
    config = read_config(model_dir) if model_dir is not None else None
    return unservable_reason(config) if config is not None else None


def _cached_hub_dir(entry: BaseModelEntry) -> Path | None:
    """The HF cache's snapshot directory of a hub model, if its config.json is there."""
    from huggingface_hub import try_to_load_from_cache

    assert entry.hub_id is not None
    found = try_to_load_from_cache(entry.hub_id, "config.json", revision=entry.revision)
    return Path(found).parent if isinstance(found, str) else None


def _entry_from_spec(name: str, spec: dict[str, Any], source: Path) -> BaseModelEntry:
    unknown = sorted(set(spec) - set(ENTRY_KEYS))
    if unknown:
        raise ValueError(
            f"model {name!r} in {source}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"an entry may hold {', '.join(ENTRY_KEYS)}"
        )
    engine = spec.get("engine", "builtin")
    if engine not in ENGINES:
        raise ValueError(f"model {name!r} in {source}: engine must be one of {', '.join(ENGINES)}")
    vllm_keys = sorted(set(spec) & set(VLLM_KEYS))
    if engine != "vllm" and vllm_keys:
        raise ValueError(
            f"model {name!r} in {source}: {', '.join(vllm_keys)} only apply to engine: vllm"
        )
    vllm = vllm_options(name, spec, str(source))
    local = spec.get("path")
    hub_id = spec.get("hub_id")
    emulator = spec.get("emulator", False) is True
    if emulator:
        # The emulator's own weights and defaults, under this entry's name and engine.
        if local or hub_id:
            raise ValueError(f"model {name!r} in {source}: emulator excludes 'path' and 'hub_id'")
        # The emulator's own device limit unless the entry sets its own.
        placement_spec = (
            spec
            if "devices" in spec or "max_devices" in spec
            else {**spec, "max_devices": EMULATOR_MAX_DEVICES}
        )
        devices, max_devices, strategy = _placement(name, placement_spec, source)
        return BaseModelEntry(
            name=name,
            emulator=True,
            lora=_EMULATOR_LORA,
            owned_by=str(spec.get("owned_by", "whetstone")),
            engine=engine,
            vllm=vllm,
            devices=devices,
            max_devices=max_devices,
            strategy=strategy,
        )
    if bool(local) == bool(hub_id):
        raise ValueError(f"model {name!r} in {source} needs exactly one of 'path' or 'hub_id'")
    lora = spec.get("lora") or {}
    targets = lora.get("target_modules", "all-linear")
    reference = spec.get("reference_file")
    devices, max_devices, strategy = _placement(name, spec, source)
    return BaseModelEntry(
        name=name,
        path=(source.parent / local).resolve() if local else None,
        hub_id=hub_id,
        revision=spec.get("revision"),
        context_length=int(spec.get("context_length", 2048)),
        lora=LoraDefaults(
            rank=int(lora.get("rank", 16)),
            alpha=int(lora.get("alpha", 32)),
            dropout=float(lora.get("dropout", 0.05)),
            target_modules=targets if isinstance(targets, str) else tuple(targets),
        ),
        owned_by=str(spec.get("owned_by", "whetstone")),
        reference_file=(source.parent / reference).resolve() if reference else None,
        tool_parser=_tool_parser(name, spec.get("tool_parser"), source),
        engine=engine,
        vllm=vllm,
        quantization=_quantization(name, spec.get("quantization"), source),
        devices=devices,
        max_devices=max_devices,
        strategy=strategy,
    )


def _quantization(name: str, value: object, source: Path) -> Quantization | None:
    if value is None:
        return None
    if value not in QUANTIZATIONS:
        raise ValueError(
            f"model {name!r} in {source}: quantization must be one of {', '.join(QUANTIZATIONS)}"
        )
    return "nf4"


def _placement(name: str, spec: dict[str, Any], source: Path) -> tuple[int, int, str]:
    """An entry's `devices`, `max_devices` (default: `devices`) and `strategy`, checked."""
    devices = spec.get("devices", 1)
    max_devices = spec.get("max_devices", devices)
    strategy = spec.get("strategy", SHARDING_STRATEGY)
    for key, value in (("devices", devices), ("max_devices", max_devices)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"model {name!r} in {source}: {key} must be a positive integer")
    if max_devices < devices:
        raise ValueError(f"model {name!r} in {source}: max_devices must be at least devices")
    if strategy not in STRATEGIES:
        raise ValueError(
            f"model {name!r} in {source}: strategy must be one of {', '.join(STRATEGIES)}"
        )
    return devices, max_devices, strategy


def _tool_parser(name: str, parser: object, source: Path) -> str | None:
    if parser is None:
        return None
    if not isinstance(parser, str) or parser not in TOOL_PARSERS:
        raise ValueError(
            f"model {name!r} in {source}: tool_parser must be one of {', '.join(TOOL_PARSERS)}"
        )
    return parser
