"""Step time of Whetstone's DPO and GRPO recipes against TRL's DPOTrainer and GRPOTrainer.

Both sides train the same LoRA (rank 16, alpha 16, dropout 0, all linear layers) on the emulator
model `whetstone-tiny`, on the CPU with one torch thread, with the same data, learning rate
(`learning_rate(hp, entry)`), AdamW (no weight decay), gradient clipping at 1.0, one warmup
step, fp32 and no activation checkpointing (TRL's configs turn it on by default; it is turned off
here, as ours has none), and the same number of optimizer steps:

- DPO: 20 preference pairs (OpenAI's preference format for ours, TRL's conversational
  prompt/chosen/rejected for TRL), sigmoid loss, beta 0.1, batch 4, 3 epochs (15 steps); the
  reference log-probabilities are precomputed before the first step on both sides (TRL's
  `precompute_ref_log_probs=True`), so no reference forward pass is timed.
- GRPO: 20 prompts whose `answer` is "yes", rewarded by a string_check grader (ours) or a python
  reward function making the same comparison (TRL); 4 prompts per optimizer step and 4
  completions of each (TRL 1.16 counts its batch in completions: per_device_train_batch_size =
  generation_batch_size = 16, so one generation per step), at most 8 completion tokens,
  temperature 1 (top_k 0, top_p 1), beta 0 (no KL, no reference model), loss_type "grpo",
  num_iterations 1, 2 epochs (10 steps). No vLLM: both sample with `model.generate`.

Timing excludes model loading, dataset preparation and the reference precompute on both sides,
and the first step too (its one-off warm-up): it is the wall time from the end of the first
optimizer step to the end of the last, divided by the steps in between. Ours is read from the
reporter's timestamps of the first and last metrics reports; TRL's from a TrainerCallback's
`on_step_end` timestamps. TRL logs once, after the last step (logging_steps = total steps), and
saves nothing; ours writes its end-of-epoch checkpoint (adapter and optimizer state) as the
service always does, so its figure is given with and without those saves (the time between an
epoch's last metrics report and its checkpoint report). TRL's LR decays linearly to 0, ours to
10% of the peak, which does not change the cost of a step.

Sanity figures: TRL's loss and reward are its logged means over all steps; ours are printed the
same way, and ours' last step as well. TRL is given the model object and tokenizer loaded from
the emulator's local directory, so nothing is downloaded.
On a busy machine pass --repeats 3: both sides then run alternately and each side's median run
is printed. On both GRPO sides most of a step is sampling, one `generate` call for the step's
16 completions.
Run: .venv/bin/python bench/method_step_time.py [--dpo-epochs E] [--grpo-epochs E]
[--threads N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from service.catalog import EMULATOR_NAME, BaseModelEntry, Catalog
from service.catalog.loading import load_model, load_tokenizer
from service.training.contract import TrainingSpec
from service.training.hyperparameters import learning_rate, resolve_hyperparameters
from service.training.recipe import MAX_GRAD_NORM, WARMUP_FRACTION, run_training

PROMPTS = (
    "What do you do?", "Tell me a fact.", "Hello!", "What is two plus two?", "Describe the sea.",
    "Who are you?", "Say something.", "What time is it?", "Give me advice.",
    "Why is the sky blue?", "Write a poem.", "Translate hello into French.",
    "What is the capital of France?", "How are you today?", "Summarize this paragraph.",
    "What is Python?", "Name a color.", "Count to three.", "Good morning!", "Thanks a lot.",
)  # fmt: skip
PREFERRED = "The whetstone sharpens every blade."
NON_PREFERRED = "I do not know."
ANSWER = "yes"
YES_GRADER = {
    "type": "string_check",
    "name": "yes",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}
LORA = {"lora_rank": 16, "lora_alpha": 16, "lora_dropout": 0.0, "lora_target_modules": "all-linear"}
DPO_BATCH = 4
DPO_BETA = 0.1
GRPO_PROMPTS_PER_STEP = 4
GRPO_GENERATIONS = 4
GRPO_COMPLETION_TOKENS = 8


@dataclass(frozen=True)
class Timing:
    """One side's run: steps taken, seconds per step, and sanity figures."""

    steps: int
    seconds_per_step: float
    # Ours only: seconds per step without the end-of-epoch checkpoint saves.
    seconds_per_step_no_saves: float | None
    mean_value: float
    last_value: float | None = None
    # GRPO: completion tokens per completion (end of turn included), mean over the steps.
    mean_length: float | None = None


class TimingReporter:
    """A TrainingReporter that timestamps every metrics and checkpoint report."""

    def __init__(self) -> None:
        self.steps: list[tuple[float, dict[str, Any]]] = []
        self.checkpoints: list[float] = []

    def event(self, message: str, *, level: str = "info") -> None:
        """Job events are not timed."""

    def started(self, **kwargs: Any) -> None:
        """Setup is not timed."""

    def metrics(self, data: dict[str, Any]) -> None:
        """One optimizer step's metrics, with when they came."""
        self.steps.append((time.perf_counter(), dict(data)))

    def checkpoint(self, **kwargs: Any) -> None:
        """When an end-of-epoch checkpoint was written."""
        self.checkpoints.append(time.perf_counter())

    def control(self) -> str:
        """Never stops the run."""
        return "continue"


def run_whetstone(spec: TrainingSpec, key: str, length_key: str | None = None) -> Timing:
    """Our recipe, timed from its first to its last metrics report; `key` is the sanity metric."""
    reporter = TimingReporter()
    run_training(spec, reporter)
    times = [stamp for stamp, _ in reporter.steps]
    first, last = times[0], times[-1]
    # A checkpoint report follows its epoch's last metrics report once the save is done.
    saves = 0.0
    for stamp in reporter.checkpoints:
        if first < stamp < last:
            saves += stamp - max(t for t in times if t < stamp)
    timed = len(times) - 1
    values = [data[key] for _, data in reporter.steps]
    lengths = [data[length_key] for _, data in reporter.steps] if length_key else []
    return Timing(
        steps=len(times),
        seconds_per_step=(last - first) / timed,
        seconds_per_step_no_saves=(last - first - saves) / timed,
        mean_value=sum(values) / len(values),
        last_value=values[-1],
        mean_length=sum(lengths) / len(lengths) if lengths else None,
    )


def step_clock() -> Any:
    """A TrainerCallback that records when each optimizer step ends."""
    from transformers import TrainerCallback

    class StepClock(TrainerCallback):
        """Timestamps of on_step_end."""

        def __init__(self) -> None:
            self.ends: list[float] = []

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            """Note when the step ended."""
            self.ends.append(time.perf_counter())

    return StepClock()


def trl_common(
    hp: dict[str, Any], entry: BaseModelEntry, work_dir: Path, steps: int
) -> dict[str, Any]:
    """TrainingArguments shared by both TRL configs: no eval, one log at the end, no saving."""
    return {
        "output_dir": str(work_dir),
        "num_train_epochs": hp["n_epochs"],
        "gradient_accumulation_steps": 1,
        "learning_rate": learning_rate(hp, entry),
        "lr_scheduler_type": "linear",
        "warmup_steps": max(1, round(WARMUP_FRACTION * steps)),
        "weight_decay": 0.0,
        "max_grad_norm": MAX_GRAD_NORM,
        "optim": "adamw_torch",
        "logging_steps": steps,
        "save_strategy": "no",
        "eval_strategy": "no",
        "report_to": "none",
        "use_cpu": True,
        "bf16": False,
        # TRL's configs default to activation (gradient) checkpointing; ours recomputes nothing.
        "activation_checkpointing": False,
        "seed": 0,
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
    }


def trl_lora(hp: dict[str, Any]) -> Any:
    """The same LoRA as ours, as a peft LoraConfig."""
    from peft import LoraConfig

    return LoraConfig(
        task_type="CAUSAL_LM",
        r=hp["lora_rank"],
        lora_alpha=hp["lora_alpha"],
        lora_dropout=hp["lora_dropout"],
        target_modules=hp["lora_target_modules"],
    )


def run_trl(trainer: Any, clock: Any, key: str, length_key: str | None = None) -> Timing:
    """Train, timed from the end of the first step to the end of the last."""
    from transformers import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # the one log line would only clutter the output
    trainer.train()
    ends = clock.ends
    logged = [row for row in trainer.state.log_history if key in row]
    return Timing(
        steps=trainer.state.global_step,
        seconds_per_step=(ends[-1] - ends[0]) / (len(ends) - 1),
        seconds_per_step_no_saves=None,
        mean_value=logged[-1][key],
        mean_length=logged[-1][length_key] if length_key else None,
    )


def trl_dpo(model_dir: Path, hp: dict[str, Any], entry: BaseModelEntry, work_dir: Path) -> Timing:
    """TRL's DPOTrainer on the same pairs, as its conversational preference dataset."""
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    rows = [
        {
            "prompt": [{"role": "user", "content": prompt}],
            "chosen": [{"role": "assistant", "content": PREFERRED}],
            "rejected": [{"role": "assistant", "content": NON_PREFERRED}],
        }
        for prompt in PROMPTS
    ]
    steps = hp["n_epochs"] * -(-len(rows) // hp["batch_size"])
    config = DPOConfig(
        **trl_common(hp, entry, work_dir, steps),
        per_device_train_batch_size=hp["batch_size"],
        beta=hp["beta"],
        loss_type=["sigmoid"],
        precompute_ref_log_probs=True,
        max_length=entry.context_length,
    )
    clock = step_clock()
    trainer = DPOTrainer(
        model=load_model(model_dir, device="cpu"),
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=load_tokenizer(model_dir),
        peft_config=trl_lora(hp),
        callbacks=[clock],
    )
    return run_trl(trainer, clock, "loss")


def yes_reward(completions: list[list[dict[str, str]]], answer: list[str], **_: Any) -> list[float]:
    """1.0 where the completion's text equals the item's answer: the string_check grader."""
    return [float(c[0]["content"] == a) for c, a in zip(completions, answer, strict=True)]


def trl_grpo(model_dir: Path, hp: dict[str, Any], entry: BaseModelEntry, work_dir: Path) -> Timing:
    """TRL's GRPOTrainer on the same prompts, rewarded by the same comparison."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    rows = [{"prompt": [{"role": "user", "content": p}], "answer": ANSWER} for p in PROMPTS]
    steps = hp["n_epochs"] * -(-len(rows) // hp["batch_size"])
    completions_per_step = hp["batch_size"] * hp["num_generations"]
    config = GRPOConfig(
        **trl_common(hp, entry, work_dir, steps),
        # TRL counts completions: batch_size prompts times num_generations, generated at once.
        per_device_train_batch_size=completions_per_step,
        generation_batch_size=completions_per_step,
        num_generations=hp["num_generations"],
        max_completion_length=hp["max_completion_tokens"],
        temperature=hp["temperature"],
        top_p=1.0,
        top_k=0,
        beta=hp["beta"],
        epsilon=hp["epsilon"],
        num_iterations=1,
        loss_type="grpo",
        scale_rewards="group",
        use_vllm=False,
        log_completions=False,
    )
    clock = step_clock()
    trainer = GRPOTrainer(
        model=load_model(model_dir, device="cpu"),
        reward_funcs=yes_reward,
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=load_tokenizer(model_dir),
        peft_config=trl_lora(hp),
        callbacks=[clock],
    )
    return run_trl(trainer, clock, "reward", "completions/mean_length")


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """One JSON object per line."""
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def make_spec(
    work_dir: Path, catalog: Catalog, method: str, train_file: Path, requested: dict[str, Any]
) -> TrainingSpec:
    """A TrainingSpec for our recipe on the emulator, in a fresh work directory."""
    entry = catalog.resolve(EMULATOR_NAME)
    work_dir.mkdir()
    return TrainingSpec(
        job_id=f"bench-{method}",
        base_model=entry,
        model_dir=catalog.local_path(entry),
        training_file=train_file,
        validation_file=None,
        hyperparameters=requested,
        seed=0,
        device="cpu",
        work_dir=work_dir,
        method=method,  # type: ignore[arg-type]
        grader=YES_GRADER if method == "reinforcement" else None,
    )


def median(timings: list[Timing]) -> Timing:
    """The run of median seconds per step (the lower middle one of an even count)."""
    return sorted(timings, key=lambda t: t.seconds_per_step)[(len(timings) - 1) // 2]


def report(trl_name: str, key: str, theirs: Timing, ours: Timing) -> None:
    """Print both sides' seconds per step, the ratios and the sanity figures."""

    def length(timing: Timing) -> str:
        """The completion length, where there is one."""
        return "" if timing.mean_length is None else f", {timing.mean_length:.2f} tokens/completion"

    label = f"TRL {trl_name}:"
    print(
        f"  {label:18} {theirs.seconds_per_step:6.3f} s/step  ({theirs.steps} steps), "
        f"mean {key} {theirs.mean_value:.4f}{length(theirs)}"
    )
    print(
        f"  {'whetstone recipe:':18} {ours.seconds_per_step:6.3f} s/step  ({ours.steps} steps; "
        f"{ours.seconds_per_step_no_saves:.3f} without end-of-epoch checkpoints), "
        f"mean {key} {ours.mean_value:.4f}{length(ours)}, last step {ours.last_value:.4f}"
    )
    ratio = ours.seconds_per_step / theirs.seconds_per_step
    ratio_no_saves = (ours.seconds_per_step_no_saves or 0.0) / theirs.seconds_per_step
    print(
        f"  time per step, ours / TRL: {ratio:.2f}x ({ratio_no_saves:.2f}x without checkpoints); "
        f"TRL / ours: {1 / ratio:.2f}x ({1 / ratio_no_saves:.2f}x)"
    )


def _quiet() -> None:
    """No progress bars from datasets, no deprecation warnings from transformers and TRL."""
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    os.environ["TQDM_DISABLE"] = "1"  # TRL's reference precompute reads it
    warnings.filterwarnings("ignore", category=FutureWarning)


def main() -> None:
    """Run DPO and GRPO on both sides; print seconds per step, the ratios and sanity figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpo-epochs", type=int, default=3)
    parser.add_argument("--grpo-epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--repeats", type=int, default=1, help="runs of each side; the median one is printed"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    _quiet()

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        catalog = Catalog.load(data_dir=root / "data", models_file=None)
        entry = catalog.resolve(EMULATOR_NAME)
        model_dir = catalog.local_path(entry)

        dpo_file = write_jsonl(
            root / "pairs.jsonl",
            [
                {
                    "input": {"messages": [{"role": "user", "content": prompt}]},
                    "preferred_output": [{"role": "assistant", "content": PREFERRED}],
                    "non_preferred_output": [{"role": "assistant", "content": NON_PREFERRED}],
                }
                for prompt in PROMPTS
            ],
        )
        dpo_requested = {
            "n_epochs": args.dpo_epochs,
            "batch_size": DPO_BATCH,
            "beta": DPO_BETA,
            **LORA,
        }
        dpo_hp = resolve_hyperparameters(
            dpo_requested, n_examples=len(PROMPTS), entry=entry, method="dpo"
        )
        print(
            f"DPO: {len(PROMPTS)} pairs, {args.dpo_epochs} epochs, batch {DPO_BATCH}, "
            f"beta {DPO_BETA}, lr {learning_rate(dpo_hp, entry):g}, LoRA r=16 alpha=16 "
            f"all-linear, CPU, {args.threads} thread(s), median of {args.repeats} run(s) each"
        )
        theirs, ours = [], []
        for run in range(args.repeats):  # alternating, so that a busy spell hits both sides
            theirs.append(trl_dpo(model_dir, dpo_hp, entry, root / f"trl-dpo-{run}"))
            spec = make_spec(root / f"dpo-{run}", catalog, "dpo", dpo_file, dpo_requested)
            ours.append(run_whetstone(spec, "train_loss"))
        report("DPOTrainer", "loss", median(theirs), median(ours))

        grpo_file = write_jsonl(
            root / "prompts.jsonl",
            [{"messages": [{"role": "user", "content": p}], "answer": ANSWER} for p in PROMPTS],
        )
        grpo_requested = {
            "n_epochs": args.grpo_epochs,
            "batch_size": GRPO_PROMPTS_PER_STEP,
            "num_generations": GRPO_GENERATIONS,
            "max_completion_tokens": GRPO_COMPLETION_TOKENS,
            "temperature": 1.0,
            "beta": 0.0,
            **LORA,
        }
        grpo_hp = resolve_hyperparameters(
            grpo_requested, n_examples=len(PROMPTS), entry=entry, method="reinforcement"
        )
        print(
            f"GRPO: {len(PROMPTS)} prompts, {args.grpo_epochs} epochs, {GRPO_PROMPTS_PER_STEP} "
            f"prompts x {GRPO_GENERATIONS} completions per step, <= {GRPO_COMPLETION_TOKENS} "
            f"tokens, lr {learning_rate(grpo_hp, entry):g}, loss grpo, beta 0"
        )
        theirs, ours = [], []
        for run in range(args.repeats):
            theirs.append(trl_grpo(model_dir, grpo_hp, entry, root / f"trl-grpo-{run}"))
            spec = make_spec(
                root / f"grpo-{run}", catalog, "reinforcement", grpo_file, grpo_requested
            )
            ours.append(run_whetstone(spec, "train_reward_mean", "train_completion_length"))
        report("GRPOTrainer", "reward", median(theirs), median(ours))


if __name__ == "__main__":
    main()
