"""Vertex AI's Gemini tuning lines, translated into the chat and preference lines we train on.

A supervised line is `{"systemInstruction": {"parts": [{"text"}]}, "contents": [{"role":
"user" | "model", "parts": [{"text": ...}]}, ...]}`; a preference line has `contents` ending on
a user turn and `completions: [{"score": 1, "completion": {"role": "model", "parts": [...]}},
{"score": 0, ...}]`. Vertex AI sends keys in camelCase and accepts snake_case, so both are read.
The translated line then meets exactly the checks of the chat and preference formats
(service/datasets/chat.py, preference.py), so a Gemini file is refused where the same OpenAI
file would be, and every error names its line.
"""

from __future__ import annotations

from pydantic import JsonValue

from service.core.wire import JSONObject
from service.datasets.lines import InvalidExample, json_type

CONTENTS_KEY = "contents"
COMPLETIONS_KEY = "completions"
SYSTEM_KEYS = ("systemInstruction", "system_instruction")
# Gemini's roles and the chat roles they become.
ROLES = {"user": "user", "model": "assistant"}
# Gemini part kinds that hold no text; only text is trained here.
_NON_TEXT_PARTS = (
    "inlineData",
    "inline_data",
    "fileData",
    "file_data",
    "functionCall",
    "function_call",
    "functionResponse",
    "function_response",
    "executableCode",
    "executable_code",
    "codeExecutionResult",
    "code_execution_result",
)


def is_gemini_line(example: JSONObject) -> bool:
    """Whether a decoded line is in Vertex AI's Gemini format (it has `contents`)."""
    return CONTENTS_KEY in example


def as_chat_line(example: JSONObject, line: int) -> JSONObject:
    """The chat line `{"messages": [...]}` a supervised Gemini line means; InvalidExample
    naming the line and key when it is not one."""
    if COMPLETIONS_KEY in example:
        raise InvalidExample(
            f'Invalid file format. Line {line} is a Gemini preference example ("completions"), '
            "but this job uses supervised tuning; preference files train with "
            "preferenceOptimizationSpec."
        )
    messages: list[JsonValue] = [*_system(example, line), *_contents(example[CONTENTS_KEY], line)]
    return {"messages": messages}


def as_preference_line(example: JSONObject, line: int) -> JSONObject:
    """The preference line a Gemini preference line means: the completion scored 1 is chosen,
    the one scored 0 rejected; InvalidExample naming the line and key otherwise."""
    prompt = _system(example, line) + _contents(example[CONTENTS_KEY], line)
    if prompt[-1]["role"] != "user":
        raise _invalid(line, "contents", 'must end on a "user" turn.')
    completions = example.get(COMPLETIONS_KEY)
    if not isinstance(completions, list) or len(completions) != 2:
        raise _invalid(
            line,
            "completions",
            'must be a list of two completions, one with "score" 1 and one with "score" 0 (a '
            'Gemini supervised line has no "completions").',
        )
    replies: dict[int, JsonValue] = {}
    for index, completion in enumerate(completions):
        at = f"completions[{index}]"
        if not isinstance(completion, dict):
            raise _invalid(line, at, f"must be an object, not {json_type(completion)}.")
        score = completion.get("score")
        if isinstance(score, bool) or score not in (0, 1) or score in replies:
            raise _invalid(
                line,
                f"{at}.score",
                f"must be 1 for one completion and 0 for the other, not {score!r}.",
            )
        content = completion.get("completion")
        if not isinstance(content, dict):
            raise _invalid(line, f"{at}.completion", 'must be a content object with "parts".')
        reply = _message(content, line, f"{at}.completion", default_role="model")
        if reply["role"] != "assistant":
            raise _invalid(line, f"{at}.completion.role", 'must be "model".')
        replies[int(score)] = reply
    prompt_messages: list[JsonValue] = [*prompt]
    return {
        "input": {"messages": prompt_messages},
        "preferred_output": [replies[1]],
        "non_preferred_output": [replies[0]],
    }


def _invalid(line: int, key: str, what: str) -> InvalidExample:
    return InvalidExample(f'Invalid file format. Line {line}, key "{key}": {what}')


def _system(example: JSONObject, line: int) -> list[JSONObject]:
    for key in SYSTEM_KEYS:
        if key in example:
            instruction = example[key]
            if not isinstance(instruction, dict):
                raise _invalid(line, key, 'must be an object with "parts".')
            return [{"role": "system", "content": _text(instruction, line, key)}]
    return []


def _contents(contents: JsonValue, line: int) -> list[JSONObject]:
    if not isinstance(contents, list) or not contents:
        raise _invalid(line, CONTENTS_KEY, "must be a non-empty list of contents.")
    messages = []
    for index, content in enumerate(contents):
        at = f"{CONTENTS_KEY}[{index}]"
        if not isinstance(content, dict):
            raise _invalid(line, at, f"must be an object, not {json_type(content)}.")
        messages.append(_message(content, line, at, default_role=None))
    return messages


def _message(content: JSONObject, line: int, key: str, *, default_role: str | None) -> JSONObject:
    role = content.get("role", default_role)
    if not isinstance(role, str) or role not in ROLES:
        raise _invalid(line, f"{key}.role", f'must be "user" or "model", not {role!r}.')
    return {"role": ROLES[role], "content": _text(content, line, key)}


def _text(content: JSONObject, line: int, key: str) -> str:
    parts = content.get("parts")
    if not isinstance(parts, list) or not parts:
        raise _invalid(line, f"{key}.parts", 'must be a non-empty list of {"text": ...} parts.')
    texts = []
    for index, part in enumerate(parts):
        at = f"{key}.parts[{index}]"
        if not isinstance(part, dict):
            raise _invalid(line, at, f"must be an object, not {json_type(part)}.")
        other = next((name for name in _NON_TEXT_PARTS if name in part), None)
        if other is not None:
            raise _invalid(line, at, f'only text parts are trained here, not "{other}".')
        text = part.get("text")
        if not isinstance(text, str):
            raise _invalid(line, f"{at}.text", f"must be a string, not {json_type(text)}.")
        texts.append(text)
    return "".join(texts)
