"""Template strings: `{{item.x}}`, `{{item.a.b}}`, `{{sample.output_text}}`,
`{{sample.output_json.x}}`, `{{sample.output_tools}}`.

A variable is a namespace (`item` or `sample`) and a path of keys (`.key`) and list indexes
(`.0` or `[0]`). Strings render as they are; any other value renders as JSON. A grader whose
template names no namespace, or an unknown `sample` variable, is refused when it is validated;
a variable the item or sample turns out to lack is a TemplateError when it is rendered, whose
flag is the RunGraderResponse error it sets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from service.core.errors import InvalidRequestError
from service.core.wire import JSONArray, JSONObject, JSONValue

NAMESPACES = ("item", "sample")
SAMPLE_VARIABLES = ("output_text", "output_json", "output_tools")

_VARIABLE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_SEGMENT = re.compile(r"([^.\[\]\s]+)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


class TemplateError(Exception):
    """A variable cannot be rendered; `flag` names the RunGraderResponse error it sets."""

    def __init__(self, flag: str, message: str):
        super().__init__(message)
        self.flag = flag
        self.message = message


@dataclass(frozen=True)
class Sample:
    """The `sample` namespace: what the graded model produced."""

    output_text: str
    # Whether output_text parsed as JSON; `output_json` is meaningful only then.
    is_json: bool = False
    output_json: JSONValue = None
    output_tools: JSONArray = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str, output_tools: Sequence[JSONValue] | None = None) -> Sample:
        """A sample whose `output_json` is `text` parsed, when it is valid JSON."""
        try:
            parsed, is_json = json.loads(text), True
        except (ValueError, RecursionError):
            parsed, is_json = None, False
        return cls(text, is_json, parsed, list(output_tools or []))

    def as_dict(self) -> JSONObject:
        """The namespace as python graders receive it (`output_json` null when not JSON)."""
        return {
            "output_text": self.output_text,
            "output_json": self.output_json if self.is_json else None,
            "output_tools": self.output_tools,
        }


def parse_variable(expression: str) -> list[str | int] | None:
    """`item.a.b[0]` as `["item", "a", "b", 0]`; None when it is no variable path."""
    path: list[str | int] = []
    for segment in expression.strip().split("."):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            return None
        path.append(match.group(1))
        path.extend(int(index) for index in _INDEX.findall(match.group(2)))
    return path


def variables(text: str) -> list[str]:
    """Every `{{ ... }}` expression of a template, stripped."""
    return [match.group(1).strip() for match in _VARIABLE.finditer(text)]


def check_template(text: str, param: str) -> None:
    """400 naming `param` when a variable of `text` can never be rendered."""
    for expression in variables(text):
        path = parse_variable(expression)
        problem = None
        if path is None:
            problem = "it is not a variable path such as item.answer"
        elif path[0] not in NAMESPACES:
            problem = "the only namespaces are item and sample"
        elif path[0] == "sample" and len(path) > 1 and path[1] not in SAMPLE_VARIABLES:
            problem = "the sample variables are " + ", ".join(SAMPLE_VARIABLES)
        if problem is not None:
            raise InvalidRequestError(
                f"Invalid template variable '{{{{{expression}}}}}' in '{param}': {problem}.",
                param=param,
                code="invalid_value",
            )


def _resolve(path: list[str | int], expression: str, sample: Sample, item: JSONValue) -> JSONValue:
    if path[0] == "item":
        node = item
    else:
        node = sample.as_dict()
        if len(path) > 1 and path[1] == "output_json" and not sample.is_json:
            raise TemplateError(
                "sample_parse_error",
                f"'{{{{{expression}}}}}' reads sample.output_json, but the sample is not JSON.",
            )
    for part in path[1:]:
        if isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise TemplateError(
                "invalid_variable_error", f"'{{{{{expression}}}}}' names nothing in the {path[0]}."
            )
    return node


def as_text(value: JSONValue) -> str:
    """A variable's value as it is substituted: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def render(text: str, sample: Sample, item: JSONValue) -> str:
    """`text` with every variable substituted; TemplateError when one cannot be."""

    def substitute(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        path = parse_variable(expression)
        if path is None or path[0] not in NAMESPACES:
            raise TemplateError("invalid_variable_error", f"'{{{{{expression}}}}}' is no variable.")
        return as_text(_resolve(path, expression, sample, item))

    return _VARIABLE.sub(substitute, text)
