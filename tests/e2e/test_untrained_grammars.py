"""The base emulator under a grammar, through a real server and the official SDK: a forced call
or a JSON schema ends well within 64 tokens, and a call cut by max_tokens is answered as
OpenAI answers it, never as the grammar's raw text."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import openai
import pytest
from pydantic import BaseModel

from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BASE = "gpt-4o-mini-2024-07-18"
MESSAGES: list[openai.types.chat.ChatCompletionMessageParam] = [
    {"role": "user", "content": "What is the weather in Paris?"}
]
# As OpenAI's own function-calling guide declares it: a free string, extra properties allowed.
WEATHER_PARAMETERS = {
    "type": "object",
    "properties": {
        "location": {"type": "string", "description": "City and country e.g. Paris, France"},
        "units": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    },
    "required": ["location"],
}
TOOLS: list[openai.types.chat.ChatCompletionToolParam] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather in a given location",
            "parameters": WEATHER_PARAMETERS,
        },
    },
    {
        "type": "function",
        "function": {
            "name": "send_email",
            "parameters": {
                "type": "object",
                "properties": {"to": {"type": "string"}, "body": {"type": "string"}},
                "required": ["to", "body"],
                "additionalProperties": False,
            },
        },
    },
]
SCHEMAS = {tool["function"]["name"]: tool["function"].get("parameters", {}) for tool in TOOLS}


class Contact(BaseModel):
    """Two free strings: what `chat.completions.parse` users write first."""

    name: str
    city: str


def test_a_required_call_is_valid_within_64_tokens(client: openai.OpenAI) -> None:
    valid = 0
    for seed in range(20):
        completion = client.chat.completions.create(
            model=BASE,
            messages=MESSAGES,
            tools=TOOLS,
            tool_choice="required",
            max_tokens=64,
            seed=seed,
        )
        choice = completion.choices[0]
        calls = choice.message.tool_calls or []
        if choice.finish_reason == "tool_calls" and calls:
            for call in calls:
                assert call.type == "function"
                jsonschema.validate(
                    json.loads(call.function.arguments), SCHEMAS[call.function.name]
                )
            valid += 1
        assert choice.message.content is None
    assert valid >= 19


def test_a_named_call_is_valid_within_64_tokens(client: openai.OpenAI) -> None:
    for seed in range(5):
        completion = client.chat.completions.create(
            model=BASE,
            messages=MESSAGES,
            tools=TOOLS,
            tool_choice={"type": "function", "function": {"name": "send_email"}},
            max_tokens=64,
            seed=seed,
        )
        (call,) = completion.choices[0].message.tool_calls or []
        assert call.type == "function" and call.function.name == "send_email"
        jsonschema.validate(json.loads(call.function.arguments), SCHEMAS["send_email"])


def test_parse_returns_a_valid_object_every_time(client: openai.OpenAI) -> None:
    for seed in range(20):
        completion = client.chat.completions.parse(
            model=BASE, messages=MESSAGES, response_format=Contact, max_tokens=64, seed=seed
        )
        choice = completion.choices[0]
        assert choice.finish_reason == "stop"
        assert isinstance(choice.message.parsed, Contact)


def test_a_truncated_forced_call_never_answers_grammar_text(client: openai.OpenAI) -> None:
    # 3 tokens cut inside the first call's name; 26 inside its arguments.
    for max_tokens in (3, 26):
        completion = client.chat.completions.create(
            model=BASE,
            messages=MESSAGES,
            tools=TOOLS,
            tool_choice="required",
            max_tokens=max_tokens,
            seed=1,
        )
        choice = completion.choices[0]
        assert choice.finish_reason == "length"
        assert choice.message.content is None
        # A call whose name was written comes back with its arguments as far as they got.
        calls = choice.message.tool_calls or []
        assert len(calls) == (max_tokens > 3)
        for call in calls:
            assert call.type == "function" and call.function.name in SCHEMAS
            assert call.function.arguments.startswith("{")
        streamed = client.chat.completions.create(
            model=BASE,
            messages=MESSAGES,
            tools=TOOLS,
            tool_choice="required",
            max_tokens=max_tokens,
            seed=1,
            stream=True,
        )
        chunks = [chunk for chunk in streamed if chunk.choices]
        assert not "".join(c.choices[0].delta.content or "" for c in chunks)
        assert chunks[-1].choices[0].finish_reason == "length"
        names = [
            part.function.name
            for c in chunks
            for part in c.choices[0].delta.tool_calls or []
            if part.function is not None and part.function.name
        ]
        assert names == [call.function.name for call in choice.message.tool_calls or []]


def test_a_streamed_required_call_is_the_same_valid_call(client: openai.OpenAI) -> None:
    whole = client.chat.completions.create(
        model=BASE, messages=MESSAGES, tools=TOOLS, tool_choice="required", max_tokens=64, seed=3
    )
    (call,) = whole.choices[0].message.tool_calls or []
    assert call.type == "function"
    streamed = client.chat.completions.create(
        model=BASE,
        messages=MESSAGES,
        tools=TOOLS,
        tool_choice="required",
        max_tokens=64,
        seed=3,
        stream=True,
    )
    chunks = [chunk for chunk in streamed if chunk.choices]
    parts = [part for c in chunks for part in c.choices[0].delta.tool_calls or []]
    assert parts[0].function is not None and parts[0].function.name == call.function.name
    arguments = "".join(p.function.arguments or "" for p in parts if p.function is not None)
    assert arguments == call.function.arguments
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_responses_parse_returns_a_valid_object(client: openai.OpenAI) -> None:
    for _ in range(3):
        response = client.responses.parse(
            model=BASE, input="Who and where?", text_format=Contact, max_output_tokens=64
        )
        assert response.status == "completed"
        assert isinstance(response.output_parsed, Contact)


def test_a_server_that_has_trained_nothing_has_imported_no_training_stack(
    client: openai.OpenAI, server: ServerProcess
) -> None:
    # Serving the emulator imports torch in the server itself, but the workers' forkserver
    # (torch, transformers, peft: seconds of CPU and hundreds of MB) waits for a first job.
    assert client.models.list().data
    assert not [line for line in children(server.pid) if "forkserver" in line]


def children(pid: int) -> list[str]:
    """The command lines of the processes whose parent is `pid` (Linux's /proc)."""
    lines = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The parent's pid is the second field after the parenthesised command name.
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                lines.append(stat.with_name("cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue  # it ended meanwhile
    return lines
