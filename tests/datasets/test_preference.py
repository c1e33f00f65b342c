"""The preference (DPO) format: streaming validation, every bad-line kind with its number, and
tokenizing a pair with the prompt masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.datasets.chat import validate_chat_file
from service.datasets.errors import DatasetError
from service.datasets.preference import (
    PreferenceReport,
    encode_preference,
    load_preference_pairs,
    validate_preference_file,
)
from service.datasets.tokenize import IGNORE_INDEX


def preference(
    user: str = "What is the weather in San Francisco?",
    chosen: Any = "It is 70 degrees Fahrenheit.",
    rejected: Any = "It is 21 degrees Celsius.",
    **extra: Any,
) -> dict[str, Any]:
    """OpenAI's documented example line."""
    return {
        "input": {"messages": [{"role": "user", "content": user}]},
        "preferred_output": [{"role": "assistant", "content": chosen}],
        "non_preferred_output": [{"role": "assistant", "content": rejected}],
        **extra,
    }


def jsonl(examples: list[Any]) -> bytes:
    return b"".join(json.dumps(example).encode() + b"\n" for example in examples)


def validate(data: bytes, **kwargs: Any) -> PreferenceReport:
    return validate_preference_file([data], **kwargs)


def fail(data: bytes, **kwargs: Any) -> DatasetError:
    with pytest.raises(DatasetError) as caught:
        validate(data, **kwargs)
    return caught.value


def with_bad_line(bad: bytes, at: int = 4, total: int = 12) -> bytes:
    """A file of valid preference lines whose line `at` (1-based) is `bad`."""
    lines = [json.dumps(preference(f"q{i}")).encode() for i in range(total)]
    lines[at - 1] = bad
    return b"\n".join(lines) + b"\n"


def line(example: Any) -> bytes:
    return json.dumps(example).encode()


# valid files


def test_a_valid_file_reports_its_counts() -> None:
    report = validate(jsonl([preference(f"q{i}") for i in range(12)]))
    assert (report.n_examples, report.n_lines, report.warnings) == (12, 12, [])
    assert report.n_bytes == len(jsonl([preference(f"q{i}") for i in range(12)]))


def test_every_chat_feature_is_accepted_in_the_input_and_replies() -> None:
    tool = {"type": "function", "function": {"name": "weather", "parameters": {}}}
    call = {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}
    rich = {
        "input": {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "developer", "content": [{"type": "text", "text": "Use tools."}]},
                {"role": "user", "content": "Weather?", "name": "ann"},
                {"role": "assistant", "content": None, "tool_calls": [call], "weight": 0},
                {"role": "tool", "tool_call_id": "c1", "content": "70F"},
                {"role": "assistant", "content": "", "weight": 1},  # context: never trained
                {"role": "user", "content": "So?"},
            ],
            "tools": [tool],
            "parallel_tool_calls": False,
        },
        "preferred_output": [{"role": "assistant", "content": [{"type": "text", "text": "70F"}]}],
        "non_preferred_output": [{"role": "assistant", "content": None, "tool_calls": [call]}],
    }
    report = validate(jsonl([rich] + [preference()] * 9))
    assert report.n_examples == 10 and report.n_examples_with_tools == 1


def test_unknown_keys_are_warned_about_once() -> None:
    examples = [preference(f"q{i}", note="x") for i in range(10)]
    examples[3]["input"]["extra"] = 1
    report = validate(jsonl(examples))
    assert report.warnings == [
        'Line 1: key "note" is not part of the preference format.',
        'Line 4: key "input.extra" is not part of the format.',
    ]


def test_a_validation_file_needs_one_example() -> None:
    assert validate(jsonl([preference()]), param="validation_file", min_examples=1).n_examples == 1


def test_too_few_examples() -> None:
    error = fail(jsonl([preference()] * 9))
    assert (error.code, error.param) == ("invalid_n_examples", "training_file")
    assert "9 example(s)" in error.message


# bad lines: every kind, with its number


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (b'{"input": ', "Line 4 is not valid JSON"),
        (b'{"input": {"messages": [{"role": "user", "content": "caf\xe9"}]}}', "not valid UTF-8"),
        (b"[1, 2]", "Line 4 must be a JSON object, not an array"),
        (b"[" * 100 + b"]" * 100, "nests arrays or objects more than 64 levels"),
        (
            line(
                {
                    "messages": [
                        {"role": "user", "content": "q"},
                        {"role": "assistant", "content": "a"},
                    ]
                }
            ),
            'Line 4 is a chat example {"messages": [...]}, but this job uses the DPO method',
        ),
        (line({"prompt": "p", "completion": "c"}), "Line 4 is a prompt-completion pair"),
        (line({"preferred_output": []}), 'Line 4, key "input": missing'),
        (line(preference() | {"input": "hello"}), 'key "input": must be an object'),
        (line(preference() | {"input": {"messages": []}}), 'key "input.messages": must be a non'),
        (line(preference() | {"input": {}}), 'key "input.messages": must be a non-empty list'),
        (
            line(preference() | {"input": {"messages": ["hi"]}}),
            "Line 4, input message 1: must be an object, not a string",
        ),
        (
            line(preference() | {"input": {"messages": [{"content": "q"}]}}),
            'Line 4, input message 1: missing "role"',
        ),
        (
            line(preference() | {"input": {"messages": [{"role": "wizard", "content": "q"}]}}),
            'Line 4, input message 1: unknown role "wizard"',
        ),
        (
            line(preference() | {"input": {"messages": [{"role": "user"}]}}),
            'Line 4, input message 1: missing "content"',
        ),
        (
            line(
                preference()
                | {"input": {"messages": [{"role": "user", "content": "q", "weight": 1}]}}
            ),
            'Line 4, input message 1, key "weight": only assistant messages of the input',
        ),
        (
            line(
                preference()
                | {
                    "input": {
                        "messages": [
                            {"role": "user", "content": "q"},
                            {"role": "assistant", "content": "a", "weight": 0.5},
                        ]
                    }
                }
            ),
            'Line 4, input message 2, key "weight": must be 0 or 1',
        ),
        (
            line(
                preference()
                | {
                    "input": {
                        "messages": [
                            {
                                "role": "user",
                                "content": [{"type": "image_url", "image_url": {"url": "x"}}],
                            }
                        ]
                    }
                }
            ),
            'part 1 is of type "image_url"',
        ),
        (
            line(preference() | {"input": {"messages": [{"role": "tool", "content": "r"}]}}),
            'a tool message needs a string "tool_call_id"',
        ),
        (
            line(
                preference()
                | {
                    "input": {
                        "messages": [{"role": "user", "content": "q"}],
                        "tools": [{"type": "function"}],
                    }
                }
            ),
            'Line 4, key "tools": tool 1 must be',
        ),
        (
            line(
                preference()
                | {
                    "input": {
                        "messages": [{"role": "user", "content": "q"}],
                        "parallel_tool_calls": "yes",
                    }
                }
            ),
            'key "parallel_tool_calls": must be true or false',
        ),
        (
            line({k: v for k, v in preference().items() if k != "preferred_output"}),
            'Line 4, key "preferred_output": missing',
        ),
        (
            line({k: v for k, v in preference().items() if k != "non_preferred_output"}),
            'Line 4, key "non_preferred_output": missing',
        ),
        (
            line(preference() | {"preferred_output": []}),
            'key "preferred_output": must be a list holding exactly one assistant message',
        ),
        (
            line(preference() | {"preferred_output": {"role": "assistant", "content": "a"}}),
            'key "preferred_output": must be a list holding exactly one',
        ),
        (
            line(
                preference()
                | {
                    "non_preferred_output": [
                        {"role": "assistant", "content": "a"},
                        {"role": "assistant", "content": "b"},
                    ]
                }
            ),
            'key "non_preferred_output": must be a list holding exactly one',
        ),
        (
            line(preference() | {"preferred_output": [{"role": "user", "content": "a"}]}),
            'key "preferred_output": must be an assistant message, not "user"',
        ),
        (
            line(preference() | {"preferred_output": ["a"]}),
            'key "preferred_output": must be an object, not a string',
        ),
        (line(preference(chosen="")), 'key "preferred_output", key "content": must not be empty'),
        (
            line(preference(rejected=None)),
            'key "non_preferred_output": an assistant message needs "content"',
        ),
        (
            line(preference(rejected=[{"type": "image_url", "image_url": {"url": "x"}}])),
            'key "non_preferred_output", key "content": part 1 is of type "image_url"',
        ),
        (
            line(
                preference()
                | {"preferred_output": [{"role": "assistant", "content": "a", "weight": 1}]}
            ),
            'key "preferred_output", key "weight": only assistant messages of the input',
        ),
        (
            line(
                preference()
                | {
                    "preferred_output": [
                        {"role": "assistant", "tool_calls": [{"function": {"name": "f"}}]}
                    ]
                }
            ),
            '"arguments" must be a string of JSON',
        ),
    ],
)
def test_a_bad_line_fails_with_its_number(bad: bytes, expected: str) -> None:
    error = fail(with_bad_line(bad))
    assert expected in error.message
    assert error.message.startswith("Invalid file format. Line 4")
    assert (error.code, error.param, error.line) == ("invalid_training_file", "training_file", 4)


def test_a_bad_validation_line_names_the_validation_file() -> None:
    error = fail(with_bad_line(b"{}", at=2, total=3), param="validation_file", min_examples=1)
    assert (error.code, error.param, error.line) == (
        "invalid_validation_file",
        "validation_file",
        2,
    )


def test_a_line_too_long_is_refused_with_its_number(monkeypatch: pytest.MonkeyPatch) -> None:
    import service.datasets.lines as module

    monkeypatch.setattr(module, "MAX_LINE_BYTES", 300)  # the other lines are about 170
    error = fail(with_bad_line(line(preference("x" * 400)), at=3))
    assert error.line == 3 and "longer than 300 bytes" in error.message


def test_a_check_that_breaks_still_names_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import service.datasets.preference as module

    def broken(example: Any, number: int) -> None:
        raise KeyError("unforeseen")

    monkeypatch.setattr(module, "check_preference", broken)
    error = fail(with_bad_line(line(preference())))
    assert error.line == 1 and "could not be read (KeyError)" in error.message


def test_a_preference_line_in_a_supervised_job_says_so() -> None:
    chat = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    lines = [json.dumps(chat).encode()] * 12
    lines[6] = line(preference())
    with pytest.raises(DatasetError) as caught:
        validate_chat_file([b"\n".join(lines)])
    assert caught.value.line == 7
    assert "Line 7 is a preference (DPO) example" in caught.value.message
    assert 'method type "dpo"' in caught.value.message


# tokenizing


def test_a_pair_trains_each_reply_and_masks_the_shared_prompt(tokenizer: Any) -> None:
    example = preference(chosen="Warm.", rejected="Cold and wet.")
    example["input"]["messages"] = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello, ask away."},
        {"role": "user", "content": "Weather?"},
    ]
    pair = encode_preference(example, tokenizer, context_length=1024)
    for encoded, reply in ((pair.chosen, "Warm."), (pair.rejected, "Cold and wet.")):
        trained = [token for token in encoded.labels if token != IGNORE_INDEX]
        text = tokenizer.decode(trained)
        assert text.startswith(reply) and "Hello, ask away" not in text
        assert encoded.n_trainable == len(trained)
    # The prompt is the same tokens in both; the replies start where it ends.
    first_chosen = next(i for i, t in enumerate(pair.chosen.labels) if t != IGNORE_INDEX)
    first_rejected = next(i for i, t in enumerate(pair.rejected.labels) if t != IGNORE_INDEX)
    assert first_chosen == first_rejected
    assert pair.chosen.input_ids[:first_chosen] == pair.rejected.input_ids[:first_rejected]


def test_loading_skips_a_pair_whose_reply_is_cut_away(tokenizer: Any, tmp_path: Path) -> None:
    examples = [preference(f"q{i}") for i in range(3)]
    examples.append(preference("long " * 200))
    path = tmp_path / "train.jsonl"
    path.write_bytes(jsonl(examples))
    warnings: list[str] = []
    pairs, report = load_preference_pairs(path, tokenizer, context_length=64, warn=warnings.append)
    assert len(pairs) == report.n_examples == 3 and report.n_skipped == 1
    assert "Example on line 4 was truncated to 64 tokens" in warnings
    assert any(
        w.startswith("Example on line 4 has a reply with no trained tokens") for w in warnings
    )
    assert report.n_tokens == sum(
        len(p.chosen.input_ids) + len(p.rejected.input_ids) for p in pairs
    )
