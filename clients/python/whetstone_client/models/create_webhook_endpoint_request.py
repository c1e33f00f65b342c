from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreateWebhookEndpointRequest")


@_attrs_define
class CreateWebhookEndpointRequest:
    """The body of POST /v1/webhook_endpoints (the SDK's `WebhookCreateParams`).

    Attributes:
        event_types (list[str]): The event types that trigger deliveries to this endpoint.
        name (str): A human-readable name for the webhook endpoint.
        url (str): The http(s) URL that receives webhook deliveries.
    """

    event_types: list[str]
    name: str
    url: str

    def to_dict(self) -> dict[str, Any]:
        event_types = self.event_types

        name = self.name

        url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_types": event_types,
                "name": name,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_types = cast(list[str], d.pop("event_types"))

        name = d.pop("name")

        url = d.pop("url")

        create_webhook_endpoint_request = cls(
            event_types=event_types,
            name=name,
            url=url,
        )

        return create_webhook_endpoint_request
