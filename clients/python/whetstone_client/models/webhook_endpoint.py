from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpoint")


@_attrs_define
class WebhookEndpoint:
    """A webhook endpoint (the SDK's `WebhookEndpoint`).

    Attributes:
        id (str): The unique ID of the webhook endpoint.
        created_at (int): The Unix timestamp when the endpoint was created.
        updated_at (int): The Unix timestamp of the last configuration or signing-secret change.
        event_types (list[str]): The event types that trigger deliveries to this endpoint.
        name (str): The human-readable name of the endpoint.
        url (str): The URL that receives webhook deliveries.
        signing_secret_hint (str): A masked hint for the endpoint's signing secret.
        object_ (Literal['webhook_endpoint'] | Unset): Always `webhook_endpoint`. Default: 'webhook_endpoint'.
    """

    id: str
    created_at: int
    updated_at: int
    event_types: list[str]
    name: str
    url: str
    signing_secret_hint: str
    object_: Literal["webhook_endpoint"] | Unset = "webhook_endpoint"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created_at = self.created_at

        updated_at = self.updated_at

        event_types = self.event_types

        name = self.name

        url = self.url

        signing_secret_hint = self.signing_secret_hint

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "updated_at": updated_at,
                "event_types": event_types,
                "name": name,
                "url": url,
                "signing_secret_hint": signing_secret_hint,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        created_at = d.pop("created_at")

        updated_at = d.pop("updated_at")

        event_types = cast(list[str], d.pop("event_types"))

        name = d.pop("name")

        url = d.pop("url")

        signing_secret_hint = d.pop("signing_secret_hint")

        object_ = cast(Literal["webhook_endpoint"] | Unset, d.pop("object", UNSET))
        if object_ != "webhook_endpoint" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'webhook_endpoint', got '{object_}'")

        webhook_endpoint = cls(
            id=id,
            created_at=created_at,
            updated_at=updated_at,
            event_types=event_types,
            name=name,
            url=url,
            signing_secret_hint=signing_secret_hint,
            object_=object_,
        )

        webhook_endpoint.additional_properties = d
        return webhook_endpoint

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
