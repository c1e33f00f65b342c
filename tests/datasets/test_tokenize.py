"""Encoding examples: which tokens are trained, for any chat template."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from service.datasets.tokenize import IGNORE_INDEX, EncodedExample, encode_example

LLAMA3_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n"
    "{{ message['content'] | trim }}<|eot_id|>"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)


def trained_text(encoded: EncodedExample, tokenizer: Any) -> str:
    ids = [label for label in encoded.labels if label != IGNORE_INDEX]
    return tokenizer.decode(ids)


def conversation() -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "First question?"},
            {"role": "assistant", "content": "Bad first answer.", "weight": 0},
            {"role": "user", "content": "Second question?"},
            {"role": "assistant", "content": "Second answer.", "weight": 1},
        ]
    }


def test_only_weighted_assistant_replies_and_their_end_token_are_trained(
    tokenizer: Any,
) -> None:
    encoded = encode_example(conversation(), tokenizer, context_length=1024)
    rendered = tokenizer.apply_chat_template(conversation()["messages"], tokenize=False)
    assert tokenizer.decode(encoded.input_ids) == rendered
    assert trained_text(encoded, tokenizer) == "Second answer.<|im_end|>"
    assert encoded.n_trainable == sum(label != IGNORE_INDEX for label in encoded.labels)
    assert not encoded.truncated
    # Labels are the input ids wherever they are trained (the recipe shifts them).
    for token, label in zip(encoded.input_ids, encoded.labels, strict=True):
        assert label in (IGNORE_INDEX, token)


def test_every_assistant_reply_is_trained_by_default(tokenizer: Any) -> None:
    example = conversation()
    del example["messages"][2]["weight"]
    encoded = encode_example(example, tokenizer, context_length=1024)
    assert trained_text(encoded, tokenizer) == "Bad first answer.<|im_end|>Second answer.<|im_end|>"


def test_text_parts_are_joined(tokenizer: Any) -> None:
    example = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}],
            },
            {"role": "assistant", "content": [{"type": "text", "text": "Hello."}]},
        ]
    }
    encoded = encode_example(example, tokenizer, context_length=1024)
    assert "Hi there" in tokenizer.decode(encoded.input_ids)
    assert trained_text(encoded, tokenizer) == "Hello.<|im_end|>"


def test_tools_and_tool_calls_are_rendered_and_calls_trained(tokenizer: Any) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    example = {
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
            {"role": "assistant", "content": "Sunny."},
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather"}}],
    }
    encoded = encode_example(example, tokenizer, context_length=1024)
    assert tokenizer.decode(encoded.input_ids).startswith("<|im_start|>tools\n")
    trained = trained_text(encoded, tokenizer)
    assert '"get_weather"' in trained and trained.endswith("Sunny.<|im_end|>")
    assert "sunny" not in trained  # the tool's answer is input, not output


def test_prompt_completion_trains_the_completion_and_eos(tokenizer: Any) -> None:
    example = {"prompt": "Once upon a time", "completion": " there was a robot."}
    encoded = encode_example(example, tokenizer, context_length=1024)
    prompt_ids = tokenizer("Once upon a time")["input_ids"]
    assert encoded.labels[: len(prompt_ids)] == [IGNORE_INDEX] * len(prompt_ids)
    assert trained_text(encoded, tokenizer) == " there was a robot.<|im_end|>"
    assert encoded.input_ids[-1] == tokenizer.eos_token_id


def test_truncation_keeps_the_start_and_flags_it(tokenizer: Any) -> None:
    full = encode_example(conversation(), tokenizer, context_length=1024)
    cut = encode_example(conversation(), tokenizer, context_length=len(full.input_ids) - 3)
    assert cut.truncated
    assert cut.input_ids == full.input_ids[:-3]
    assert cut.labels == full.labels[:-3]
    assert cut.n_trainable == full.n_trainable - 2  # "<|im_end|>" and one reply token went
    assert not encode_example(
        conversation(), tokenizer, context_length=len(full.input_ids)
    ).truncated


@pytest.fixture(scope="module")
def llama3_tokenizer(tokenizer: Any) -> Any:
    """A copy of the emulator's tokenizer with a Llama-3-style template and its special tokens."""
    other = copy.deepcopy(tokenizer)
    other.add_special_tokens(
        {"additional_special_tokens": ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]}
    )
    other.chat_template = LLAMA3_TEMPLATE
    return other


def test_spans_do_not_depend_on_the_template(llama3_tokenizer: Any) -> None:
    example = conversation()
    example["messages"][4]["content"] = "  Second answer.  "  # the template trims
    encoded = encode_example(example, llama3_tokenizer, context_length=1024)
    assert llama3_tokenizer.decode(encoded.input_ids).startswith(
        "<|begin_of_text|><|start_header_id|>"
    )
    assert trained_text(encoded, llama3_tokenizer) == "Second answer.<|eot_id|>"
    masked_header = llama3_tokenizer.convert_tokens_to_ids("<|end_header_id|>")
    assert masked_header in encoded.input_ids
    assert masked_header not in [label for label in encoded.labels if label != IGNORE_INDEX]


def test_slow_path_without_offsets_trains_the_same_tokens(tokenizer: Any) -> None:
    class NoOffsets:
        """The emulator tokenizer seen as a slow tokenizer (no offset mapping)."""

        is_fast = False

        def __init__(self, inner: Any):
            self._inner = inner
            self.eos_token_id = inner.eos_token_id

        def apply_chat_template(self, *args: Any, **kwargs: Any) -> Any:
            return self._inner.apply_chat_template(*args, **kwargs)

        def __call__(self, text: str, **kwargs: Any) -> Any:
            return self._inner(text, **kwargs)

    fast = encode_example(conversation(), tokenizer, context_length=1024)
    slow = encode_example(conversation(), NoOffsets(tokenizer), context_length=1024)
    assert trained_text(slow, tokenizer) == trained_text(fast, tokenizer)
    assert tokenizer.decode(slow.input_ids) == tokenizer.decode(fast.input_ids)
