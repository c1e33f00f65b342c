"""Training throughput: Whetstone's recipe against a plain transformers.Trainer + peft script.

Both train the same LoRA (rank 16, all linear layers) on the emulator model, on the same
variable-length chat data encoded the same way, for the same epochs, batch size, learning rate
and warmup, on the CPU (Trainer's linear schedule decays to 0, ours to 10% of the
peak). Prints non-padding tokens per second for each, the ratio, and the final
training losses. Run: .venv/bin/python bench/training_throughput.py [--examples N] [--epochs E]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from service.catalog import EMULATOR_NAME, Catalog
from service.datasets.loading import load_examples
from service.training.contract import TrainingSpec
from service.training.hyperparameters import learning_rate, resolve_hyperparameters
from service.training.recipe import (
    MAX_GRAD_NORM,
    WARMUP_FRACTION,
    run_training,
)

WORDS = (
    "the", "model", "learns", "from", "examples", "and", "every", "blade", "is", "sharpened",
    "by", "stone", "while", "sea", "deep", "blue", "weather", "will", "clear", "evening",
)  # fmt: skip


def write_data(path: Path, n_examples: int, seed: int) -> None:
    """Chat examples whose prompt and reply lengths vary from a few words to about a hundred."""
    rng = random.Random(seed)
    with path.open("w") as handle:
        for _ in range(n_examples):
            prompt = " ".join(rng.choices(WORDS, k=rng.randint(3, 80)))
            reply = " ".join(rng.choices(WORDS, k=rng.randint(2, 100)))
            messages = [
                {"role": "user", "content": prompt},
                {"role": "assistant", "content": reply},
            ]
            handle.write(json.dumps({"messages": messages}) + "\n")


class QuietReporter:
    """Keeps the last step's metrics; never stops the run."""

    def __init__(self) -> None:
        self.last: dict[str, Any] = {}

    def event(self, message: str, *, level: str = "info") -> None:
        pass

    def started(self, **kwargs: Any) -> None:
        pass

    def metrics(self, data: dict[str, Any]) -> None:
        self.last = data

    def checkpoint(self, **kwargs: Any) -> None:
        pass

    def control(self) -> str:
        return "continue"


def run_whetstone(spec: TrainingSpec) -> tuple[float, int, float]:
    """Seconds, non-padding tokens trained on, and the final step's loss."""
    reporter = QuietReporter()
    started = time.perf_counter()
    outcome = run_training(spec, reporter)
    return time.perf_counter() - started, outcome.trained_tokens, reporter.last["train_loss"]


def run_trainer(spec: TrainingSpec, hyperparameters: dict[str, Any]) -> tuple[float, int, float]:
    """The same job as a plain Trainer script would write it."""
    from peft import LoraConfig, get_peft_model
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        DataCollatorForSeq2Seq,
        PrinterCallback,
        Trainer,
        TrainingArguments,
    )

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(spec.model_dir)
    examples, report = load_examples(
        spec.training_file, tokenizer, context_length=spec.base_model.context_length
    )
    dataset = [
        {"input_ids": e.input_ids, "attention_mask": [1] * len(e.input_ids), "labels": e.labels}
        for e in examples
    ]
    model = AutoModelForCausalLM.from_pretrained(spec.model_dir, dtype=torch.float32)
    model = get_peft_model(
        model,
        LoraConfig(
            task_type="CAUSAL_LM",
            r=hyperparameters["lora_rank"],
            lora_alpha=hyperparameters["lora_alpha"],
            lora_dropout=hyperparameters["lora_dropout"],
            target_modules=hyperparameters["lora_target_modules"],
        ),
    )
    total_steps = hyperparameters["n_epochs"] * -(-len(dataset) // hyperparameters["batch_size"])
    args = TrainingArguments(
        output_dir=str(spec.work_dir / "trainer"),
        per_device_train_batch_size=hyperparameters["batch_size"],
        num_train_epochs=hyperparameters["n_epochs"],
        learning_rate=learning_rate(hyperparameters, spec.base_model),
        lr_scheduler_type="linear",
        warmup_steps=max(1, round(WARMUP_FRACTION * total_steps)),
        weight_decay=0.0,
        max_grad_norm=MAX_GRAD_NORM,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=spec.seed,
        disable_tqdm=True,
        dataloader_num_workers=0,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=dataset,
        data_collator=DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100),
    )
    trainer.remove_callback(PrinterCallback)  # one printed dict per step drowns the result
    trainer.train()
    model.save_pretrained(spec.work_dir / "trainer-adapter", save_embedding_layers=False)
    elapsed = time.perf_counter() - started
    losses = [row["loss"] for row in trainer.state.log_history if "loss" in row]
    return elapsed, report.n_tokens * hyperparameters["n_epochs"], losses[-1]


def main() -> None:
    """Run both, print tokens per second, the ratio and the final losses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        catalog = Catalog.load(data_dir=root / "data", models_file=None)
        entry = catalog.resolve(EMULATOR_NAME)
        train_file = root / "train.jsonl"
        write_data(train_file, args.examples, seed=0)
        requested = {"n_epochs": args.epochs, "batch_size": args.batch_size}
        hyperparameters = resolve_hyperparameters(requested, n_examples=args.examples, entry=entry)
        spec = TrainingSpec(
            job_id="bench",
            base_model=entry,
            model_dir=catalog.local_path(entry),
            training_file=train_file,
            validation_file=None,
            hyperparameters=requested,
            seed=0,
            device="cpu",
            work_dir=root / "work",
        )
        spec.work_dir.mkdir()
        print(
            f"{args.examples} chat examples, {args.epochs} epochs, batch {args.batch_size}, "
            f"LoRA r={hyperparameters['lora_rank']} {hyperparameters['lora_target_modules']}, "
            f"CPU, {args.threads} thread(s)"
        )
        base_seconds, base_tokens, base_loss = run_trainer(spec, hyperparameters)
        ours_seconds, ours_tokens, ours_loss = run_whetstone(spec)
    base_rate, ours_rate = base_tokens / base_seconds, ours_tokens / ours_seconds
    print(
        f"transformers.Trainer + peft: {base_rate:9.0f} tokens/s  ({base_tokens} tokens in "
        f"{base_seconds:.1f} s), final loss {base_loss:.4f}"
    )
    print(
        f"whetstone recipe:            {ours_rate:9.0f} tokens/s  ({ours_tokens} tokens in "
        f"{ours_seconds:.1f} s), final loss {ours_loss:.4f}"
    )
    print(f"ratio (whetstone / Trainer): {ours_rate / base_rate:.2f}x")


if __name__ == "__main__":
    main()
