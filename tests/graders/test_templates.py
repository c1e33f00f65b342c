"""Template strings: the item and sample namespaces, nested paths, and the error flags."""

from __future__ import annotations

import pytest

from service.core.errors import InvalidRequestError
from service.graders.templates import (
    Sample,
    TemplateError,
    check_template,
    parse_variable,
    render,
)

ITEM = {"label": "Paris", "a": {"b": {"c": 3}}, "list": ["x", {"y": True}], "n": None}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{item.label}}", "Paris"),
        ("{{ item.label }}!", "Paris!"),
        ("{{item.a.b.c}}", "3"),
        ("{{item.a.b}}", '{"c": 3}'),
        ("{{item.list.0}} {{item.list[1].y}}", "x true"),
        ("{{item.n}}", "null"),
        ("no variables", "no variables"),
        ("{{ sample.output_text }}", '{"city": "Paris", "n": 2}'),
        ("{{sample.output_json.city}}", "Paris"),
        ("{{sample.output_json.n}}", "2"),
        ("{{sample.output_tools}}", "[]"),
    ],
)
def test_render_substitutes_item_and_sample_variables(template: str, expected: str) -> None:
    sample = Sample.from_text('{"city": "Paris", "n": 2}')
    assert render(template, sample, ITEM) == expected


def test_output_tools_render_as_json_and_index() -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "arguments": "{}"}}]
    sample = Sample.from_text("", output_tools=tools)
    assert render("{{sample.output_tools.0.function.name}}", sample, {}) == "lookup"
    assert render("{{sample.output_tools}}", sample, {}).startswith('[{"type": "function"')


def test_a_sample_that_is_not_json_sets_sample_parse_error() -> None:
    sample = Sample.from_text("not json")
    assert not sample.is_json and sample.as_dict()["output_json"] is None
    with pytest.raises(TemplateError) as caught:
        render("{{sample.output_json.city}}", sample, {})
    assert caught.value.flag == "sample_parse_error"
    assert render("{{sample.output_text}}", sample, {}) == "not json"


@pytest.mark.parametrize("template", ["{{item.missing}}", "{{item.a.b.d}}", "{{item.list.5}}"])
def test_a_variable_the_item_lacks_sets_invalid_variable_error(template: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render(template, Sample.from_text("x"), ITEM)
    assert caught.value.flag == "invalid_variable_error"


@pytest.mark.parametrize(
    "template",
    ["{{foo.bar}}", "{{}}", "{{item..x}}", "{{sample.output_html}}", "{{ item.a b }}"],
)
def test_check_template_refuses_variables_that_can_never_render(template: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_template(f"Answer: {template}", "grader.input")
    assert caught.value.param == "grader.input"


def test_check_template_accepts_both_namespaces() -> None:
    check_template("{{item.x.y}} {{sample.output_json.z[0]}} {{ sample.output_text }}", "p")


def test_parse_variable() -> None:
    assert parse_variable("item.a.b[0][1]") == ["item", "a", "b", 0, 1]
    assert parse_variable("item.a b") is None
