"""The Responses API, structured outputs and tool calls through the official SDK.

One server, one supervised job trained on 20 examples of OpenAI's function-calling format
(every reply calls `get_weather` with the same arguments); every test talks to that server.
"""

from __future__ import annotations

import io
import json
from typing import Literal

import openai
import pytest
from pydantic import BaseModel, Field

from tests.e2e.test_serving import BASE, wait_succeeded

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True

ARGUMENTS = {"city": "Paris", "unit": "c"}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
QUESTIONS = ["What is the weather?", "Is it sunny?", "Will it rain tomorrow?", "How warm is it?"]


class Weather(BaseModel):
    """What chat.completions.parse must return, valid, even from the random base emulator."""

    city: str = Field(max_length=12)
    unit: Literal["c", "f"]
    warm: bool


def tool_call_file() -> bytes:
    """20 examples: a question, answered by a call of get_weather with ARGUMENTS."""
    lines = []
    for i in range(20):
        call = {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": "get_weather", "arguments": json.dumps(ARGUMENTS)},
        }
        example = {
            "messages": [
                {"role": "user", "content": QUESTIONS[i % len(QUESTIONS)]},
                {"role": "assistant", "tool_calls": [call]},
            ],
            "tools": [WEATHER_TOOL],
        }
        lines.append(json.dumps(example))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def tuned(client: openai.OpenAI) -> str:
    """The fine-tuned model that learned to call get_weather."""
    uploaded = client.files.create(
        file=("tools.jsonl", io.BytesIO(tool_call_file())), purpose="fine-tune"
    )
    # 60 steps instead of the 300 "auto" plans for 20 examples: enough to learn one call.
    hyperparameters = {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 2.0}
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=uploaded.id,
        suffix="tools",
        seed=7,
        method={"type": "supervised", "supervised": {"hyperparameters": hyperparameters}},
    )
    return wait_succeeded(client, job.id)


def test_a_tuned_model_calls_its_tool_under_auto(client: openai.OpenAI, tuned: str) -> None:
    completion = client.chat.completions.create(
        model=tuned,
        messages=[{"role": "user", "content": QUESTIONS[0]}],
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        temperature=0,
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls", choice.message
    (call,) = choice.message.tool_calls or []
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == ARGUMENTS  # type: ignore[union-attr]
    # Streamed, the same call arrives in OpenAI's delta form.
    stream = client.chat.completions.create(
        model=tuned,
        messages=[{"role": "user", "content": QUESTIONS[0]}],
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        temperature=0,
        stream=True,
    )
    parts = [
        part
        for chunk in stream
        if chunk.choices
        for part in chunk.choices[0].delta.tool_calls or []
    ]
    assert parts[0].function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads("".join(p.function.arguments or "" for p in parts)) == ARGUMENTS  # type: ignore[union-attr]
    # Through the Responses API, as a function_call output item.
    response = client.responses.create(
        model=tuned,
        input=QUESTIONS[0],
        tools=[{"type": "function", **WEATHER_TOOL["function"]}],  # type: ignore[list-item]
        temperature=0,
    )
    (item,) = response.output
    assert item.type == "function_call" and json.loads(item.arguments) == ARGUMENTS


def test_responses_give_chat_s_greedy_text_and_are_stored(
    client: openai.OpenAI, tuned: str
) -> None:
    chat = client.chat.completions.create(
        model=tuned, messages=[{"role": "user", "content": "Hello!"}], temperature=0, max_tokens=12
    )
    text = chat.choices[0].message.content
    response = client.responses.create(
        model=tuned, input="Hello!", temperature=0, max_output_tokens=12
    )
    assert response.output_text == text
    events = list(
        client.responses.create(
            model=tuned, input="Hello!", temperature=0, max_output_tokens=12, stream=True
        )
    )
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    streamed = events[-1].response  # type: ignore[union-attr]
    assert deltas == text == streamed.output_text
    assert client.responses.retrieve(response.id).output_text == text
    follow = client.responses.create(
        model=tuned, previous_response_id=response.id, input="And then?", max_output_tokens=4
    )
    assert follow.previous_response_id == response.id
    items = client.responses.input_items.list(follow.id)
    assert [i.content[0].text for i in items.data] == ["And then?"]  # type: ignore[union-attr]
    client.responses.delete(response.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response.id)


def test_parse_returns_a_valid_object_from_the_base_emulator(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(
        model=BASE,
        messages=[{"role": "user", "content": "The weather in Paris, please."}],
        response_format=Weather,
        temperature=0,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Weather)
    response = client.responses.parse(
        model=BASE, input="The weather, please.", text_format=Weather, temperature=0
    )
    assert isinstance(response.output_parsed, Weather)


def test_required_and_named_choices_return_valid_calls(client: openai.OpenAI) -> None:
    for choice in ("required", {"type": "function", "function": {"name": "get_weather"}}):
        # langchain's bind_tools / with_structured_output send exactly this shape.
        completion = client.chat.completions.create(
            model=BASE,
            messages=[{"role": "user", "content": "Weather in Paris?"}],
            tools=[WEATHER_TOOL],  # type: ignore[list-item]
            tool_choice=choice,  # type: ignore[arg-type]
            parallel_tool_calls=False,
            temperature=0,
            max_tokens=300,
        )
        (call,) = completion.choices[0].message.tool_calls or []
        arguments = json.loads(call.function.arguments)  # type: ignore[union-attr]
        assert set(arguments) == {"city", "unit"} and arguments["unit"] in ("c", "f")
