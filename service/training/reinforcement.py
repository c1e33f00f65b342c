"""Reinforcement fine-tuning: GRPO (Shao et al., 2024) as an objective of the shared recipe.

Each optimizer step takes batch_size prompts. For each prompt the model being trained samples
`num_generations` completions, in this process (no round trip through the API); the job's
grader scores each; a completion's advantage is its reward normalised within its prompt's group,
(r - mean) / (std + 1e-4). The loss is TRL's `loss_type="grpo"`: per token

    -min(ratio * A, clip(ratio, 1 - epsilon, 1 + epsilon) * A) + beta * KL

averaged over each completion's tokens, then over the completions. One optimizer step is taken
per sampled batch (TRL's num_iterations=1), so the old policy is the current one and the ratio
is 1 with the policy gradient's gradient; the clipped form is kept so that the loss is TRL's.
KL is the k3 estimator against the starting model: the base with the adapter disabled, or the
starting adapter of a continued job loaded beside the trained one, so no second copy of the base
is held.

Sampling draws from torch's global generator, which the recipe seeds and saves in every
checkpoint, so a resumed run samples what an uninterrupted one would. Validation is greedy and
touches no generator. A grader that fails on a sample gives it reward 0; the step's metrics
count such samples (`grader_errors`) and the first few are reported as warning events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from peft import PeftModelForCausalLM
from transformers import PreTrainedTokenizerBase

from service.datasets.errors import DatasetParam
from service.datasets.loading import DataReport
from service.datasets.reinforcement import Prompt, load_prompts
from service.datasets.tokenize import IGNORE_INDEX, EncodedExample
from service.graders import grading
from service.graders.sandbox import PythonSandbox
from service.graders.schemas import parse_grader
from service.graders.templates import Sample
from service.training.grader_models import LocalModelSampler
from service.training.hyperparameters import ResolvedHyperparameters
from service.training.objective import (
    Batching,
    MicroLoss,
    ObjectiveState,
    RunContext,
    TrainedModel,
    decode_text,
    generate,
    micro_batches,
    token_logps,
)

# TRL's constant: keeps a group whose rewards are all equal at advantage 0, not 0/0.
ADVANTAGE_EPSILON = 1e-4
REFERENCE_ADAPTER = "reference"
MAX_GRADER_ERROR_EVENTS = 5
# Validation prompts sampled together in one generate call.
EVALUATION_PROMPTS_PER_PASS = 32


@dataclass(frozen=True)
class GRPOLoss:
    """Per-completion loss, and the per-completion mean KL (zero when beta is 0)."""

    losses: torch.Tensor
    kl: torch.Tensor


def group_advantages(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    """Each reward normalised within its group of `group_size` consecutive completions."""
    grouped = rewards.view(-1, group_size)
    mean = grouped.mean(dim=1, keepdim=True)
    std = grouped.std(dim=1, keepdim=True)  # unbiased, as TRL's nanstd
    return ((grouped - mean) / (std + ADVANTAGE_EPSILON)).view(-1)


def grpo_loss(
    per_token_logps: torch.Tensor,
    old_per_token_logps: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    *,
    epsilon: float,
    beta: float,
    ref_per_token_logps: torch.Tensor | None = None,
) -> GRPOLoss:
    """The clipped GRPO loss of each completion, from per-token log-probabilities (rows x
    tokens; `mask` marks the completion's tokens)."""
    ratio = torch.exp(per_token_logps - old_per_token_logps)
    clipped = torch.clamp(ratio, 1 - epsilon, 1 + epsilon)
    weights = advantages.unsqueeze(1)
    per_token = -torch.min(ratio * weights, clipped * weights)
    kl = torch.zeros_like(per_token)
    if beta != 0.0:
        if ref_per_token_logps is None:
            raise ValueError("a KL term needs the reference log-probabilities")
        delta = ref_per_token_logps - per_token_logps
        kl = torch.exp(delta) - delta - 1
        per_token = per_token + beta * kl
    mask = mask.to(per_token.dtype)
    lengths = mask.sum(dim=1).clamp(min=1.0)
    return GRPOLoss(
        losses=(per_token * mask).sum(dim=1) / lengths,
        kl=((kl * mask).sum(dim=1) / lengths).detach(),
    )


@dataclass(frozen=True)
class Rollout:
    """One sampled completion of a prompt, with its reward."""

    prompt: Prompt
    completion: list[int]
    reward: float
    grader_error: bool


class ReinforcementObjective:
    """GRPO on the LoRA, rewarded by the job's grader."""

    def __init__(
        self, hyperparameters: ResolvedHyperparameters, batching: Batching, run: RunContext
    ):
        settings = hyperparameters.reinforcement
        if settings is None:
            raise ValueError("a reinforcement run needs reinforcement's hyperparameters")
        self.batching = batching
        self.run = run
        self.group_size = settings.num_generations
        self.beta = settings.beta
        self.epsilon = settings.epsilon
        self.temperature = settings.temperature
        self.max_completion_tokens = settings.max_completion_tokens
        self.eval_interval = settings.eval_interval
        self.eval_samples = settings.eval_samples
        if run.grader is None:
            raise ValueError("a reinforcement job needs a grader")
        self.grader = parse_grader(run.grader)
        sandbox = PythonSandbox(run.python_graders) if run.python_graders is not None else None
        sampler = (
            LocalModelSampler(run.grader_models, device=batching.device, autocast=batching.autocast)
            if run.grader_models
            else None
        )
        self.grading = grading.GradingContext(sampler=sampler, python=sandbox)
        # One loop for the whole run: the sandbox's concurrency limit belongs to a loop.
        self._loop = asyncio.new_event_loop()
        self._reference_adapter = False
        self._grader_error_events = 0
        tokenizer = run.tokenizer
        self.eos_token_id = int(tokenizer.eos_token_id)
        self.pad_token_id = int(tokenizer.pad_token_id)

    @staticmethod
    def load(
        path: Path,
        tokenizer: PreTrainedTokenizerBase,
        *,
        context_length: int,
        param: DatasetParam,
        warn: Callable[[str], None],
    ) -> tuple[list[Prompt], DataReport]:
        """The file's prompts; one that leaves no room for a completion is skipped."""
        return load_prompts(
            path,
            tokenizer,
            context_length=context_length,
            completion_tokens=1,
            param=param,
            warn=warn,
        )

    def length(self, example: Prompt) -> int:
        """The prompt with a completion of the longest length sampled."""
        return len(example.input_ids) + self.max_completion_tokens

    def prepare(
        self,
        model: TrainedModel,
        train: list[Prompt],
        valid: list[Prompt],
        state: ObjectiveState | None,
    ) -> tuple[list[Prompt], list[Prompt]]:
        """With a KL term, a continued job's starting adapter is loaded beside the trained one,
        frozen, as the reference."""
        if self.beta != 0.0 and self.run.starting_adapter_dir is not None:
            model = _as_peft(model)
            model.load_adapter(str(self.run.starting_adapter_dir), adapter_name=REFERENCE_ADAPTER)
            model.set_adapter("default")
            self._reference_adapter = True
        return train, valid

    def state_dict(self) -> ObjectiveState:
        """Nothing beyond the recipe's: sampling's generator state is saved with the RNG."""
        return {}

    def validation_plan(self, total_steps: int, batch_size: int) -> tuple[int, int]:
        """Every eval_interval steps, on eval_samples prompts."""
        return self.eval_interval, self.eval_samples

    def micro_batches(self, batch: Sequence[Prompt]) -> Iterator[list[Prompt]]:
        """num_generations rows per prompt."""
        return micro_batches(batch, self.length, rows_per_item=self.group_size)

    def normaliser(self, batch: Sequence[Prompt]) -> int:
        """The batch's completions: the loss is the mean over completions, as in TRL."""
        return len(batch) * self.group_size

    def loss(self, model: TrainedModel, micro: Sequence[Prompt]) -> MicroLoss:
        """Sample and grade each prompt's group, then the summed GRPO loss of its completions."""
        rollouts = self._rollouts(model, micro, greedy=False)
        rewards = torch.tensor([r.reward for r in rollouts], dtype=torch.float32)
        advantages = group_advantages(rewards, self.group_size).to(self.batching.device)
        rows = [_row(rollout) for rollout in rollouts]
        logits, labels = self.batching.logits(model, rows)
        per_token, mask = token_logps(logits, labels)
        reference = None
        if self.beta != 0.0:
            with torch.no_grad(), self._reference_model(_as_peft(model)):
                reference_logits, _ = self.batching.logits(model, rows)
                reference, _ = token_logps(reference_logits, labels)
        result = grpo_loss(
            per_token,
            per_token.detach(),
            advantages.to(per_token.dtype),
            mask,
            epsilon=self.epsilon,
            beta=self.beta,
            ref_per_token_logps=reference,
        )
        loss = result.losses.sum()
        sums = {
            "loss": loss.item(),
            "kl": result.kl.sum().item(),
            **_reward_sums(rollouts),
        }
        return MicroLoss(loss, sums, sum(len(row.input_ids) for row in rows))

    def metrics(self, sums: Mapping[str, float], batch: Sequence[Prompt]) -> dict[str, float]:
        """Per-completion means of loss and reward, the reward's spread over the batch, and
        the number of samples a grader failed on."""
        n = max(len(batch) * self.group_size, 1)
        result = {"loss": sums["loss"] / n, **_reward_metrics(sums, n)}
        if self.beta != 0.0:
            result["kl"] = sums["kl"] / n
        return result

    @torch.no_grad()
    def evaluate(self, model: TrainedModel, examples: Sequence[Prompt]) -> dict[str, float]:
        """The greedy completion of each prompt, graded: the validation reward."""
        rollouts = [
            rollout
            for start in range(0, len(examples), EVALUATION_PROMPTS_PER_PASS)
            for rollout in self._rollouts(
                model, examples[start : start + EVALUATION_PROMPTS_PER_PASS], greedy=True
            )
        ]
        return _reward_metrics(_reward_sums(rollouts), max(len(rollouts), 1))

    # sampling and grading

    def _rollouts(
        self, model: TrainedModel, prompts: Sequence[Prompt], *, greedy: bool
    ) -> list[Rollout]:
        """Each prompt's completions, graded, grouped by prompt in the prompts' order."""
        groups = self._sample(model, prompts, greedy=greedy)
        pairs = [
            (prompt, completion)
            for prompt, group in zip(prompts, groups, strict=True)
            for completion in group
        ]
        texts = [
            decode_text(self.run.tokenizer, [t for t in completion if t != self.eos_token_id])
            for _, completion in pairs
        ]
        results = self._loop.run_until_complete(
            self._grade_all(texts, [prompt.item for prompt, _ in pairs])
        )
        rollouts = []
        for (prompt, completion), result in zip(pairs, results, strict=True):
            failed = _failed(result)
            if failed:
                self._report_grader_error(result)
            rollouts.append(
                Rollout(prompt, completion, 0.0 if failed else float(result.reward), failed)
            )
        return rollouts

    @torch.no_grad()
    def _sample(
        self, model: TrainedModel, prompts: Sequence[Prompt], *, greedy: bool
    ) -> list[list[list[int]]]:
        """Completions of each prompt by the model as it is now, in one `generate`:
        num_generations sampled, or one greedy. Prompts are left-padded; generate counts
        positions from each prompt's first token, as training's right-padded rows do."""
        was_training = model.training
        model.eval()  # no dropout: the completions are the policy's, not a noisy copy's
        width = max(len(prompt.input_ids) for prompt in prompts)
        budget = min(self.max_completion_tokens, self.run.context_length - width)
        input_ids = torch.full((len(prompts), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            input_ids[row, width - len(prompt.input_ids) :] = torch.tensor(prompt.input_ids)
            attention_mask[row, width - len(prompt.input_ids) :] = 1
        per_prompt = 1 if greedy else self.group_size
        options: dict[str, bool | float | int] = (
            {"do_sample": False}
            if greedy
            else {"do_sample": True, "temperature": self.temperature, "top_k": 0, "top_p": 1.0}
        )
        with self.batching.autocast():
            output = generate(
                model,
                input_ids=input_ids.to(self.batching.device),
                attention_mask=attention_mask.to(self.batching.device),
                max_new_tokens=max(1, budget),
                eos_token_id=self.eos_token_id,
                pad_token_id=self.pad_token_id,
                num_return_sequences=per_prompt,
                **options,
            )
        model.train(was_training)
        # generate repeats each prompt num_return_sequences times in a row.
        completions = [_until_eos(row, self.eos_token_id) for row in output[:, width:]]
        return [
            completions[index * per_prompt : (index + 1) * per_prompt]
            for index in range(len(prompts))
        ]

    async def _grade_all(
        self, texts: list[str], items: list[dict[str, Any]]
    ) -> list[grading.GraderResult]:
        samples = [Sample.from_text(text) for text in texts]
        return await asyncio.gather(
            *(
                grading.grade(self.grader, sample, item, self.grading)
                for sample, item in zip(samples, items, strict=True)
            )
        )

    def _report_grader_error(self, result: grading.GraderResult) -> None:
        self._grader_error_events += 1
        if self._grader_error_events > MAX_GRADER_ERROR_EVENTS:
            return
        flags = [key for key, value in result.errors.model_dump().items() if value is True]
        details = result.errors.python_grader_runtime_error_details
        message = f"The grader failed on a sample ({', '.join(flags)}); it counts as reward 0"
        if details:
            message += f": {details[:300]}"
        if self._grader_error_events == MAX_GRADER_ERROR_EVENTS:
            message += ". Further grader failures are counted in grader_errors only"
        self.run.warn(message)

    def _reference_model(self, model: PeftModelForCausalLM) -> AbstractContextManager[None]:
        if self._reference_adapter:
            return _adapter(model, REFERENCE_ADAPTER)
        return model.disable_adapter()


def _as_peft(model: TrainedModel) -> PeftModelForCausalLM:
    """The run's model as the LoRA it always is here (reinforcement trains no full model)."""
    if not isinstance(model, PeftModelForCausalLM):
        raise ValueError("reinforcement jobs train a LoRA adapter only")
    return model


@contextmanager
def _adapter(model: PeftModelForCausalLM, name: str) -> Iterator[None]:
    """Another loaded adapter active for a forward pass; the trained one after (set_adapter
    also gives requires_grad back to the trained adapter alone)."""
    model.set_adapter(name)
    try:
        yield
    finally:
        model.set_adapter("default")


def _until_eos(tokens: torch.Tensor, eos_token_id: int) -> list[int]:
    """A completion up to and including its first end of turn (TRL masks after it too)."""
    values = tokens.tolist()
    if eos_token_id in values:
        return values[: values.index(eos_token_id) + 1]
    return values


def _row(rollout: Rollout) -> EncodedExample:
    """Prompt and completion as one training row whose only labels are the completion's."""
    prompt = rollout.prompt.input_ids
    return EncodedExample(
        input_ids=[*prompt, *rollout.completion],
        labels=[IGNORE_INDEX] * len(prompt) + list(rollout.completion),
        truncated=False,
        n_trainable=len(rollout.completion),
    )


def _failed(result: grading.GraderResult) -> bool:
    return any(value is True for value in result.errors.model_dump().values())


def _reward_sums(rollouts: Sequence[Rollout]) -> dict[str, float]:
    return {
        "reward": sum(r.reward for r in rollouts),
        "reward_squared": sum(r.reward**2 for r in rollouts),
        "completion_tokens": float(sum(len(r.completion) for r in rollouts)),
        "grader_errors": float(sum(r.grader_error for r in rollouts)),
    }


def _reward_metrics(sums: Mapping[str, float], n: int) -> dict[str, float]:
    mean = sums["reward"] / n
    variance = max(sums["reward_squared"] / n - mean**2, 0.0)
    return {
        "reward_mean": mean,
        "reward_std": variance**0.5,
        "completion_length": sums["completion_tokens"] / n,
        "grader_errors": sums["grader_errors"],
    }
