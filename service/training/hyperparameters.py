"""Hyperparameters of a fine-tuning job, declared once: checks, "auto", wire schema, docs.

OpenAI's three (n_epochs, batch_size, learning_rate_multiplier), DPO's `beta`, reinforcement's
own (compute_multiplier, eval_interval, eval_samples, reasoning_effort) with Whetstone's GRPO
extensions, and Whetstone's LoRA extensions (lora_rank, lora_alpha, lora_dropout,
lora_target_modules), `reference_file`, `training_type` ("lora", the default, or "full":
every parameter of the model trained, supervised and DPO only) and `early_stopping`
(supervised and DPO: stop once the monitored loss stalls).

`HYPERPARAMETERS` is the single declaration. From it come the checks of a request
(`validate_hyperparameters`), the resolution of "auto" into a frozen `ResolvedHyperparameters`
that the recipe reads, the JSON schema of each method's wire model (`json_schema`, built into
pydantic models by service/fine_tuning/schemas.py) and the docs page (`markdown_page`;
`python -m service.training.hyperparameters` prints docs/hyperparameters.md). Pure Python: the
Jobs API checks a request with it without importing torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, get_args

from service.catalog import BaseModelEntry
from service.core.errors import InvalidRequestError

Method = Literal["supervised", "dpo", "reinforcement"]
METHODS: tuple[Method, ...] = get_args(Method)
TrainingType = Literal["lora", "full"]
TRAINING_TYPES: tuple[TrainingType, ...] = get_args(TrainingType)
Kind = Literal["integer", "number", "choice", "modules", "file", "early_stopping", "boolean"]
# A concrete value as a job row stores it (JSON); early_stopping's is false or an object.
Value: TypeAlias = int | float | str | list[str] | dict[str, float]
JsonSchema: TypeAlias = dict[str, object]

AUTO = "auto"
TRAINING_TYPE_KEY = "training_type"
FULL_TRAINING: TrainingType = "full"
# Whetstone's extension of the methods that end with the forgetting check: the id of a file
# whose lines are the job's own reference set (service/training/forgetting.py).
REFERENCE_FILE_KEY = "reference_file"
# Whetstone's extension: the devices (GPUs, or processes on the CPU) a job trains on, sharded
# with FSDP2 above one; within the models file's `max_devices` for its model.
DEVICES_KEY = "devices"
MAX_DEVICES = 64
# The methods that train sharded (reinforcement samples with generate, which FSDP2's sharded
# layers do not serve: its jobs train on one device).
SHARDED_METHODS: tuple[Method, ...] = ("supervised", "dpo")
# What each method trains. GRPO samples from the policy with generate and takes its KL
# reference by disabling the adapter; a full copy of the model per job is not supported yet.
METHOD_TRAINING_TYPES: dict[Method, tuple[TrainingType, ...]] = {
    "supervised": ("lora", "full"),
    "dpo": ("lora", "full"),
    "reinforcement": ("lora",),
}

# TRL's and the DPO paper's usual value.
DEFAULT_BETA = 0.1
# Completions sampled per prompt at compute_multiplier 1 (auto); the group whose rewards are
# normalised against each other. compute_multiplier scales it, at least 2 (a group of one has
# no spread, so no advantage).
DEFAULT_NUM_GENERATIONS = 4
MAX_NUM_GENERATIONS = 64
# TRL's GRPOConfig defaults: no KL term, PPO's clip range, sampling at temperature 1.
DEFAULT_KL_BETA = 0.0
DEFAULT_EPSILON = 0.2
DEFAULT_TEMPERATURE = 1.0
DEFAULT_MAX_COMPLETION_TOKENS = 64
MAX_COMPLETION_TOKENS = 4096
# Periodic validation: about this many evaluations per job, on at most this many prompts each.
EVALUATIONS_PER_JOB = 10
DEFAULT_EVAL_SAMPLES = 16
REASONING_EFFORTS = ("default", "low", "medium", "high")
EARLY_STOPPING_KEY = "early_stopping"
# Whetstone's extension: recompute each decoder layer's activations in the backward pass
# instead of keeping them (service/training/memory.py counts what it saves).
ACTIVATION_CHECKPOINTING_KEY = "activation_checkpointing"
# Early stopping's two settings, their bounds, and what `true` (or a missing one) means:
# optimizer steps without an improvement of at least min_delta in the monitored loss.
PATIENCE_KEY = "patience"
MIN_DELTA_KEY = "min_delta"
MAX_PATIENCE = 100_000
MAX_MIN_DELTA = 10.0
DEFAULT_PATIENCE = 10
DEFAULT_MIN_DELTA = 0.01


@dataclass(frozen=True)
class TrainingDefaults:
    """How "auto" resolves for one family of base models."""

    # The effective learning rate is base_learning_rate * learning_rate_multiplier.
    base_learning_rate: float
    # Auto n_epochs gives small files at least this many example-passes (OpenAI's rule, below).
    min_target_examples: int
    max_default_epochs: int = 25
    # The base rate of full fine-tuning (every weight moves, not a low-rank update): lower.
    full_learning_rate: float = 1e-5
    # Whether "auto" early stopping is on (only for a job that leaves n_epochs to "auto": an
    # explicit n_epochs is a request for that many passes).
    early_stopping: bool = False


# The emulator starts from random weights, so it needs a high rate to show that it learned
# anything. OpenAI's epoch rule (5 epochs of 20 examples, 100 steps) plus early stopping: at
# 3e-3 a 20-example file reproduces its reply at temperature 0 by step ~40, and its training
# loss has stalled by step ~50 (docs/jobs.md#the-emulators-defaults has the figures).
EMULATOR_DEFAULTS = TrainingDefaults(
    base_learning_rate=3e-3, min_target_examples=100, full_learning_rate=1e-3, early_stopping=True
)
# Pretrained causal LMs: the usual LoRA rate (and the usual full fine-tuning rate of 1-8B
# models), and OpenAI's published epoch rule as is.
PRETRAINED_DEFAULTS = TrainingDefaults(base_learning_rate=2e-4, min_target_examples=100)

TARGET_EPOCHS = 3
MAX_TARGET_EXAMPLES = 25_000
BATCH_FRACTION = 0.002
MAX_BATCH_SIZE = 256


def training_defaults(entry: BaseModelEntry) -> TrainingDefaults:
    """The "auto" rules for a base model's family."""
    return EMULATOR_DEFAULTS if entry.emulator else PRETRAINED_DEFAULTS


@dataclass(frozen=True)
class AutoContext:
    """What "auto" may depend on: the file's size, the base model, and the values resolved
    before it (in declaration order)."""

    n_examples: int
    entry: BaseModelEntry
    resolved: Mapping[str, Value]
    # The request as given ("auto" may depend on whether another key was left to "auto").
    requested: Mapping[str, object] = field(default_factory=dict)

    def left_to_auto(self, name: str) -> bool:
        """Whether the request left `name` to "auto" (or out)."""
        return self.requested.get(name, AUTO) in (AUTO, None)

    def integer(self, name: str) -> int:
        """An integer resolved earlier."""
        value = self.resolved[name]
        assert isinstance(value, int)
        return value

    def number(self, name: str) -> float:
        """A number resolved earlier."""
        value = self.resolved[name]
        assert isinstance(value, int | float)
        return float(value)


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: its type and bounds, its "auto", where it applies, its docs."""

    name: str
    kind: Kind
    # One line for the docs table and the wire schema's description.
    doc: str
    methods: tuple[Method, ...]
    # integer/number: the inclusive bounds, or exclusive where *_open says so.
    low: float = 0
    high: float = 0
    low_open: bool = False
    high_open: bool = False
    # choice: the accepted strings.
    choices: tuple[str, ...] = ()
    # How "auto" (or an absent value) resolves; None: the value is kept only when given.
    resolve_auto: Callable[[AutoContext], Value] | None = None
    # The same rule in words, for the docs.
    auto_doc: str = ""
    # Whether the string "auto" is accepted.
    takes_auto: bool = True
    # What the wire model holds when the client omits it: "auto", another value, or None
    # (absent: the field is left out of the stored method).
    wire_default: str | None = AUTO
    training_types: tuple[TrainingType, ...] = TRAINING_TYPES
    # A description for one method where the general doc line does not fit it.
    method_docs: Mapping[Method, str] = field(default_factory=dict)
    # Methods that take the key without publishing it (reinforcement's training_type: taken
    # so that "full" is refused with its reason rather than as an unknown key).
    unpublished: tuple[Method, ...] = ()

    def description(self, method: Method) -> str:
        """The wire description of this hyperparameter for `method`."""
        return self.method_docs.get(method, self.doc)

    def problem(self, value: object, method: Method) -> str | None:
        """Why `value` is refused ("expected ..."), or None when it is accepted."""
        if self.takes_auto and value == AUTO:
            return None
        if self.name == DEVICES_KEY and method not in SHARDED_METHODS and value != 1:
            return (
                f"{method} jobs train on one device (their sampling with generate does not run "
                "sharded), expected 1"
            )
        if self.kind == "integer":
            accepted = _is_int(value) and self.low <= _as_float(value) <= self.high
            expected = f"expected an integer from {_number(self.low)} to {_number(self.high)}"
            return None if accepted else expected + (' or "auto"' if self.takes_auto else "")
        if self.kind == "number":
            return None if self._number_in_bounds(value) else self._expected_number()
        if self.kind == "choice":
            if value not in self.choices:
                quoted = [f'"{choice}"' for choice in self.choices]
                if len(quoted) == 2:
                    return f"expected {quoted[0]} or {quoted[1]}"
                return "expected one of " + ", ".join(quoted)
            if self.name == TRAINING_TYPE_KEY and value not in METHOD_TRAINING_TYPES[method]:
                return f'{method} jobs train a LoRA adapter only, expected "lora"'
            return None
        if self.kind == "modules":
            if value == "all-linear":
                return None
            if (
                isinstance(value, list)
                and value
                and all(isinstance(name, str) and name.strip() for name in value)
            ):
                return None
            return 'expected "all-linear" or a non-empty list of module names'
        if self.kind == "early_stopping":
            return _early_stopping_problem(value)
        if self.kind == "boolean":
            return None if isinstance(value, bool) else "expected true or false"
        return None if isinstance(value, str) and value else "expected a file id"

    def _number_in_bounds(self, value: object) -> bool:
        if not _is_number(value):
            return False
        number = _as_float(value)
        above = number > self.low if self.low_open else number >= self.low
        below = number < self.high if self.high_open else number <= self.high
        return above and below

    def _expected_number(self) -> str:
        low = f"greater than {_number(self.low)}" if self.low_open else f"from {_number(self.low)}"
        if self.high_open:
            high = f"up to (not including) {_number(self.high)}"
        elif self.low_open:
            high = f"and at most {_number(self.high)}"
        else:
            high = f"to {_number(self.high)}"
        return f"expected a number {low} {high}" + (', or "auto"' if self.takes_auto else "")

    def value_schema(self) -> JsonSchema:
        """The JSON schema of a concrete value (without "auto")."""
        if self.kind in ("integer", "number"):
            schema: JsonSchema = {"type": self.kind}
            schema["exclusiveMinimum" if self.low_open else "minimum"] = self.low
            schema["exclusiveMaximum" if self.high_open else "maximum"] = self.high
            return schema
        if self.kind == "choice":
            return {"type": "string", "enum": list(self.choices)}
        if self.kind == "boolean":
            return {"type": "boolean"}
        if self.kind == "early_stopping":
            return {
                "anyOf": [
                    {"type": "boolean"},
                    {
                        "type": "object",
                        "properties": {
                            PATIENCE_KEY: {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": MAX_PATIENCE,
                            },
                            MIN_DELTA_KEY: {
                                "type": "number",
                                "minimum": 0,
                                "maximum": MAX_MIN_DELTA,
                            },
                        },
                        "additionalProperties": False,
                    },
                ]
            }
        if self.kind == "modules":
            # "auto" beside "all-linear" rather than around both: one string enum.
            names = [AUTO, "all-linear"] if self.takes_auto else ["all-linear"]
            return {
                "anyOf": [
                    {"type": "string", "enum": names},
                    {
                        "type": "array",
                        "items": {"type": "string", "pattern": r"\S"},
                        "minItems": 1,
                    },
                ]
            }
        return {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}]}

    def json_schema(self) -> JsonSchema:
        """The field's JSON schema on the wire: the value's, or "auto"."""
        schema = self.value_schema()
        if self.takes_auto and self.kind != "modules":
            schema = {"oneOf": [{"type": "string", "enum": [AUTO]}, schema]}
        if self.wire_default is not None:
            schema["default"] = self.wire_default
        return schema


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: float) -> str:
    """A bound as people write it: 10, 0.5, 1000000."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _as_float(value: object) -> float:
    assert isinstance(value, int | float)
    return float(value)


EARLY_STOPPING_EXPECTED = (
    f'expected true, false, "auto" or an object with "{PATIENCE_KEY}" (an integer from 1 to '
    f'{MAX_PATIENCE}) and "{MIN_DELTA_KEY}" (a number from 0 to {_number(MAX_MIN_DELTA)})'
)


def _early_stopping_problem(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if not isinstance(value, Mapping) or not set(value) <= {PATIENCE_KEY, MIN_DELTA_KEY}:
        return EARLY_STOPPING_EXPECTED
    patience = value.get(PATIENCE_KEY, DEFAULT_PATIENCE)
    min_delta = value.get(MIN_DELTA_KEY, DEFAULT_MIN_DELTA)
    if not (_is_int(patience) and 1 <= _as_float(patience) <= MAX_PATIENCE):
        return EARLY_STOPPING_EXPECTED
    if not (_is_number(min_delta) and 0 <= _as_float(min_delta) <= MAX_MIN_DELTA):
        return EARLY_STOPPING_EXPECTED
    return None


def early_stopping_value(value: object) -> Value:
    """A checked early_stopping value as stored: false, or the object with both settings."""
    if value is False:
        return False
    settings = value if isinstance(value, Mapping) else {}
    return {
        PATIENCE_KEY: int(_as_float(settings.get(PATIENCE_KEY, DEFAULT_PATIENCE))),
        MIN_DELTA_KEY: _as_float(settings.get(MIN_DELTA_KEY, DEFAULT_MIN_DELTA)),
    }


def _auto_early_stopping(context: AutoContext) -> Value:
    """On for the emulator when n_epochs is left to "auto"; off otherwise."""
    if training_defaults(context.entry).early_stopping and context.left_to_auto("n_epochs"):
        return early_stopping_value(True)
    return False


def _auto_epochs(context: AutoContext) -> int:
    """OpenAI's rule: 3; enough passes over a small file, at most ~25k example-passes."""
    defaults = training_defaults(context.entry)
    n_examples = context.n_examples
    if n_examples * TARGET_EPOCHS < defaults.min_target_examples:
        return min(
            defaults.max_default_epochs,
            math.ceil(defaults.min_target_examples / max(n_examples, 1)),
        )
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(1, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS


def _auto_batch_size(context: AutoContext) -> int:
    return min(MAX_BATCH_SIZE, max(1, round(context.n_examples * BATCH_FRACTION)))


def _auto_eval_interval(context: AutoContext) -> int:
    batch = max(1, min(context.integer("batch_size"), context.n_examples))
    total_steps = context.integer("n_epochs") * math.ceil(max(context.n_examples, 1) / batch)
    return max(1, total_steps // EVALUATIONS_PER_JOB)


def _auto_num_generations(context: AutoContext) -> int:
    multiplier = context.number("compute_multiplier")
    return min(MAX_NUM_GENERATIONS, max(2, round(DEFAULT_NUM_GENERATIONS * multiplier)))


def _auto_target_modules(context: AutoContext) -> Value:
    targets = context.entry.lora.target_modules
    return targets if isinstance(targets, str) else list(targets)


def _constant(value: Value) -> Callable[[AutoContext], Value]:
    return lambda _context: value


ALL_METHODS = METHODS
LORA_ONLY: tuple[TrainingType, ...] = ("lora",)
FORGETTING_METHODS: tuple[Method, ...] = ("supervised", "dpo")
_MODELS_LORA = "the model's (the models file may set it per model)"

# The declaration. Order matters: it is each wire model's field order, and "auto" resolves in
# it (eval_interval reads n_epochs and batch_size, num_generations compute_multiplier).
# `beta` is declared twice: DPO's (the preference penalty) and reinforcement's (a KL weight).
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    Hyperparameter(
        "beta",
        "number",
        "Weight of the penalty between policy and reference model, 0 < beta <= 2, or `auto` (0.1).",
        ("dpo",),
        low=0,
        high=2,
        low_open=True,
        resolve_auto=_constant(DEFAULT_BETA),
        auto_doc=f"{DEFAULT_BETA:g}",
    ),
    Hyperparameter(
        "batch_size",
        "integer",
        "Examples per optimizer step, 1 to 256, or `auto`.",
        ALL_METHODS,
        low=1,
        high=MAX_BATCH_SIZE,
        resolve_auto=_auto_batch_size,
        auto_doc="about 0.2% of the examples, from 1 to 256",
        method_docs={
            "dpo": "Preference pairs per optimizer step, 1 to 256, or `auto`.",
            "reinforcement": "Prompts per optimizer step, 1 to 256, or `auto`.",
        },
    ),
    Hyperparameter(
        "learning_rate_multiplier",
        "number",
        "Scale of the base learning rate (> 0, at most 10), or `auto`.",
        ALL_METHODS,
        low=0,
        high=10,
        low_open=True,
        resolve_auto=_constant(1.0),
        auto_doc="1 (the base rate: 3e-3 on the emulator, 2e-4 on pretrained models; "
        "1e-3 and 1e-5 for full training)",
    ),
    Hyperparameter(
        "n_epochs",
        "integer",
        "Full passes over the training file, 1 to 50, or `auto`.",
        ALL_METHODS,
        low=1,
        high=50,
        resolve_auto=_auto_epochs,
        auto_doc="3; a small file gets ceil(100 / n) epochs (at most 25), a huge one "
        "25000 // n (at least 1)",
        method_docs={
            "reinforcement": "Full passes over the training file's prompts, 1 to 50, or `auto`."
        },
    ),
    Hyperparameter(
        EARLY_STOPPING_KEY,
        "early_stopping",
        "Extension: stop once the validation loss (with a validation file; else a smoothed "
        "training loss) has not improved by `min_delta` for `patience` steps; `true`, `false`, "
        "an object, or `auto`.",
        FORGETTING_METHODS,
        resolve_auto=_auto_early_stopping,
        auto_doc=f"on for the emulator when `n_epochs` is `auto` (patience {DEFAULT_PATIENCE}, "
        f"min_delta {DEFAULT_MIN_DELTA:g}, also what `true` means), off otherwise",
        wire_default=None,
    ),
    Hyperparameter(
        "reasoning_effort",
        "choice",
        "Accepted and echoed; the open models trained here do not reason.",
        ("reinforcement",),
        choices=REASONING_EFFORTS,
        takes_auto=False,
        wire_default="default",
        resolve_auto=_constant("default"),
        auto_doc="`default`",
    ),
    Hyperparameter(
        "compute_multiplier",
        "number",
        "Scales the completions sampled per prompt (`num_generations`, 4 at 1.0).",
        ("reinforcement",),
        low=0,
        high=10,
        low_open=True,
        resolve_auto=_constant(1.0),
        auto_doc="1",
    ),
    Hyperparameter(
        "eval_interval",
        "integer",
        "Training steps between validation rewards (`auto`: a tenth).",
        ("reinforcement",),
        low=1,
        high=1_000_000,
        resolve_auto=_auto_eval_interval,
        auto_doc="a tenth of the steps",
    ),
    Hyperparameter(
        "eval_samples",
        "integer",
        "Validation prompts graded at each evaluation (`auto`: 16).",
        ("reinforcement",),
        low=1,
        high=10_000,
        resolve_auto=_constant(DEFAULT_EVAL_SAMPLES),
        auto_doc=f"{DEFAULT_EVAL_SAMPLES} (at most the validation file's prompts)",
    ),
    Hyperparameter(
        "num_generations",
        "integer",
        "Extension: completions sampled per prompt, the group (overrides compute_multiplier).",
        ("reinforcement",),
        low=2,
        high=MAX_NUM_GENERATIONS,
        wire_default=None,
        resolve_auto=_auto_num_generations,
        auto_doc="round(4 x compute_multiplier), from 2 to 64",
    ),
    Hyperparameter(
        "beta",
        "number",
        "Extension: weight of the KL term against the starting model (default 0).",
        ("reinforcement",),
        low=0,
        high=10,
        wire_default=None,
        resolve_auto=_constant(DEFAULT_KL_BETA),
        auto_doc=f"{DEFAULT_KL_BETA:g} (no KL term, as TRL)",
    ),
    Hyperparameter(
        "epsilon",
        "number",
        "Extension: clip range (default 0.2).",
        ("reinforcement",),
        low=0,
        high=1,
        low_open=True,
        wire_default=None,
        resolve_auto=_constant(DEFAULT_EPSILON),
        auto_doc=f"{DEFAULT_EPSILON:g}",
    ),
    Hyperparameter(
        "temperature",
        "number",
        "Extension: sampling temperature (default 1).",
        ("reinforcement",),
        low=0,
        high=2,
        low_open=True,
        wire_default=None,
        resolve_auto=_constant(DEFAULT_TEMPERATURE),
        auto_doc=f"{DEFAULT_TEMPERATURE:g}",
    ),
    Hyperparameter(
        "max_completion_tokens",
        "integer",
        "Extension: tokens per sampled completion (64).",
        ("reinforcement",),
        low=1,
        high=MAX_COMPLETION_TOKENS,
        wire_default=None,
        resolve_auto=_constant(DEFAULT_MAX_COMPLETION_TOKENS),
        auto_doc=f"{DEFAULT_MAX_COMPLETION_TOKENS}",
    ),
    Hyperparameter(
        "lora_rank",
        "integer",
        "Extension: LoRA rank r (default: the model's).",
        ALL_METHODS,
        low=1,
        high=256,
        wire_default=None,
        training_types=LORA_ONLY,
        resolve_auto=lambda context: context.entry.lora.rank,
        auto_doc=_MODELS_LORA,
    ),
    Hyperparameter(
        "lora_alpha",
        "integer",
        "Extension: LoRA alpha (default: the model's).",
        ALL_METHODS,
        low=1,
        high=1024,
        wire_default=None,
        training_types=LORA_ONLY,
        resolve_auto=lambda context: context.entry.lora.alpha,
        auto_doc=_MODELS_LORA,
    ),
    Hyperparameter(
        "lora_dropout",
        "number",
        "Extension: LoRA dropout, from 0 up to (not including) 1.",
        ALL_METHODS,
        low=0,
        high=1,
        high_open=True,
        wire_default=None,
        training_types=LORA_ONLY,
        resolve_auto=lambda context: float(context.entry.lora.dropout),
        auto_doc=_MODELS_LORA,
    ),
    Hyperparameter(
        "lora_target_modules",
        "modules",
        'Extension: module names to adapt, or "all-linear".',
        ALL_METHODS,
        wire_default=None,
        training_types=LORA_ONLY,
        resolve_auto=_auto_target_modules,
        auto_doc=_MODELS_LORA,
    ),
    Hyperparameter(
        REFERENCE_FILE_KEY,
        "file",
        "Extension: id of a file of general text (JSONL of `text`, `messages` or "
        "`prompt`/`completion` lines) the forgetting check measures on.",
        FORGETTING_METHODS,
        takes_auto=False,
        wire_default=None,
        auto_doc="the models file's reference set, else Whetstone's general text",
    ),
    Hyperparameter(
        TRAINING_TYPE_KEY,
        "choice",
        "Extension: `lora` (default) trains an adapter; `full` trains every parameter and "
        "saves a whole model, served as a model of its own.",
        ALL_METHODS,
        choices=TRAINING_TYPES,
        takes_auto=False,
        wire_default=None,
        auto_doc="`lora`",
        unpublished=("reinforcement",),
    ),
    Hyperparameter(
        ACTIVATION_CHECKPOINTING_KEY,
        "boolean",
        "Extension: recompute each decoder layer's activations in the backward pass rather "
        "than keep them: less memory (the pre-flight check counts it), about a third more "
        "compute, the same loss.",
        FORGETTING_METHODS,
        takes_auto=False,
        wire_default=None,
        auto_doc="`false`",
    ),
    Hyperparameter(
        DEVICES_KEY,
        "integer",
        "Extension: devices (GPUs, or processes on the CPU) the job trains on, sharded with "
        "FSDP2 above one; at most the model's `max_devices` in the models file.",
        ALL_METHODS,
        low=1,
        high=MAX_DEVICES,
        wire_default=None,
        # Kept only when given (so a job's echo is unchanged unless it asks): job_devices
        # gives an absent one the model's `devices`.
        takes_auto=False,
        auto_doc="the model's `devices` in the models file (1 unless it says)",
        # Taken so that more than one is refused with its reason.
        unpublished=("reinforcement",),
    ),
)


def declared(method: Method) -> tuple[Hyperparameter, ...]:
    """The hyperparameters `method` takes, in declaration order."""
    return tuple(spec for spec in HYPERPARAMETERS if method in spec.methods)


def hyperparameter(name: str, method: Method = "supervised") -> Hyperparameter:
    """The declaration of `name` as `method` takes it."""
    for spec in declared(method):
        if spec.name == name:
            return spec
    raise KeyError(name)


def published(method: Method) -> tuple[Hyperparameter, ...]:
    """The hyperparameters of `method`'s wire model, in its field order."""
    return tuple(spec for spec in declared(method) if method not in spec.unpublished)


def method_keys(method: Method) -> tuple[str, ...]:
    """The keys `method` takes."""
    return tuple(spec.name for spec in declared(method))


def auto_keys(method: Method) -> tuple[str, ...]:
    """The keys an empty request of a LoRA job of `method` resolves to."""
    return tuple(spec.name for spec in declared(method) if spec.resolve_auto is not None)


def parse_method(method: str) -> Method:
    """`method` as a Method; ValueError for a name no method has."""
    for known in METHODS:
        if known == method:
            return known
    raise ValueError(f"unknown fine-tuning method {method!r}")


def validate_hyperparameters(
    requested: object,
    *,
    param_prefix: str = "method.supervised.hyperparameters",
    method: str = "supervised",
) -> None:
    """Refuse unknown keys and out-of-range values with a 400 naming the exact parameter."""
    if requested is None:
        return
    if not isinstance(requested, Mapping):
        raise InvalidRequestError(
            f"Invalid type for '{param_prefix}': expected an object.",
            param=param_prefix,
            code="invalid_type",
        )
    specs = {spec.name: spec for spec in declared(parse_method(method))}
    for key, value in requested.items():
        param = f"{param_prefix}.{key}"
        spec = specs.get(key)
        if spec is None:
            raise InvalidRequestError(
                f"Unknown hyperparameter '{key}'. Supported: {', '.join(specs)}.",
                param=param,
                code="unknown_parameter",
            )
        problem = spec.problem(value, parse_method(method))
        if problem is not None:
            raise InvalidRequestError(
                f"Invalid value for '{key}': {problem}, got {value!r}.",
                param=param,
                code="invalid_value",
            )
    training_type = requested.get(TRAINING_TYPE_KEY, "lora")
    for key, spec in specs.items():
        # A LoRA setting on a job that trains no LoRA would be silently ignored.
        if training_type not in spec.training_types and requested.get(key) not in (None, AUTO):
            raise InvalidRequestError(
                f"'{key}' applies to LoRA training; a job with training_type \"full\" "
                "trains every parameter of the model (omit it).",
                param=f"{param_prefix}.{key}",
                code="invalid_value",
            )


@dataclass(frozen=True)
class LoraShape:
    """The adapter a LoRA job trains."""

    rank: int
    alpha: int
    dropout: float
    # "all-linear" or module names.
    target_modules: str | tuple[str, ...]


@dataclass(frozen=True)
class EarlyStopping:
    """When a run stops before its planned steps."""

    # Optimizer steps the monitored loss may go without improving before the run stops.
    patience: int
    # The least decrease of the monitored loss that counts as an improvement.
    min_delta: float


@dataclass(frozen=True)
class GRPOSettings:
    """Reinforcement's own hyperparameters, resolved."""

    compute_multiplier: float
    eval_interval: int
    eval_samples: int
    reasoning_effort: str
    num_generations: int
    # The KL coefficient against the starting model.
    beta: float
    epsilon: float
    temperature: float
    max_completion_tokens: int


@dataclass(frozen=True)
class ResolvedHyperparameters:
    """A job's hyperparameters with every "auto" made concrete: what the recipe reads.

    The job row stores `as_dict()`; `resolve` of that dict gives this back.
    """

    method: Method
    n_epochs: int
    batch_size: int
    learning_rate_multiplier: float
    # None for a full fine-tuning run, which trains no adapter.
    lora: LoraShape | None
    # As requested; None when the request left it out (a LoRA job).
    training_type: TrainingType | None = None
    # DPO's beta, None for the other methods.
    dpo_beta: float | None = None
    reinforcement: GRPOSettings | None = None
    reference_file: str | None = None
    # None: the run trains every planned step.
    early_stopping: EarlyStopping | None = None
    activation_checkpointing: bool = False
    # The stored form, in the declaration's order.
    values: Mapping[str, Value] = field(default_factory=dict, compare=False, repr=False)

    @property
    def full(self) -> bool:
        """Whether the run trains every parameter rather than a LoRA adapter."""
        return self.training_type == FULL_TRAINING

    def learning_rate(self, entry: BaseModelEntry) -> float:
        """The effective peak learning rate: the family's base rate (its full fine-tuning rate
        for a full run) times the multiplier."""
        defaults = training_defaults(entry)
        base = defaults.full_learning_rate if self.full else defaults.base_learning_rate
        return base * self.learning_rate_multiplier

    def as_dict(self) -> dict[str, Value]:
        """The JSON form a job row stores and the job's method echoes."""
        return {
            key: list(value)
            if isinstance(value, list)
            else dict(value)
            if isinstance(value, dict)
            else value
            for key, value in self.values.items()
        }


def resolve(
    requested: Mapping[str, object] | None,
    *,
    n_examples: int,
    entry: BaseModelEntry,
    method: str = "supervised",
) -> ResolvedHyperparameters:
    """The hyperparameters of a checked request (or of a stored, already resolved job) with
    every "auto" or absent one made concrete by its declared rule. Keys that do not apply
    (LoRA's on a full run) are left out; reference_file and training_type are kept as given."""
    requested = requested or {}
    kind = parse_method(method)
    full = requested.get(TRAINING_TYPE_KEY) == FULL_TRAINING
    values: dict[str, Value] = {}
    for spec in declared(kind):
        given = requested.get(spec.name, AUTO)
        if full and FULL_TRAINING not in spec.training_types:
            continue
        if given != AUTO and given is not None:
            values[spec.name] = _concrete(spec, given)
        elif spec.resolve_auto is not None:
            values[spec.name] = spec.resolve_auto(AutoContext(n_examples, entry, values, requested))
    return _typed(kind, values)


def _concrete(spec: Hyperparameter, value: object) -> Value:
    """A checked request value in the type its kind resolves to."""
    if spec.kind == "early_stopping":
        return early_stopping_value(value)
    if spec.kind == "boolean":
        return bool(value)
    if spec.kind == "integer":
        return value if isinstance(value, int) else int(_as_float(value))
    if spec.kind == "number":
        return _as_float(value)
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value)


def _typed(method: Method, values: dict[str, Value]) -> ResolvedHyperparameters:
    def integer(key: str) -> int:
        value = values[key]
        assert isinstance(value, int)
        return value

    def number(key: str) -> float:
        return _as_float(values[key])

    def text(key: str) -> str:
        value = values[key]
        assert isinstance(value, str)
        return value

    lora = None
    if "lora_rank" in values:
        targets = values["lora_target_modules"]
        lora = LoraShape(
            rank=integer("lora_rank"),
            alpha=integer("lora_alpha"),
            dropout=number("lora_dropout"),
            target_modules=tuple(targets) if isinstance(targets, list) else str(targets),
        )
    reinforcement = None
    if method == "reinforcement":
        reinforcement = GRPOSettings(
            compute_multiplier=number("compute_multiplier"),
            eval_interval=integer("eval_interval"),
            eval_samples=integer("eval_samples"),
            reasoning_effort=text("reasoning_effort"),
            num_generations=integer("num_generations"),
            beta=number("beta"),
            epsilon=number("epsilon"),
            temperature=number("temperature"),
            max_completion_tokens=integer("max_completion_tokens"),
        )
    training_type = values.get(TRAINING_TYPE_KEY)
    stopping = values.get(EARLY_STOPPING_KEY)
    early_stopping = None
    if isinstance(stopping, dict):
        early_stopping = EarlyStopping(
            patience=int(stopping[PATIENCE_KEY]), min_delta=float(stopping[MIN_DELTA_KEY])
        )
    return ResolvedHyperparameters(
        method=method,
        n_epochs=integer("n_epochs"),
        batch_size=integer("batch_size"),
        learning_rate_multiplier=number("learning_rate_multiplier"),
        lora=lora,
        training_type="full" if training_type == "full" else "lora" if training_type else None,
        dpo_beta=number("beta") if method == "dpo" else None,
        reinforcement=reinforcement,
        reference_file=text(REFERENCE_FILE_KEY) if REFERENCE_FILE_KEY in values else None,
        early_stopping=early_stopping,
        activation_checkpointing=values.get(ACTIVATION_CHECKPOINTING_KEY) is True,
        values=values,
    )


def resolve_hyperparameters(
    requested: Mapping[str, object] | None,
    *,
    n_examples: int,
    entry: BaseModelEntry,
    method: str = "supervised",
) -> dict[str, Value]:
    """`resolve` in the JSON form a job row stores."""
    return resolve(requested, n_examples=n_examples, entry=entry, method=method).as_dict()


def job_devices(hyperparameters: Mapping[str, object], entry: BaseModelEntry, method: str) -> int:
    """The devices a job (its hyperparameters, requested or resolved) trains on."""
    if parse_method(method) not in SHARDED_METHODS:
        return 1
    value = hyperparameters.get(DEVICES_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else entry.devices


def check_devices(
    hyperparameters: Mapping[str, object], entry: BaseModelEntry, *, method: str, param: str
) -> None:
    """Refuse a job that asks for more devices than its model's `max_devices`, or a sharded
    job over a 4-bit base (a 400)."""
    devices = job_devices(hyperparameters, entry, method)
    if devices > 1 and entry.quantization is not None:
        # The sharded path loads fp32 master weights for fully_shard; bitsandbytes' 4-bit
        # weights are not sharded by it here, so a QLoRA job trains on one device.
        raise InvalidRequestError(
            f"Invalid value for '{DEVICES_KEY}': {entry.name} is loaded in "
            f"{entry.quantization} (4-bit) for training (QLoRA), which trains on one device; "
            f"got {devices}.",
            param=f"{param}.{DEVICES_KEY}",
            code="invalid_value",
        )
    if devices > entry.max_devices:
        raise InvalidRequestError(
            f"Invalid value for '{DEVICES_KEY}': {entry.name} jobs train on at most "
            f"{entry.max_devices} device(s) (the models file's max_devices), got {devices}.",
            param=f"{param}.{DEVICES_KEY}",
            code="invalid_value",
        )


def is_full_training(hyperparameters: Mapping[str, object]) -> bool:
    """Whether a job with these hyperparameters (requested or resolved) trains every
    parameter of the model rather than a LoRA adapter."""
    return hyperparameters.get(TRAINING_TYPE_KEY) == FULL_TRAINING


def learning_rate(hyperparameters: Mapping[str, object], entry: BaseModelEntry) -> float:
    """The effective peak learning rate of stored (resolved) hyperparameters."""
    defaults = training_defaults(entry)
    full = is_full_training(hyperparameters)
    base = defaults.full_learning_rate if full else defaults.base_learning_rate
    return base * _as_float(hyperparameters["learning_rate_multiplier"])


# -- the docs page ------------------------------------------------------------------------------

DOCS_TITLE = "# Hyperparameters"
DOCS_INTRO = (
    "Generated from `service/training/hyperparameters.py` by "
    "`python -m service.training.hyperparameters`; the API's checks and schemas come from the "
    "same declaration."
)


# The JSON type of each kind, as the docs name it.
KIND_DOCS: dict[Kind, str] = {
    "integer": "integer",
    "number": "number",
    "choice": "string",
    "modules": "string or list of strings",
    "file": "string",
    "early_stopping": "boolean or object",
    "boolean": "boolean",
}


def _bounds_doc(spec: Hyperparameter) -> str:
    if spec.kind in ("integer", "number"):
        low = "(" if spec.low_open else "["
        high = ")" if spec.high_open else "]"
        return f"{low}{_number(spec.low)}, {_number(spec.high)}{high}"
    if spec.kind == "choice":
        return ", ".join(f"`{choice}`" for choice in spec.choices)
    if spec.kind == "modules":
        return "`all-linear` or a non-empty list of module names"
    if spec.kind == "early_stopping":
        return (
            f'`true`, `false`, or `{{"{PATIENCE_KEY}": [1, {MAX_PATIENCE}], '
            f'"{MIN_DELTA_KEY}": [0, {_number(MAX_MIN_DELTA)}]}}`'
        )
    if spec.kind == "boolean":
        return "`true`, `false`"
    return "a file id"


def _default_doc(spec: Hyperparameter) -> str:
    if spec.takes_auto:
        return f"`auto`: {spec.auto_doc}"
    return spec.auto_doc


def _methods_doc(spec: Hyperparameter) -> str:
    names = [method for method in spec.methods if method not in spec.unpublished]
    text = ", ".join(names)
    if spec.training_types != TRAINING_TYPES:
        text += " (LoRA jobs)"
    return text


def markdown_page() -> str:
    """docs/hyperparameters.md: a title, a sentence, and the table of every hyperparameter."""
    rows = [
        "| Name | Type | Bounds | Default / auto | Methods | Description |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for spec in HYPERPARAMETERS:
        cells = (
            f"`{spec.name}`",
            KIND_DOCS[spec.kind],
            _bounds_doc(spec),
            _default_doc(spec),
            _methods_doc(spec),
            spec.doc,
        )
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join([DOCS_TITLE, "", DOCS_INTRO, "", *rows]) + "\n"


if __name__ == "__main__":
    print(markdown_page(), end="")
