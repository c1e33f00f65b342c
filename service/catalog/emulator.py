"""The built-in emulator model `whetstone-tiny`, built deterministically from a seed.

It is a small Llama-architecture causal LM with a byte-level BPE tokenizer and a ChatML chat
template. Nothing is downloaded: the tokenizer's merges are learned from a corpus embedded below,
and the weights are drawn from torch's generator seeded with EMULATOR_SEED.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

EMULATOR_NAME = "whetstone-tiny"
EMULATOR_SEED = 1729
# Bump when the recipe below changes, so that cached copies are rebuilt rather than reused.
EMULATOR_VERSION = 2
EMULATOR_CONTEXT_LENGTH = 1024

BOS_TOKEN = "<|begin_of_text|>"
EOS_TOKEN = "<|im_end|>"
PAD_TOKEN = "<|pad|>"
SPECIAL_TOKENS = [BOS_TOKEN, "<|end_of_text|>", "<|im_start|>", EOS_TOKEN, PAD_TOKEN]

# ChatML, the layout most open chat models use. Tools and tool calls render as JSON so that
# training files with `tools` and `tool_calls` tokenize without loss.
CHAT_TEMPLATE = (
    "{% if tools %}<|im_start|>tools\n{{ tools | tojson }}<|im_end|>\n{% endif %}"
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] %}{{ message['content'] }}{% endif %}"
    "{% if message.get('tool_calls') %}{{ message['tool_calls'] | tojson }}{% endif %}"
    "<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class _LlamaArchitecture(TypedDict):
    """The LlamaConfig arguments that fix the emulator's shape."""

    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    max_position_embeddings: int
    rms_norm_eps: float
    tie_word_embeddings: bool
    initializer_range: float


_ARCHITECTURE: _LlamaArchitecture = {
    "hidden_size": 128,
    "intermediate_size": 384,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 2 * EMULATOR_CONTEXT_LENGTH,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": True,
    # Five times transformers' default (0.02). With the default, the tied embeddings give logits
    # too flat for LoRA on the linear layers to sharpen: the loss stalled at 4.1 and sampling at
    # temperature 1 was noise. At 0.1 a 20-example job reaches a loss of 0.01.
    "initializer_range": 0.1,
}
_VOCAB_SIZE = 1024

# Text the tokenizer's merges are learned from: plain English, chat turns and JSON, so that
# common words and punctuation become single tokens.
_CORPUS = """\
The quick brown fox jumps over the lazy dog. Hello! How are you today? I am fine, thank you.
What is the capital of France? The capital of France is Paris. What is two plus two? Four.
You are a helpful assistant. Please answer the question. Sure, here is the answer you asked for.
The weather is sunny and warm. It will rain tomorrow in the morning and clear up by the evening.
Translate the following sentence into French. Summarize this paragraph in one sentence.
Write a short poem about the sea. The sea is deep and blue, and the waves are calling you.
user assistant system developer tool function content role name arguments tool_calls
{"role": "user", "content": "Hi"} {"role": "assistant", "content": "Hello, how can I help?"}
{"prompt": "Once upon a time", "completion": " there was a little robot who loved to learn."}
Whetstone fine-tunes models. The model learns from examples. Training, validation, epochs, loss.
This is a test. That was a good example. These are the results. Those were the days.
one two three four five six seven eight nine ten hundred thousand million first second third
I think that we should go there now because it is getting late and they are waiting for us.
Yes. No. Maybe. Of course! Thanks a lot. You're welcome. Good morning. Good night. Goodbye.
Python code: def main(): print("hello world") return 0. if x > 1 and y < 2: z = x + y
Numbers: 0 1 2 3 4 5 6 7 8 9 10 20 30 42 100 2024 3.14 -1 +1 = % $ # @ & * ( ) [ ] { } < > / \\
"""


# General text held out of everything the emulator is built from (the tokenizer's merges above,
# the weights): the reference set of the forgetting check (service/training/forgetting.py), and
# the small general set Whetstone ships for models of the models file that name none. Never
# feed it to _train_tokenizer: that would change the tokenizer, and so EMULATOR_VERSION.
REFERENCE_CORPUS = """\
The library opens at nine in the morning and closes at six in the evening on weekdays.
A river carries water from the mountains to the sea, shaping the valleys along the way.
She wrote a letter to her grandmother and posted it before the shop on the corner closed.
Most plants need sunlight, water and air to grow, and many of them also need good soil.
The train to the city was late again, so the passengers waited on the cold platform.
Cooking rice is simple: rinse it, add twice as much water, and let it simmer until soft.
In the winter the days are short, and in the summer the sun sets late in the evening.
He asked the teacher a question about the history of the old bridge over the river.
A good map shows the roads, the rivers, the towns and the hills of the whole region.
The children played in the park until it started to rain, and then they ran back home.
Music can make people feel happy or sad, and many songs tell stories about their lives.
When you travel abroad, remember to carry your passport and a little local money.
The doctor told him to drink more water, sleep well and walk for half an hour each day.
Bread is made from flour, water, salt and yeast, and it is baked in a very hot oven.
The meeting was moved to Thursday afternoon because the manager was away on Monday.
Stars look small from the earth, but many of them are much larger than our own sun.
"""


def _train_tokenizer() -> PreTrainedTokenizerFast:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=_VOCAB_SIZE,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    # The corpus repeated keeps pair counts well above min_frequency; BPE training is
    # deterministic for a fixed corpus.
    tokenizer.train_from_iterator(_CORPUS.splitlines() * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]  # transformers: unannotated
        tokenizer_object=tokenizer,
        bos_token=BOS_TOKEN,
        eos_token=EOS_TOKEN,
        pad_token=PAD_TOKEN,
        model_max_length=EMULATOR_CONTEXT_LENGTH,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_emulator(directory: Path, seed: int = EMULATOR_SEED) -> None:
    """Write the tokenizer and seeded random weights of the emulator model into `directory`."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # transformers: unannotated

    tokenizer = _train_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **_ARCHITECTURE,
    )
    generator_state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    finally:
        torch.random.set_rng_state(generator_state)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    (directory / "whetstone.json").write_text(
        json.dumps({"name": EMULATOR_NAME, "seed": seed, "version": EMULATOR_VERSION})
    )


def ensure_emulator(models_dir: Path, seed: int = EMULATOR_SEED) -> Path:
    """The emulator model's directory under `models_dir`, built on first use.

    Safe across processes: a file lock serialises builders, and a finished build is published
    with one rename, so a reader never sees a half-written model.
    """
    target = models_dir / f"{EMULATOR_NAME}-v{EMULATOR_VERSION}-seed{seed}"
    return _published(models_dir, target, lambda staging: build_emulator(staging, seed))


def ensure_emulator_tokenizer(models_dir: Path) -> Path:
    """A directory holding the emulator's tokenizer, built without torch on first use: the
    emulator's own directory once built, else the tokenizer alone (the same deterministic BPE)."""
    built = models_dir / f"{EMULATOR_NAME}-v{EMULATOR_VERSION}-seed{EMULATOR_SEED}"
    if (built / "whetstone.json").is_file():
        return built

    def build(directory: Path) -> None:
        _train_tokenizer().save_pretrained(directory)
        (directory / "whetstone.json").write_text(json.dumps({"name": EMULATOR_NAME}))

    return _published(
        models_dir, models_dir / f"{EMULATOR_NAME}-v{EMULATOR_VERSION}-tokenizer", build
    )


def _published(models_dir: Path, target: Path, build: Callable[[Path], None]) -> Path:
    """`target`, built by `build` into a staging directory and renamed, unless it exists.

    Safe across processes: a file lock serialises builders, and a finished build is published
    with one rename, so a reader never sees a half-written directory.
    """
    if (target / "whetstone.json").is_file():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with (models_dir / f".{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "whetstone.json").is_file():
            return target
        staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=f".{target.name}."))
        try:
            build(staging)
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target
