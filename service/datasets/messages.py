"""A chat message in a training file: its shape once checked, and its checks, shared by every
format whose lines hold messages (chat, preference, reinforcement), so that a message is refused
by the same rule, in the same words, in any of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal, Required, TypedDict, final

from pydantic import JsonValue

from service.core.wire import JSONObject
from service.datasets.lines import InvalidExample, json_type

CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
ChatRole = Literal["system", "developer", "user", "assistant", "tool", "function"]


class ContentPart(TypedDict, total=False):
    """One part of a message's content: `text` (or, in an assistant message, `refusal`)."""

    type: Required[str]
    text: str
    refusal: str


class FunctionCall(TypedDict):
    """The function an assistant message calls, its arguments as JSON text."""

    name: str
    arguments: str


class MessageToolCall(TypedDict, total=False):
    """One tool call of an assistant message."""

    id: str
    type: Literal["function"]
    function: Required[FunctionCall]


class ChatMessage(TypedDict, total=False):
    """One checked message of a line."""

    role: Required[ChatRole]
    content: str | list[ContentPart] | None
    name: str
    # 0 or 1, assistant messages only: whether the message is trained on.
    weight: int
    tool_calls: list[MessageToolCall]
    tool_call_id: str
    function_call: FunctionCall


class FunctionDefinition(TypedDict, total=False):
    """A function a line offers the model (in `tools`, or the legacy `functions`)."""

    name: Required[str]
    description: str
    parameters: JSONObject


class Tool(TypedDict, total=False):
    """One entry of a line's `tools`."""

    type: Literal["function"]
    function: Required[FunctionDefinition]


@final
class ChatLine(TypedDict, total=False):
    """A checked chat example: the conversation and the tools it may call."""

    messages: Required[list[ChatMessage]]
    tools: list[Tool]
    parallel_tool_calls: bool
    functions: list[FunctionDefinition]


# Checks follow FineTuneChatRequestInput in OpenAI's training-input schemas. They are
# hand-written rather than run through jsonschema because the schema's oneOf errors name no
# line-level culprit ("not valid under any of the given schemas"); ours say what to fix.


def check_message(message: JsonValue, where: str, *, role: str | None) -> None:
    """A chat message's checks; `role` is the only role allowed, if any."""
    if not isinstance(message, dict):
        raise InvalidExample(f"{where}: must be an object, not {json_type(message)}.")
    actual = message.get("role")
    if actual is None:
        raise InvalidExample(f'{where}: missing "role".')
    if role is not None and actual != role:
        raise InvalidExample(f"{where}: must be an {role} message, not {json.dumps(actual)}.")
    if not isinstance(actual, str) or actual not in CHAT_ROLES:
        raise InvalidExample(
            f"{where}: unknown role {json.dumps(actual)}; expected one of {', '.join(CHAT_ROLES)}."
        )
    if "name" in message and not isinstance(message["name"], str):
        raise InvalidExample(f'{where}, key "name": must be a string.')
    if "weight" in message:
        # OpenAI's schema allows a weight on the input's assistant messages (copied from chat
        # data); it is checked as in chat files, then ignored, since the input is never trained.
        if role is not None or actual != "assistant":
            raise InvalidExample(
                f'{where}, key "weight": only assistant messages of the input may carry one; '
                "both replies are always trained."
            )
        weight = message["weight"]
        if isinstance(weight, bool | float) or weight not in (0, 1):
            raise InvalidExample(f'{where}, key "weight": must be 0 or 1.')
    if role is None:
        # Input messages are context, never trained: an empty assistant turn there is allowed,
        # which the chat check only allows on an untrained (weight 0) message.
        message = {**message, "weight": 0} if actual == "assistant" else message
    check_message_content(message, actual, where)


def check_message_content(message: Mapping[str, JsonValue], role: str, where: str) -> None:
    """InvalidExample unless the message's content (and calls) fit its role."""
    content = message.get("content")
    if role == "assistant":
        has_call = bool(message.get("tool_calls")) or bool(message.get("function_call"))
        if content is None and not has_call:
            raise InvalidExample(
                f'{where}: an assistant message needs "content", "tool_calls" or "function_call".'
            )
        if content is not None:
            _check_content(content, where, allowed_parts=("text", "refusal"))
            if not has_call and message.get("weight", 1) == 1 and not _content_text(content):
                raise InvalidExample(
                    f'{where}, key "content": must not be empty in an assistant message that '
                    "is trained on."
                )
        if "tool_calls" in message:
            _check_tool_calls(message["tool_calls"], where)
        if "function_call" in message:
            _check_function_call(message["function_call"], f'{where}, key "function_call"')
        return
    if role == "function":
        if content is not None and not isinstance(content, str):
            raise InvalidExample(f'{where}, key "content": must be a string or null.')
        if not isinstance(message.get("name"), str):
            raise InvalidExample(f'{where}: a function message needs a string "name".')
        return
    if content is None:
        raise InvalidExample(f'{where}: missing "content".')
    _check_content(content, where, allowed_parts=("text",))
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        raise InvalidExample(f'{where}: a tool message needs a string "tool_call_id".')


def _check_content(content: JsonValue, where: str, *, allowed_parts: tuple[str, ...]) -> None:
    if isinstance(content, str):
        return
    if not isinstance(content, list) or not content:
        raise InvalidExample(
            f'{where}, key "content": must be a string or a non-empty list of text parts, '
            f"not {json_type(content)}."
        )
    for number, part in enumerate(content, start=1):
        if not isinstance(part, dict):
            raise InvalidExample(f'{where}, key "content": part {number} must be an object.')
        kind = part.get("type")
        if kind in ("image_url", "input_audio", "file"):
            raise InvalidExample(
                f'{where}, key "content": part {number} is of type "{kind}"; Whetstone trains '
                "text models, so only text parts are accepted."
            )
        if not isinstance(kind, str) or kind not in allowed_parts:
            raise InvalidExample(
                f'{where}, key "content": part {number} has type {json.dumps(kind)}; expected '
                f"{' or '.join(allowed_parts)}."
            )
        if not isinstance(part.get(kind), str):
            raise InvalidExample(f'{where}, key "content": part {number} needs a string "{kind}".')


def _content_text(content: JsonValue) -> str:
    """The text of checked content: a string, or text (and refusal) parts joined."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "".join(str(part[str(part["type"])]) for part in content if isinstance(part, dict))


def _check_tool_calls(tool_calls: JsonValue, where: str) -> None:
    if not isinstance(tool_calls, list):
        raise InvalidExample(f'{where}, key "tool_calls": must be a list.')
    for number, call in enumerate(tool_calls, start=1):
        call_where = f'{where}, key "tool_calls", call {number}'
        if not isinstance(call, dict):
            raise InvalidExample(f"{call_where}: must be an object.")
        if call.get("type", "function") != "function":
            raise InvalidExample(f'{call_where}: "type" must be "function".')
        if "id" in call and not isinstance(call["id"], str):
            raise InvalidExample(f'{call_where}: "id" must be a string.')
        _check_function_call(call.get("function"), call_where)


def _check_function_call(function: JsonValue, where: str) -> None:
    if not isinstance(function, dict):
        raise InvalidExample(f'{where}: needs a "function" object with "name" and "arguments".')
    if not isinstance(function.get("name"), str) or not function["name"]:
        raise InvalidExample(f'{where}: "name" must be a non-empty string.')
    if not isinstance(function.get("arguments"), str):
        raise InvalidExample(f'{where}: "arguments" must be a string of JSON.')


def check_tools(example: Mapping[str, JsonValue], line: int) -> None:
    """InvalidExample unless the line's `tools`, `parallel_tool_calls` and `functions` are valid."""
    where = f"Invalid file format. Line {line}"
    if "tools" in example:
        tools = example["tools"]
        if not isinstance(tools, list):
            raise InvalidExample(f'{where}, key "tools": must be a list.')
        for number, tool in enumerate(tools, start=1):
            function = tool.get("function") if isinstance(tool, dict) else None
            if (
                not isinstance(tool, dict)
                or tool.get("type", "function") != "function"
                or not isinstance(function, dict)
                or not isinstance(function.get("name"), str)
            ):
                raise InvalidExample(
                    f'{where}, key "tools": tool {number} must be {{"type": "function", '
                    '"function": {"name": ..., ...}}.'
                )
    if "parallel_tool_calls" in example and not isinstance(example["parallel_tool_calls"], bool):
        raise InvalidExample(f'{where}, key "parallel_tool_calls": must be true or false.')
    if "functions" in example:
        functions = example["functions"]
        if not isinstance(functions, list) or not functions:
            raise InvalidExample(f'{where}, key "functions": must be a non-empty list.')
        for number, function in enumerate(functions, start=1):
            if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                raise InvalidExample(
                    f'{where}, key "functions": function {number} needs a string "name".'
                )
