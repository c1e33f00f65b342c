"""Turning one validated example into token ids and loss labels, for any chat template.

Which tokens are trained is found by rendering the conversation incrementally: the text of
messages[:i] with the generation prompt marks where assistant message i starts, the text of
messages[:i+1] where it ends. That works with whatever template the base tokenizer ships,
without `{% generation %}` markers, which most templates lack. The character spans are then
mapped onto the tokens of the full rendering through the fast tokenizer's offsets, so token
merges across a boundary cannot shift them. No torch here: the tokenizer is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any, cast

from pydantic import JsonValue

from service.core.wire import JSONObject
from service.datasets.chat import SupervisedLine
from service.datasets.messages import ChatLine

if TYPE_CHECKING:
    # Only for the annotations: this module runs in the API process too, which never imports
    # transformers (the tokenizer is passed in).
    from transformers import PreTrainedTokenizerBase

IGNORE_INDEX = -100


@dataclass(frozen=True)
class EncodedExample:
    """One example as the model sees it; `labels` is IGNORE_INDEX wherever no loss is taken."""

    input_ids: list[int]
    labels: list[int]
    truncated: bool
    n_trainable: int


def encode_example(
    example: SupervisedLine, tokenizer: PreTrainedTokenizerBase, *, context_length: int
) -> EncodedExample:
    """Tokens and labels of a chat or prompt-completion example, cut to `context_length`."""
    if "messages" in example:
        input_ids, labels = _encode_chat(example, tokenizer)
    else:
        input_ids, labels = _encode_completion(example["prompt"], example["completion"], tokenizer)
    truncated = len(input_ids) > context_length
    if truncated:
        # Keep the start: the prompt is what the trained reply depends on.
        input_ids, labels = input_ids[:context_length], labels[:context_length]
    n_trainable = sum(label != IGNORE_INDEX for label in labels)
    return EncodedExample(input_ids, labels, truncated, n_trainable)


def template_messages(messages: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    """Messages as chat templates expect them: text parts joined, the training `weight` dropped."""
    rendered = []
    for message in messages:
        copy = {key: value for key, value in message.items() if key != "weight"}
        content = copy.get("content")
        if isinstance(content, list):
            copy["content"] = "".join(
                str(part.get("text", part.get("refusal", "")))
                for part in content
                if isinstance(part, dict)
            )
        rendered.append(copy)
    return rendered


# Any: the data report passes lines it has not typed; every format's line fits.
def template_tools(example: Mapping[str, Any]) -> list[JSONObject] | None:
    """The example's tools; legacy `functions` become function tools so templates show them."""
    if example.get("tools"):
        return list(example["tools"])
    if example.get("functions"):
        return [{"type": "function", "function": function} for function in example["functions"]]
    return None


def render_chat(
    tokenizer: PreTrainedTokenizerBase,
    messages: Sequence[Mapping[str, object]],
    tools: Sequence[JSONObject] | None,
    *,
    add_generation_prompt: bool,
) -> str:
    """The chat template's text of `messages`, already as template_messages renders them."""
    # transformers' annotation of tools also admits Python functions, hence the wider list.
    tool_list: list[dict[str, JsonValue] | Callable[..., object]] | None = (
        None if tools is None else list(tools)
    )
    text = tokenizer.apply_chat_template(
        # transformers annotates a conversation as str-valued; templates read any JSON.
        cast("list[dict[str, str]]", list(messages)),
        tools=tool_list,
        tokenize=False,
        add_generation_prompt=add_generation_prompt,
    )
    assert isinstance(text, str)  # tokenize=False
    return text


def _common_prefix(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    if a[:limit] == b[:limit]:
        return limit
    index = 0
    while index < limit and a[index] == b[index]:
        index += 1
    return index


def _assistant_spans(
    example: ChatLine,
    tokenizer: PreTrainedTokenizerBase,
    messages: list[dict[str, object]],
    tools: list[JSONObject] | None,
    full: str,
) -> list[tuple[int, int]]:
    """Character spans of `full` holding each trained assistant message and its end of turn."""
    spans = []
    for index, original in enumerate(example["messages"]):
        if original["role"] != "assistant" or original.get("weight", 1) == 0:
            continue
        try:
            before = render_chat(tokenizer, messages[:index], tools, add_generation_prompt=True)
        except Exception:
            # Some templates refuse an empty or assistant-ending prefix; the previous turn's
            # end is then the best start we know.
            before = render_chat(tokenizer, messages[:index], tools, add_generation_prompt=False)
        through = render_chat(tokenizer, messages[: index + 1], tools, add_generation_prompt=False)
        # Common prefixes rather than lengths: a template that renders earlier turns
        # differently once later ones exist still yields sane, slightly shorter spans.
        start = _common_prefix(before, full)
        end = _common_prefix(through, full)
        # The separator after the end-of-turn token is not the model's to emit.
        while end > start and full[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def _encode_chat(
    example: ChatLine, tokenizer: PreTrainedTokenizerBase
) -> tuple[list[int], list[int]]:
    messages = template_messages(example["messages"])
    tools = template_tools(example)
    full = render_chat(tokenizer, messages, tools, add_generation_prompt=False)
    spans = _assistant_spans(example, tokenizer, messages, tools, full)
    if getattr(tokenizer, "is_fast", False):
        encoded = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
        input_ids: list[int] = list(encoded["input_ids"])
        labels = [
            token if _in_spans(begin, finish, spans) else IGNORE_INDEX
            for token, (begin, finish) in zip(input_ids, encoded["offset_mapping"], strict=True)
        ]
        return input_ids, labels
    # Slow tokenizers have no offsets: tokenize the pieces between span edges separately.
    input_ids, labels = [], []
    edges = [0, *[edge for span in spans for edge in span], len(full)]
    for piece_index, (begin, finish) in enumerate(pairwise(edges)):
        ids: list[int] = tokenizer(full[begin:finish], add_special_tokens=False)["input_ids"]
        input_ids += ids
        labels += ids if piece_index % 2 == 1 else [IGNORE_INDEX] * len(ids)
    return input_ids, labels


def _in_spans(begin: int, finish: int, spans: list[tuple[int, int]]) -> bool:
    if finish == begin:  # zero-width tokens (some added tokens) sit at a point
        return any(start <= begin < end for start, end in spans)
    return any(finish > start and begin < end for start, end in spans)


def _encode_completion(
    prompt: str, completion: str, tokenizer: PreTrainedTokenizerBase
) -> tuple[list[int], list[int]]:
    # Prompt and completion are tokenized apart, as /v1/completions tokenizes a prompt before
    # generating; the eos token teaches the model where a completion stops.
    prompt_ids: list[int] = list(tokenizer(prompt, add_special_tokens=True)["input_ids"])
    completion_ids: list[int] = list(tokenizer(completion, add_special_tokens=False)["input_ids"])
    eos_token_id: int | None = tokenizer.eos_token_id
    if eos_token_id is not None:
        completion_ids.append(eos_token_id)
    return prompt_ids + completion_ids, [IGNORE_INDEX] * len(prompt_ids) + completion_ids
