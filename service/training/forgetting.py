"""The forgetting check: the loss on a general-text reference set, with the adapter disabled
(the starting base model) and enabled (the tuned model), at the end of a supervised or DPO run.

A tuned loss well above the base's says that fine-tuning traded general ability for the task
(catastrophic forgetting). The reference set is, in order of precedence, the job's own
(`method.*.hyperparameters.reference_file` once the API takes it), the models-file entry's
`reference_file`, else the small general text Whetstone ships (for the emulator, the part of its
embedded corpus held out of the tokenizer and weights: service/catalog/emulator.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import torch
from peft import PeftModel
from transformers import PreTrainedTokenizerBase

from service.catalog.emulator import REFERENCE_CORPUS

# A reference set is a sample, not a benchmark: enough text for a stable mean, little enough
# that the check adds well under a second on the emulator.
MAX_REFERENCE_TEXTS = 64
MAX_REFERENCE_TOKENS = 256
METRIC_KEYS = ("reference_base_loss", "reference_tuned_loss", "reference_loss_ratio")


@dataclass(frozen=True)
class ForgettingCheck:
    """Mean token cross-entropy (nats) on the reference set, before and after tuning."""

    base_loss: float
    tuned_loss: float

    @property
    def ratio(self) -> float:
        """The tuned loss over the base loss (above 1: the tuned model fits general text
        worse)."""
        return self.tuned_loss / self.base_loss if self.base_loss > 0 else math.inf

    def metrics(self) -> dict[str, float]:
        """The figures as metrics keys (the last metrics event, the results file)."""
        return dict(zip(METRIC_KEYS, (self.base_loss, self.tuned_loss, self.ratio), strict=True))

    @classmethod
    def from_metrics(cls, metrics: Mapping[str, float]) -> ForgettingCheck | None:
        """The check recorded in `metrics`, if it is there."""
        if not all(key in metrics for key in METRIC_KEYS[:2]):
            return None
        return cls(float(metrics[METRIC_KEYS[0]]), float(metrics[METRIC_KEYS[1]]))

    def message(self) -> str:
        """The job event that reports the check."""
        return (
            f"Forgetting check: reference loss {self.base_loss:.4f} for the starting model, "
            f"{self.tuned_loss:.4f} for the tuned model (ratio {self.ratio:.3f})"
        )

    def warning(self, threshold: float) -> str | None:
        """The warn event's text when the ratio exceeds `threshold`; None otherwise."""
        if self.ratio <= threshold:
            return None
        return (
            f"General ability may have regressed: the tuned model's reference loss is "
            f"{self.tuned_loss:.4f} against {self.base_loss:.4f} for the starting model "
            f"(ratio {self.ratio:.3f}, above the threshold {threshold:g})"
        )


def reference_texts(path: Path | None, tokenizer: PreTrainedTokenizerBase) -> list[str]:
    """The reference set: the JSONL at `path` (lines of `{"text"}`, `{"messages"}` or
    `{"prompt", "completion"}`), or Whetstone's general text when `path` is None."""
    if path is None:
        return [line for line in REFERENCE_CORPUS.splitlines() if line.strip()]
    texts: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {number} of the reference file is not JSON") from exc
        text = _text_of(row, tokenizer)
        if text is None:
            raise ValueError(
                f"line {number} of the reference file has no text, messages or prompt/completion"
            )
        texts.append(text)
        if len(texts) == MAX_REFERENCE_TEXTS:
            break
    if not texts:
        raise ValueError("the reference file has no line")
    return texts


def _text_of(row: object, tokenizer: PreTrainedTokenizerBase) -> str | None:
    if not isinstance(row, dict):
        return None
    text, messages, prompt, completion = (
        row.get(key) for key in ("text", "messages", "prompt", "completion")
    )
    if isinstance(text, str):
        return text
    if isinstance(messages, list):
        messages = [m for m in messages if isinstance(m, dict)]
        rendered = (
            tokenizer.apply_chat_template(messages, tokenize=False)
            if getattr(tokenizer, "chat_template", None)
            else None
        )
        if isinstance(rendered, str):
            return rendered
        return "\n".join(str(m.get("content") or "") for m in messages)
    if isinstance(prompt, str) and isinstance(completion, str):
        return prompt + completion
    return None


@torch.no_grad()
def reference_loss(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    device: torch.device,
    autocast: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> float:
    """Mean cross-entropy per predicted token over `texts`, each cut at MAX_REFERENCE_TOKENS."""
    total, count = 0.0, 0
    for text in texts[:MAX_REFERENCE_TEXTS]:
        ids = tokenizer(text, truncation=True, max_length=MAX_REFERENCE_TOKENS)["input_ids"]
        if len(ids) < 2:
            continue
        input_ids = torch.tensor([ids], device=device)
        with autocast():
            logits = model(input_ids=input_ids).logits
        loss = torch.nn.functional.cross_entropy(
            logits[0, :-1].float(), input_ids[0, 1:], reduction="sum"
        )
        total += float(loss)
        count += len(ids) - 1
    return total / count if count else 0.0


def starting_loss(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    device: torch.device,
    autocast: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> float:
    """The reference loss of a bare model (a full fine-tuning run's, which has no adapter to
    disable: measured before its first step for the base, after its last for the tuned one).
    Eval mode, no gradient, no RNG."""
    was_training = model.training
    model.eval()
    try:
        return reference_loss(model, tokenizer, texts, device, autocast)
    finally:
        model.train(was_training)


def measure(
    model: PeftModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    device: torch.device,
    autocast: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> ForgettingCheck:
    """The reference loss of the PEFT `model` with its adapter disabled, then enabled. Eval
    mode, no gradient, no RNG: training after it (or a resumed run) is unaffected."""
    was_training = model.training
    model.eval()
    try:
        with model.disable_adapter():
            base = reference_loss(model, tokenizer, texts, device, autocast)
        tuned = reference_loss(model, tokenizer, texts, device, autocast)
    finally:
        model.train(was_training)
    return ForgettingCheck(base_loss=base, tuned_loss=tuned)
