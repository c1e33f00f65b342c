"""The contract of webhooks: events against OpenAI's description (its `webhooks` section),
endpoints against openai-python's types (the description has no endpoints yet)."""

from __future__ import annotations

import json
import typing
from typing import Any

from pydantic import BaseModel

from tests.contract.openai_schema import component_pointer, schema_errors

# OpenAI's component for each event type Whetstone emits.
EVENT_SCHEMAS = {
    "fine_tuning.job.succeeded": "WebhookFineTuningJobSucceeded",
    "fine_tuning.job.failed": "WebhookFineTuningJobFailed",
    "fine_tuning.job.cancelled": "WebhookFineTuningJobCancelled",
}


def check_event(body: bytes | str) -> dict[str, Any]:
    """The delivered event, after checking it against OpenAI's schema for its type."""
    event = json.loads(body)
    errors = schema_errors(component_pointer(EVENT_SCHEMAS[event["type"]]), event)
    assert not errors, [error.message for error in errors]
    assert event["object"] == "event" and set(event) == {
        "id",
        "object",
        "created_at",
        "type",
        "data",
    }
    return event


def check_sdk_shape(body: dict[str, Any], model: type[BaseModel]) -> None:
    """`body` has every field the SDK's `model` requires, no field it lacks, and parses."""
    fields = model.model_fields
    required = {name for name, field in fields.items() if field.is_required()}
    assert required <= set(body), f"missing {required - set(body)}"
    assert set(body) <= set(fields), f"not in {model.__name__}: {set(body) - set(fields)}"
    for name, field in fields.items():
        if typing.get_origin(field.annotation) is typing.Literal and name in body:
            assert body[name] in typing.get_args(field.annotation), (name, body[name])
    model.model_validate(body)
