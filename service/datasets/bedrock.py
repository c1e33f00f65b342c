"""Bedrock's training lines, turned line for line into the OpenAI lines our methods train on.

Bedrock documents three shapes:

- `{"prompt", "completion"}`: already OpenAI's prompt-completion pair, kept as is;
- `bedrock-conversation-2024`: `{"schemaVersion", "system": [{"text"}], "messages": [{"role",
  "content": [{"text"}]}]}`, which becomes `{"messages": [...]}` with a system message first;
- `{"input"}` (continued pre-training): plain text, trained on every token, which becomes the
  prompt-completion pair `{"prompt": "", "completion": input}` (prompt-completion pairs are
  tokenized without a chat template, so an empty prompt trains the whole text).

Reinforcement fine-tuning lines are OpenAI chat lines with `reference_answer` already, and pass
through. One output line per input line (blank lines kept), so the OpenAI checks that run next
name the same line numbers as the user's file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Literal

from pydantic import JsonValue

from service.core.wire import JSONObject
from service.datasets.errors import DatasetError, DatasetParam, error_code
from service.datasets.lines import InvalidExample, checked_lines, decode_line, json_type

CONVERSATION_SCHEMA = "bedrock-conversation-2024"
BedrockCustomization = Literal["FINE_TUNING", "CONTINUED_PRE_TRAINING", "REINFORCEMENT_FINE_TUNING"]
CUSTOMIZATIONS: tuple[BedrockCustomization, ...] = (
    "FINE_TUNING",
    "CONTINUED_PRE_TRAINING",
    "REINFORCEMENT_FINE_TUNING",
)
_ROLES = ("user", "assistant")


def to_openai_chunks(
    chunks: Iterable[bytes], *, customization: BedrockCustomization, param: DatasetParam
) -> Iterator[bytes]:
    """The file's lines as OpenAI lines; DatasetError naming the first line Bedrock refuses."""
    previous = 0
    for number, raw in checked_lines(chunks, param):
        # iter_lines skips blank lines: put them back so line numbers stay the user's.
        yield b"\n" * (number - previous - 1)
        previous = number
        try:
            line = to_openai_line(decode_line(raw, number), number, customization)
        except InvalidExample as exc:
            raise DatasetError(str(exc), code=error_code(param), param=param, line=number) from exc
        yield json.dumps(line, ensure_ascii=False).encode() + b"\n"


def to_openai_line(
    example: JSONObject, line: int, customization: BedrockCustomization
) -> JSONObject:
    """One decoded Bedrock line as an OpenAI line; InvalidExample naming the line."""
    if customization == "REINFORCEMENT_FINE_TUNING":
        return example
    if customization == "CONTINUED_PRE_TRAINING":
        text = example.get("input")
        if not isinstance(text, str) or not text:
            raise InvalidExample(
                f'Invalid file format. Line {line}, key "input": continued pre-training needs '
                f'{{"input": "<text>"}} on every line, a non-empty string (got '
                f"{json_type(text) if 'input' in example else 'no input'})."
            )
        return {"prompt": "", "completion": text}
    if "schemaVersion" in example or "messages" in example:
        return _conversation(example, line)
    if "prompt" in example or "completion" in example:
        return example
    raise InvalidExample(
        f'Invalid file format. Line {line}: expected a {{"prompt", "completion"}} pair or a '
        f'"{CONVERSATION_SCHEMA}" conversation ({{"schemaVersion", "system", "messages"}}).'
    )


def _texts(content: object, where: str) -> str:
    if not isinstance(content, list) or not content:
        raise InvalidExample(f'{where}: "content" must be a non-empty list of {{"text": ...}}.')
    texts = []
    for block in content:
        if not isinstance(block, dict) or not isinstance(block.get("text"), str):
            raise InvalidExample(
                f'{where}: each content block must be {{"text": "<string>"}}; images, video '
                "and documents are not trained here."
            )
        texts.append(block["text"])
    return "".join(texts)


def _conversation(example: JSONObject, line: int) -> JSONObject:
    prefix = f"Invalid file format. Line {line}"
    schema = example.get("schemaVersion")
    if schema is not None and schema != CONVERSATION_SCHEMA:
        raise InvalidExample(
            f'{prefix}, key "schemaVersion": expected "{CONVERSATION_SCHEMA}", got '
            f"{json.dumps(schema)}."
        )
    messages: list[JsonValue] = []
    system = example.get("system")
    if system is not None:
        messages.append({"role": "system", "content": _texts(system, f'{prefix}, key "system"')})
    raw_messages = example.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        raise InvalidExample(f'{prefix}, key "messages": must be a non-empty list.')
    for index, message in enumerate(raw_messages, start=1):
        where = f"{prefix}, message {index}"
        if not isinstance(message, dict):
            raise InvalidExample(f"{where}: must be an object, not {json_type(message)}.")
        role = message.get("role")
        if role not in _ROLES:
            raise InvalidExample(
                f'{where}: role must be "user" or "assistant", got {json.dumps(role)}.'
            )
        messages.append({"role": role, "content": _texts(message.get("content"), where)})
    return {"messages": messages}
