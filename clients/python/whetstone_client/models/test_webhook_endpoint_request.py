from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TestWebhookEndpointRequest")


@_attrs_define
class TestWebhookEndpointRequest:
    """The body of POST /v1/webhook_endpoints/{id}/test (the SDK's `WebhookTestParams`).

    Attributes:
        event_type (str): The event type to send as a sample delivery.
    """

    event_type: str

    def to_dict(self) -> dict[str, Any]:
        event_type = self.event_type

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_type": event_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_type = d.pop("event_type")

        test_webhook_endpoint_request = cls(
            event_type=event_type,
        )

        return test_webhook_endpoint_request
