"""The trainer a Tinker session holds: a base model with Tinker's LoRA, and one AdamW.

LoRA follows Tinker's documented conventions:
- alpha is fixed at 32 whatever the rank (the cookbook's hyperparam_utils.py takes
  `lora_alpha: int = 32` and scales learning rates from it; "LoRA Without Regret", which its
  docs cite, trains with alpha 32 and the 1/r scaling), so the scaling is 32 / rank;
- `train_attn` adapts every linear layer of the attention blocks, `train_mlp` every other linear
  layer of the decoder blocks and the fused expert weights of a mixture-of-experts MLP ("MLP
  layers (including MoE layers)"; a router is not trained), `train_unembed` the unembedding
  (the model's output embeddings, `lm_head`) (tinker/types/lora_config.py). Experts get one
  LoRA each, peft's way: Tinker's own MoE LoRA shares the outer factor across experts
  (hyperparam_utils.get_lora_param_count), which a PEFT adapter cannot express;
- the init is the standard one (A uniform in ±1/sqrt(fan_in), B zero, so a new adapter leaves
  the base model unchanged), drawn from `seed` (LoraConfig.seed: "useful if you need
  deterministic or reproducible initialization"); peft's default init is exactly that.
The adapter is a PEFT adapter in the layout a fine-tuning job saves, so the serving engines
load a sampler checkpoint like any `ft:` adapter (the builtin engine adapts any nn.Linear,
`lm_head` included).

Weights are float32 on the CPU (bf16 on a CUDA device that supports it, as the job recipes
load them), with float32 log-probabilities: on the CPU a saved state resumes to the same loss.
Nothing here draws random numbers after the init (the model runs in eval mode: no dropout), so
weights, optimizer moments and the step counter are the whole state.
"""

from __future__ import annotations

import json
import math
import secrets
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from peft import (
    LoraConfig,
    PeftModelForCausalLM,
    get_peft_model,
    get_peft_model_state_dict,
    set_peft_model_state_dict,
)
from safetensors.torch import load_file
from torch import nn
from transformers import PreTrainedModel
from transformers.pytorch_utils import Conv1D

from service.catalog import BaseModelEntry, Catalog
from service.catalog.loading import load_model
from service.core.errors import InvalidRequestError
from service.training.objective import MAX_MICRO_BATCH_TOKENS
from service.training.sessions import (
    AdamSpec,
    ForwardBackwardResult,
    LoraSpec,
    TrainingDatum,
)
from service.training.sessions.losses import LossDefinition, resolve_loss

# Tinker's LoRA alpha, whatever the rank (see the module docstring).
TINKER_LORA_ALPHA = 32
# Beside the adapter in a training checkpoint: the optimizer's state and the step counter,
# and the LoRA spec the session was created with (a resumed session needs the same layers).
OPTIMIZER_FILE = "optimizer.pt"
LORA_SPEC_FILE = "tinker_lora.json"
ADAPTER_WEIGHTS_FILE = "adapter_model.safetensors"
# Path components that mark a layer as part of an attention block, across the architectures
# transformers ships (llama/qwen/mistral/gemma: self_attn; gpt-2: attn; others: attention,
# self_attention). Every other linear layer of a decoder block is the MLP's (OPT's fc1/fc2
# included).
_ATTENTION_PARTS = frozenset({"self_attn", "attn", "attention", "self_attention", "cross_attn"})
# A mixture-of-experts router (or a shared expert's gate) is a linear layer inside the MLP
# block; Tinker's train_mlp adapts the experts, not what routes between them.
_ROUTER_NAMES = frozenset({"gate", "router", "shared_expert_gate"})


class SessionTrainer:
    """A LoRA model and its optimizer, driven one Tinker request at a time."""

    def __init__(
        self,
        *,
        model: PeftModelForCausalLM,
        entry: BaseModelEntry,
        lora: LoraSpec,
        device: torch.device,
    ):
        self.model = model
        self.entry = entry
        self.lora = lora
        self.device = device
        self.steps = 0
        self.optimizer = self._new_optimizer()

    @classmethod
    def create(
        cls, *, catalog: Catalog, base_model: str, lora: LoraSpec, device: torch.device
    ) -> SessionTrainer:
        """Load `base_model` from the catalog and give it a fresh LoRA of Tinker's kind."""
        if lora.rank < 1:
            raise InvalidRequestError(f"rank must be at least 1, not {lora.rank}", param="rank")
        entry = catalog.resolve(base_model)
        base: PreTrainedModel = load_model(catalog.local_path(entry), device=str(device))
        targets = lora_targets(base, lora)
        config = LoraConfig(
            task_type="CAUSAL_LM",
            r=lora.rank,
            lora_alpha=TINKER_LORA_ALPHA,
            lora_dropout=0.0,
            target_modules=targets.modules,
            target_parameters=targets.parameters or None,
        )
        seed = lora.seed if lora.seed is not None else secrets.randbits(63)
        cuda = [device.index or 0] if device.type == "cuda" else []
        # The seed draws the init and nothing else: the global generators are left as found.
        with torch.random.fork_rng(devices=cuda), warnings.catch_warnings():
            torch.manual_seed(seed)
            # peft warns when a tied layer (lm_head of a model with tied embeddings) is adapted;
            # Tinker's train_unembed adapts the unembedding alone, which is what untied LoRA
            # weights do.
            warnings.filterwarnings("ignore", message=".*tie_word_embeddings.*")
            model = get_peft_model(base, config)
        if not isinstance(model, PeftModelForCausalLM):  # task_type CAUSAL_LM makes one
            raise TypeError(f"get_peft_model made a {type(model).__name__}")
        # The catalog name, as a job's adapter_config.json has it.
        model.peft_config["default"].base_model_name_or_path = entry.hub_id or entry.name
        # Eval mode: no dropout anywhere (a base model's own config may ask for some, GPT-2's
        # does), so nothing random runs after the init and a saved state resumes exactly.
        # Gradients flow all the same.
        model.eval()
        return cls(model=model, entry=entry, lora=lora, device=device)

    # forward / backward

    def forward_backward(
        self,
        data: list[TrainingDatum],
        loss_fn: str,
        loss_fn_config: dict[str, float] | None = None,
        *,
        forward_only: bool = False,
    ) -> ForwardBackwardResult:
        """Each datum's target log-probabilities and the batch's summed loss; with gradients
        added to those already accumulated (until optim_step) unless `forward_only`."""
        definition, config = resolve_loss(loss_fn, loss_fn_config)
        if not data:
            raise InvalidRequestError("forward_backward needs at least one datum", param="data")
        for index, datum in enumerate(data):
            self._check_datum(index, datum, definition)
        outputs: list[dict[str, np.ndarray]] = []
        total = 0.0
        for group in _passes(data):
            loss, logprobs = self._pass(group, definition, config, forward_only=forward_only)
            total += loss
            outputs.extend({"logprobs": row} for row in logprobs)
        return ForwardBackwardResult(
            loss_fn_output_type="ArrayRecord", outputs=outputs, metrics={"loss:sum": total}
        )

    def _pass(
        self,
        data: Sequence[TrainingDatum],
        definition: LossDefinition,
        config: dict[str, float],
        *,
        forward_only: bool,
    ) -> tuple[float, list[np.ndarray]]:
        lengths = [len(datum.tokens) for datum in data]
        width = max(lengths)
        input_ids = torch.zeros((len(data), width), dtype=torch.long)
        targets = torch.zeros((len(data), width), dtype=torch.long)
        attention_mask = torch.zeros((len(data), width), dtype=torch.long)
        for row, datum in enumerate(data):
            length = lengths[row]
            input_ids[row, :length] = torch.tensor(datum.tokens, dtype=torch.long)
            targets[row, :length] = torch.from_numpy(
                np.asarray(datum.loss_fn_inputs["target_tokens"], dtype=np.int64)
            )
            attention_mask[row, :length] = 1
        with torch.set_grad_enabled(not forward_only):
            logits = self.model(
                input_ids=input_ids.to(self.device), attention_mask=attention_mask.to(self.device)
            ).logits
            # float32 whatever the compute dtype: Tinker's logprobs are float32.
            logp = -F.cross_entropy(
                logits.float().flatten(0, 1), targets.to(self.device).flatten(), reduction="none"
            ).view(len(data), width)
            losses = []
            for row, datum in enumerate(data):
                length = lengths[row]
                inputs = {
                    name: torch.as_tensor(np.asarray(value, dtype=np.float32), device=self.device)
                    for name, value in datum.loss_fn_inputs.items()
                    if name != "target_tokens"
                }
                losses.append(definition.token_loss(logp[row, :length], inputs, config).sum())
            loss = torch.stack(losses).sum()
            if not forward_only:
                loss.backward()  # type: ignore[no-untyped-call]  # torch: unannotated
        values = logp.detach().float().cpu().numpy()
        return float(loss.item()), [
            values[row, :length].copy() for row, length in enumerate(lengths)
        ]

    def _check_datum(self, index: int, datum: TrainingDatum, definition: LossDefinition) -> None:
        """Refuse, by name, a datum the loss cannot use: missing, unknown or ill-shaped inputs,
        tokens outside the vocabulary, a sequence longer than the model's context."""
        where = f"data[{index}]"
        length = len(datum.tokens)
        if length == 0:
            raise InvalidRequestError(f"{where}.model_input is empty", param="data")
        if length > self.entry.context_length:
            raise InvalidRequestError(
                f"{where}.model_input has {length} tokens; {self.entry.name} takes at most "
                f"{self.entry.context_length}",
                param="data",
            )
        vocabulary = self._vocabulary_size()
        if min(datum.tokens) < 0 or max(datum.tokens) >= vocabulary:
            raise InvalidRequestError(
                f"{where}.model_input has a token id outside [0, {vocabulary})", param="data"
            )
        given = set(datum.loss_fn_inputs)
        missing = [name for name in definition.required_inputs if name not in given]
        if missing:
            raise InvalidRequestError(
                f"{where}.loss_fn_inputs lacks {', '.join(missing)}, which {definition.name} needs",
                param="data",
            )
        accepted = {*definition.required_inputs, *definition.optional_inputs}
        unknown = sorted(given - accepted)
        if unknown:
            raise InvalidRequestError(
                f"{where}.loss_fn_inputs has {', '.join(unknown)}, which {definition.name} does "
                f"not take (it takes: {', '.join(sorted(accepted))})",
                param="data",
            )
        for name, value in datum.loss_fn_inputs.items():
            array = np.asarray(value)
            if array.shape != (length,):
                raise InvalidRequestError(
                    f"{where}.loss_fn_inputs[{name!r}] has shape {list(array.shape)}; "
                    f"{definition.name} needs one value per input token ([{length}])",
                    param="data",
                )
            if name == "target_tokens":
                if not np.issubdtype(array.dtype, np.integer):
                    raise InvalidRequestError(
                        f"{where}.loss_fn_inputs['target_tokens'] must be integers, not "
                        f"{array.dtype}",
                        param="data",
                    )
                if array.min() < 0 or array.max() >= vocabulary:
                    raise InvalidRequestError(
                        f"{where}.loss_fn_inputs['target_tokens'] has a token id outside "
                        f"[0, {vocabulary})",
                        param="data",
                    )
            elif not np.all(np.isfinite(array.astype(np.float64))):
                raise InvalidRequestError(
                    f"{where}.loss_fn_inputs[{name!r}] has a value that is not finite",
                    param="data",
                )

    def _vocabulary_size(self) -> int:
        embeddings = self.model.get_input_embeddings()
        assert isinstance(embeddings, nn.Embedding)
        return int(embeddings.num_embeddings)

    # optimizer

    def optim_step(self, adam: AdamSpec) -> dict[str, float]:
        """One AdamW step (decoupled weight decay) on the accumulated gradients with this
        request's hyperparameters, clipping the global norm first when grad_clip_norm > 0;
        then the gradients start again from zero."""
        _check_adam(adam)
        for group in self.optimizer.param_groups:
            group["lr"] = adam.learning_rate
            group["betas"] = (adam.beta1, adam.beta2)
            group["eps"] = adam.eps
            group["weight_decay"] = adam.weight_decay
        parameters = self._trainable()
        if adam.grad_clip_norm > 0:
            torch.nn.utils.clip_grad_norm_(parameters, adam.grad_clip_norm)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.steps += 1
        return {}

    def train_step(
        self,
        data: list[TrainingDatum],
        loss_fn: str,
        adam: AdamSpec,
        loss_fn_config: dict[str, float] | None = None,
    ) -> ForwardBackwardResult:
        """forward_backward then optim_step, in process: the step the SDK's round trip is
        benchmarked against (bench/tinker_overhead.py)."""
        result = self.forward_backward(data, loss_fn, loss_fn_config)
        self.optim_step(adam)
        return result

    def _trainable(self) -> list[nn.Parameter]:
        return [param for param in self.model.parameters() if param.requires_grad]

    def _new_optimizer(self) -> torch.optim.AdamW:
        defaults = AdamSpec()
        return torch.optim.AdamW(
            self._trainable(),
            lr=defaults.learning_rate,
            betas=(defaults.beta1, defaults.beta2),
            eps=defaults.eps,
            weight_decay=defaults.weight_decay,
        )

    # checkpoints

    def save_state(self, directory: Path, *, with_optimizer: bool) -> None:
        """The adapter as a job saves it (adapter_config.json, adapter_model.safetensors), the
        LoRA spec, and with_optimizer the optimizer's state and step counter."""
        self.save_sampler_adapter(directory)
        spec = asdict(self.lora)
        (directory / LORA_SPEC_FILE).write_text(json.dumps(spec))
        if with_optimizer:
            torch.save(
                {"optimizer": self.optimizer.state_dict(), "steps": self.steps},
                directory / OPTIMIZER_FILE,
            )

    def load_state(self, directory: Path, *, with_optimizer: bool) -> None:
        """Take the adapter weights saved in `directory` (and with_optimizer its optimizer
        state; without, a fresh optimizer); gradients not yet stepped are dropped."""
        weights_file = directory / ADAPTER_WEIGHTS_FILE
        if not weights_file.is_file():
            raise InvalidRequestError(f"the checkpoint has no {ADAPTER_WEIGHTS_FILE}")
        weights = load_file(weights_file, device=str(self.device))
        shapes = self._adapter_shapes()
        if set(weights) != set(shapes):
            raise InvalidRequestError(
                "the checkpoint's adapter does not fit this model's LoRA (another base model or "
                "layer selection)"
            )
        for key, tensor in weights.items():
            if tensor.shape != shapes[key]:
                raise InvalidRequestError(
                    f"the checkpoint's {key} has shape {list(tensor.shape)}; this model's LoRA "
                    f"needs {list(shapes[key])} (another rank?)"
                )
        set_peft_model_state_dict(self.model, weights)
        self.optimizer.zero_grad(set_to_none=True)
        if not with_optimizer:
            self.optimizer = self._new_optimizer()
            self.steps = 0
            return
        state_file = directory / OPTIMIZER_FILE
        if not state_file.is_file():
            raise InvalidRequestError(
                "the checkpoint holds no optimizer state (it was saved without it)"
            )
        saved = torch.load(state_file, map_location=self.device, weights_only=True)
        self.optimizer = self._new_optimizer()
        self.optimizer.load_state_dict(saved["optimizer"])
        self.steps = int(saved["steps"])

    def save_sampler_adapter(self, directory: Path) -> None:
        """The PEFT adapter alone, in the layout a fine-tuning job saves and the engines serve."""
        directory.mkdir(parents=True, exist_ok=True)
        # save_embedding_layers=False: the vocabulary is never resized, and "auto" would ask
        # the Hugging Face Hub about the base model (as the job recipe avoids too).
        self.model.save_pretrained(
            str(directory), save_embedding_layers=False, selected_adapters=["default"]
        )

    @staticmethod
    def saved_lora(directory: Path) -> LoraSpec | None:
        """The LoRA spec a training checkpoint was saved with; None for an adapter that was not
        saved by save_state."""
        path = directory / LORA_SPEC_FILE
        if not path.is_file():
            return None
        return LoraSpec(**json.loads(path.read_text()))

    def _adapter_shapes(self) -> dict[str, torch.Size]:
        state = get_peft_model_state_dict(self.model, save_embedding_layers=False)
        return {key: value.shape for key, value in state.items()}


@dataclass(frozen=True)
class LoraTargets:
    """What a LoRA adapts: layers by full module name, and fused expert weights by full
    parameter name (peft's `target_parameters`)."""

    modules: list[str]
    parameters: list[str]


def lora_targets(model: nn.Module, lora: LoraSpec) -> LoraTargets:
    """What Tinker's flags select on `model`, among its decoder blocks' linear layers and the
    unembedding: train_attn the attention blocks' layers, train_mlp every other layer of the
    blocks (routers excepted) and the fused expert weights of a mixture-of-experts MLP,
    train_unembed the output embeddings. InvalidRequestError when nothing is selected."""
    output_embeddings = None
    get_output = getattr(model, "get_output_embeddings", None)
    if callable(get_output):
        output_embeddings = get_output()
    modules: list[str] = []
    parameters: list[str] = []
    for name, module in model.named_modules():
        parts = name.split(".")
        in_block = any(part.isdigit() for part in parts)  # inside the stack of decoder blocks
        in_attention = bool(set(parts) & _ATTENTION_PARTS)
        if module is output_embeddings:
            if lora.train_unembed:
                modules.append(name)
        elif not in_block:
            continue
        elif isinstance(module, nn.Linear | Conv1D):  # Conv1D: GPT-2's linear layers
            if in_attention:
                if lora.train_attn:
                    modules.append(name)
            elif lora.train_mlp and parts[-1] not in _ROUTER_NAMES:
                modules.append(name)
        elif lora.train_mlp and not in_attention:
            # Experts held as one [experts, in, out] weight per projection (transformers' MoE).
            parameters.extend(
                f"{name}.{own}"
                for own, param in module.named_parameters(recurse=False)
                if param.dim() == 3
            )
    if not modules and not parameters:
        raise InvalidRequestError(
            "the LoRA selects no layer: at least one of train_mlp, train_attn and train_unembed "
            "must be true"
        )
    return LoraTargets(modules, parameters)


def _check_adam(adam: AdamSpec) -> None:
    problems = []
    if not (math.isfinite(adam.learning_rate) and adam.learning_rate >= 0):
        problems.append(f"learning_rate {adam.learning_rate} must be >= 0")
    for name, beta in (("beta1", adam.beta1), ("beta2", adam.beta2)):
        if not 0 <= beta < 1:
            problems.append(f"{name} {beta} must be in [0, 1)")
    if not adam.eps >= 0:
        problems.append(f"eps {adam.eps} must be >= 0")
    if not adam.weight_decay >= 0:
        problems.append(f"weight_decay {adam.weight_decay} must be >= 0")
    if not adam.grad_clip_norm >= 0:
        problems.append(f"grad_clip_norm {adam.grad_clip_norm} must be >= 0")
    if problems:
        raise InvalidRequestError("adam_params: " + "; ".join(problems), param="adam_params")


def _passes(data: Sequence[TrainingDatum]) -> Iterator[list[TrainingDatum]]:
    """The data in order, grouped so that no pass pads more than the recipe's micro-batch
    budget (a datum longer than that runs alone): a large batch runs as several passes whose
    gradients add up, which bounds activation and logit memory; losses are sums, so the split
    changes nothing."""
    group: list[TrainingDatum] = []
    width = 0
    for datum in data:
        longest = max(width, len(datum.tokens))
        if group and longest * (len(group) + 1) > MAX_MICRO_BATCH_TOKENS:
            yield group
            group, longest = [], len(datum.tokens)
        group.append(datum)
        width = longest
    if group:
        yield group
