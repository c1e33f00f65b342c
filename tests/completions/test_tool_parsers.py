"""Tool-call parsing per chat-template family, and where a stream must start holding text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.catalog import Catalog
from service.completions.tools import (
    FAMILIES,
    FunctionTool,
    ToolPlan,
    family_of,
    held_from,
    parse_calls,
)

TOOLS = [FunctionTool("get_weather", {"type": "object"}), FunctionTool("noop", {"type": "object"})]
ARGS = {"city": "Paris"}


@pytest.mark.parametrize(
    ("family", "text", "content"),
    [
        # The emulator's template renders OpenAI's tool_calls list as JSON, arguments a string.
        (
            "json",
            json.dumps(
                [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": json.dumps(ARGS)},
                    }
                ]
            ),
            None,
        ),
        (
            "hermes",
            'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}'
            "\n</tool_call>",
            "Let me check.",
        ),
        ("llama3", '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}', None),
        ("mistral", '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}]', None),
    ],
)
def test_each_family_parses_its_calls(family: str, text: str, content: str | None) -> None:
    found, calls = parse_calls(FAMILIES[family], text, TOOLS)
    assert found == content
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [("get_weather", ARGS)]
    assert calls[0].id.startswith("call_")


@pytest.mark.parametrize(
    "text",
    ['[{"name": "unknown_tool", "arguments": {}}]', "[1, 2", "Just text.", "{not json}"],
)
def test_text_that_is_no_call_to_a_known_tool_stays_content(text: str) -> None:
    assert parse_calls(FAMILIES["json"], text, TOOLS) == (text, [])


def test_parallel_false_keeps_only_the_first_call() -> None:
    text = '[{"name": "get_weather", "arguments": {}}, {"name": "noop", "arguments": {}}]'
    plan = ToolPlan("auto", TOOLS, FAMILIES["json"], parallel=False)
    assert [c.name for c in plan.finish(text, length=False)[1]] == ["get_weather"]
    plan = ToolPlan("required", TOOLS, FAMILIES["json"], parallel=True)
    assert [c.name for c in plan.finish(text, length=False)[1]] == ["get_weather", "noop"]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("", []),
        ('[{"name":"get_wea', []),
        ('[{"name":"get_weather","arguments":', [("get_weather", "")]),
        ('[{"name":"get_weather","arguments":{"city":"Par', [("get_weather", '{"city":"Par')]),
        (
            '[{"name":"get_weather","arguments":{"city":"Paris"}},{"name":"noop","arguments":{',
            [("get_weather", '{"city":"Paris"}'), ("noop", "{")],
        ),
        ('[{"name":"unknown","arguments":{}}', []),
    ],
)
def test_a_required_call_cut_by_max_tokens_keeps_what_was_written(
    text: str, calls: list[tuple[str, str]]
) -> None:
    plan = ToolPlan("required", TOOLS, FAMILIES["json"], parallel=True)
    content, found = plan.finish(text, length=True)
    assert content is None  # never the grammar's raw text
    assert [(c.name, c.arguments) for c in found] == calls


def test_streams_hold_text_only_from_where_a_call_may_start() -> None:
    hermes = FAMILIES["hermes"]
    assert held_from(hermes, "Sure, ") == len("Sure, ")
    assert held_from(hermes, "Sure, <tool") == len("Sure, ")
    assert held_from(hermes, "Sure, <tool_call>{") == len("Sure, ")
    emulator = FAMILIES["json"]
    assert held_from(emulator, "  [{") == 0
    assert held_from(emulator, "Hello [") == len("Hello [")


def test_the_family_is_read_from_the_chat_template() -> None:
    assert family_of("{% for m in messages %}<tool_call>{% endfor %}").name == "hermes"
    assert family_of("[TOOL_CALLS] {{ x }}").name == "mistral"
    assert family_of("<|python_tag|>").name == "llama3"
    assert family_of(None).name == "json"


def test_a_models_file_entry_may_name_its_parser(tmp_path: Path) -> None:
    models_file = tmp_path / "models.yaml"
    models_file.write_text("models:\n  qwen:\n    path: qwen\n    tool_parser: hermes\n")
    entry = Catalog.load(data_dir=tmp_path, models_file=models_file).resolve("qwen")
    assert family_of("[TOOL_CALLS]", parser=entry.tool_parser).name == "hermes"
    models_file.write_text("models:\n  qwen:\n    path: qwen\n    tool_parser: xml\n")
    with pytest.raises(ValueError, match="tool_parser"):
        Catalog.load(data_dir=tmp_path, models_file=models_file)
