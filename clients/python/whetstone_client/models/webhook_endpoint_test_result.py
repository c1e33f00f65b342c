from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpointTestResult")


@_attrs_define
class WebhookEndpointTestResult:
    """What the endpoint answered to a sample event (the SDK's `WebhookEndpointTestResult`).

    Attributes:
        webhook_endpoint_id (str): The ID of the endpoint that got the test.
        event_type (str): The event type sent in the test.
        status_code (int): The HTTP status code the endpoint answered with.
        object_ (Literal['webhook_endpoint.test'] | Unset): Always `webhook_endpoint.test`. Default:
            'webhook_endpoint.test'.
        success (bool | Unset): Always true: the request completed; see `status_code`. Default: True.
    """

    webhook_endpoint_id: str
    event_type: str
    status_code: int
    object_: Literal["webhook_endpoint.test"] | Unset = "webhook_endpoint.test"
    success: bool | Unset = True
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        webhook_endpoint_id = self.webhook_endpoint_id

        event_type = self.event_type

        status_code = self.status_code

        object_ = self.object_

        success = self.success

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "webhook_endpoint_id": webhook_endpoint_id,
                "event_type": event_type,
                "status_code": status_code,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if success is not UNSET:
            field_dict["success"] = success

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        webhook_endpoint_id = d.pop("webhook_endpoint_id")

        event_type = d.pop("event_type")

        status_code = d.pop("status_code")

        object_ = cast(Literal["webhook_endpoint.test"] | Unset, d.pop("object", UNSET))
        if object_ != "webhook_endpoint.test" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'webhook_endpoint.test', got '{object_}'")

        success = d.pop("success", UNSET)

        webhook_endpoint_test_result = cls(
            webhook_endpoint_id=webhook_endpoint_id,
            event_type=event_type,
            status_code=status_code,
            object_=object_,
            success=success,
        )

        webhook_endpoint_test_result.additional_properties = d
        return webhook_endpoint_test_result

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
