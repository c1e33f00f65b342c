"""Function tools: validating `tools`, the grammar of a forced call, and parsing calls back out.

How a call comes out of the model depends on `tool_choice`:
- `required`: the output is constrained (as vLLM does) to a JSON array of
  `{"name": <one of the tools>, "arguments": <an object valid for its parameters>}`, whatever
  the template; `parallel_tool_calls: false` caps the array at one call.
- a named function: the output is constrained to that function's parameters schema, and the
  output *is* the call's arguments (so a stream sends them as `arguments` deltas as they come).
- `auto`: the model writes what its chat template taught it, and the parser of the template's
  family finds the calls (`FAMILIES`): the emulator's template renders `tool_calls` as OpenAI's
  JSON list (`json`), Hermes/Qwen wrap each call in `<tool_call>` tags, Llama 3 writes
  `{"name", "parameters"}` (after `<|python_tag|>` or not), Mistral writes `[TOOL_CALLS]` and a
  JSON list. A models-file entry may name its parser (`tool_parser`). Text that parses as no
  call to a known tool stays content.
- `none`: tools are rendered into the prompt, nothing is parsed.

While streaming under `auto`, text is sent as content until it could be the start of a call
(the family's marker); from there it is held, and at the end sent as tool-call deltas, or as
content when it turns out to be no call.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import JsonValue

from service.core.errors import InvalidRequestError
from service.core.ids import new_id
from service.core.wire import JSONObject
from service.inference.grammar import Grammar, GrammarError, json_schema_grammar

ToolMode = Literal["none", "auto", "required", "named"]
# The modes a `tool_choice` string names.
_CHOSEN_MODES: dict[str, ToolMode] = {"none": "none", "auto": "auto", "required": "required"}
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class FunctionTool:
    """One function the model may call."""

    name: str
    parameters: JSONObject


@dataclass(frozen=True)
class ToolCall:
    """A parsed call: the function's name and its arguments as JSON text."""

    name: str
    arguments: str
    id: str = field(default_factory=lambda: new_id("call_", 24))


def _bad(message: str, param: str) -> InvalidRequestError:
    return InvalidRequestError(message, param=param)


def parse_tools(tools: list[JSONObject], *, param: str = "tools") -> list[FunctionTool]:
    """Function tools from chat's `{type, function: {...}}` or Responses' flat `{type, name}`
    form; any other tool type is a 400 naming it."""
    parsed: list[FunctionTool] = []
    for i, tool in enumerate(tools):
        kind = tool.get("type")
        if kind != "function":
            raise InvalidRequestError(
                f"Tool type {kind!r} is not supported by Whetstone: only function tools are.",
                param=f"{param}[{i}].type",
                code="unsupported_parameter",
            )
        function = tool.get("function", tool)
        if not isinstance(function, dict):
            function = {}
        name = function.get("name")
        if not isinstance(name, str) or not FUNCTION_NAME.match(name):
            raise _bad(
                "A function's name must be 1-64 letters, digits, underscores or dashes.",
                f"{param}[{i}].name",
            )
        parameters = function.get("parameters") or {"type": "object", "properties": {}}
        if not isinstance(parameters, dict):
            raise _bad("A function's parameters must be a JSON schema object.", f"{param}[{i}]")
        try:
            json_schema_grammar(parameters)
        except GrammarError as exc:
            raise InvalidRequestError(
                f"The parameters schema of {name!r} cannot be enforced: {exc}",
                param=f"{param}[{i}].parameters",
                code="unsupported_parameter",
            ) from exc
        parsed.append(FunctionTool(name=name, parameters=parameters))
    if len({t.name for t in parsed}) < len(parsed):
        raise _bad("Function names must be unique.", param)
    return parsed


def tool_mode(
    tool_choice: str | JSONObject | None, tools: list[FunctionTool], *, param: str
) -> tuple[ToolMode, FunctionTool | None]:
    """The mode of `tool_choice` (OpenAI's default: auto with tools, none without), and the
    named function."""
    if tool_choice is None:
        return ("auto" if tools else "none"), None
    if isinstance(tool_choice, str) and tool_choice in _CHOSEN_MODES:
        if tool_choice != "none" and not tools:
            raise _bad(f"tool_choice {tool_choice!r} needs at least one tool.", param)
        return _CHOSEN_MODES[tool_choice], None
    if isinstance(tool_choice, dict):
        kind = tool_choice.get("type")
        if kind == "allowed_tools":
            raise InvalidRequestError(
                "'allowed_tools' is not supported by Whetstone: pass only the allowed tools.",
                param=param,
                code="unsupported_parameter",
            )
        if kind == "function":
            nested = tool_choice.get("function")
            name = tool_choice.get("name") or (
                nested.get("name") if isinstance(nested, dict) else None
            )
            for tool in tools:
                if tool.name == name:
                    return "named", tool
            raise _bad(f"tool_choice names {name!r}, which is not one of the tools.", param)
    raise _bad("tool_choice must be none, auto, required, or a function tool.", param)


def forced_grammar(
    mode: ToolMode,
    tools: list[FunctionTool],
    named: FunctionTool | None,
    *,
    parallel: bool,
    bounded: bool = False,
) -> Grammar | None:
    """The grammar of a forced call, or None when the model chooses; `bounded`: one call with
    short arguments, for an untrained model (grammar.bounded_schema)."""
    if mode == "named":
        assert named is not None
        return json_schema_grammar(named.parameters, bounded=bounded)
    if mode != "required":
        return None
    calls: JSONObject = {
        "type": "array",
        "minItems": 1,
        "items": {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {"name": {"const": tool.name}, "arguments": tool.parameters},
                    "required": ["name", "arguments"],
                    "additionalProperties": False,
                }
                for tool in tools
            ]
        },
    }
    if not parallel or bounded:
        calls["maxItems"] = 1
    return json_schema_grammar(calls, bounded=bounded)


# ----- parsing -----


@dataclass(frozen=True)
class Family:
    """How one chat-template family writes tool calls."""

    name: str
    # Where a call may start; `anywhere`: after other text too, else only at the start.
    markers: tuple[str, ...]
    anywhere: bool


FAMILIES = {
    "json": Family("json", ("[", "{"), anywhere=False),
    "hermes": Family("hermes", ("<tool_call>",), anywhere=True),
    "llama3": Family("llama3", ("<|python_tag|>", "{"), anywhere=False),
    "mistral": Family("mistral", ("[TOOL_CALLS]", "["), anywhere=False),
}


def family_of(chat_template: str | None, *, parser: str | None = None) -> Family:
    """The tool-call family the models file names (`tool_parser`), else the one the chat
    template belongs to, read from the template itself."""
    if parser is not None:
        return FAMILIES[parser]
    template = chat_template or ""
    if "<tool_call>" in template:
        return FAMILIES["hermes"]
    if "[TOOL_CALLS]" in template:
        return FAMILIES["mistral"]
    if "<|python_tag|>" in template or "ipython" in template:
        return FAMILIES["llama3"]
    return FAMILIES["json"]


def _call_from(item: JsonValue, known: set[str]) -> ToolCall | None:
    if not isinstance(item, dict):
        return None
    nested = item.get("function")
    function = nested if isinstance(nested, dict) else item
    name = function.get("name")
    arguments = function.get("arguments", function.get("parameters", {}))
    if not isinstance(name, str) or name not in known:
        return None
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False)
    return ToolCall(name=name, arguments=arguments)


def _json_calls(text: str, known: set[str]) -> list[ToolCall] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    items: list[JsonValue] = value if isinstance(value, list) else [value]
    calls: list[ToolCall] = []
    for item in items:
        call = _call_from(item, known)
        if call is None:
            return None
        calls.append(call)
    return calls or None


# The head of one call in a forced `required` output (compact JSON, properties in this order).
_CALL_HEAD = re.compile(r'\{"name":"([a-zA-Z0-9_-]{1,64})","arguments":')


def cut_calls(text: str, known: set[str]) -> list[ToolCall]:
    """The calls of a `required` output cut short: each whose name is complete, the last with
    its arguments as far as they got."""
    calls: list[ToolCall] = []
    position = 1 if text.startswith("[") else len(text)
    decoder = json.JSONDecoder()
    while (head := _CALL_HEAD.match(text, position)) is not None and head[1] in known:
        try:
            _, end = decoder.raw_decode(text, head.end())
        except ValueError:
            calls.append(ToolCall(name=head[1], arguments=text[head.end() :]))
            break
        calls.append(ToolCall(name=head[1], arguments=text[head.end() : end]))
        position = end + 2  # past the call's `}` and the `,` before the next one
    return calls


def parse_calls(
    family: Family, text: str, tools: list[FunctionTool]
) -> tuple[str | None, list[ToolCall]]:
    """The content before the calls (None when empty) and the calls the text holds."""
    known = {tool.name for tool in tools}
    if family.name == "hermes":
        start = text.find("<tool_call>")
        if start < 0:
            return text, []
        calls = []
        for body in re.findall(r"<tool_call>(.*?)(?:</tool_call>|$)", text[start:], re.S):
            parsed = _json_calls(body.strip(), known)
            if parsed is None:
                return text, []
            calls.extend(parsed)
        return (text[:start].strip() or None), calls
    body = text.strip()
    if family.name == "llama3":
        body = body.removeprefix("<|python_tag|>")
        parts = [p for p in body.split(";") if p.strip()] if body.startswith("{") else []
        calls = []
        for part in parts:
            parsed = _json_calls(part.strip(), known)
            if parsed is None:
                return text, []
            calls.extend(parsed)
        return (None, calls) if calls else (text, [])
    if family.name == "mistral":
        body = body.removeprefix("[TOOL_CALLS]").strip()
    found = _json_calls(body, known) if body[:1] in ("[", "{") else None
    return (None, found) if found else (text, [])


def held_from(family: Family, text: str) -> int:
    """Where in `text` a call may start: text before it can be streamed as content."""
    if not family.anywhere:
        stripped = text.lstrip()
        if not stripped:
            return 0  # leading whitespace might still open a call
        starts = any(m.startswith(stripped) or stripped.startswith(m) for m in family.markers)
        return 0 if starts else len(text)
    for marker in family.markers:
        found = text.find(marker)
        if found >= 0:
            return found
        # A tail that is the marker's beginning may complete into it.
        for cut in range(min(len(marker) - 1, len(text)), 0, -1):
            if marker.startswith(text[-cut:]):
                return len(text) - cut
    return len(text)


@dataclass(frozen=True)
class ToolPlan:
    """What a request asked of its tools, fixed by `prepare`."""

    mode: ToolMode
    tools: list[FunctionTool]
    family: Family
    parallel: bool
    named: FunctionTool | None = None

    def finish(self, text: str, length: bool) -> tuple[str | None, list[ToolCall]]:
        """The content and calls of a choice's whole text (`length`: cut at max_tokens)."""
        if self.mode == "none":
            return text, []
        if self.mode == "named":
            assert self.named is not None
            # Under a length cut the arguments are unfinished, as OpenAI then returns them.
            return None, [ToolCall(name=self.named.name, arguments=text)]
        if self.mode == "required":
            known = {tool.name for tool in self.tools}
            calls = _json_calls(text, known)
            if calls is None:
                # Only after a length cut (the grammar allows nothing else). OpenAI then
                # answers the calls begun so far, the last one's arguments unfinished; never
                # the grammar's raw text as content.
                return None, cut_calls(text, known)
            return None, calls if self.parallel else calls[:1]
        content, calls = parse_calls(self.family, text, self.tools)
        if not self.parallel:
            calls = calls[:1]
        return content, calls
