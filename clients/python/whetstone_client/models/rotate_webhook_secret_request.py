from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RotateWebhookSecretRequest")


@_attrs_define
class RotateWebhookSecretRequest:
    """The body of POST /v1/webhook_endpoints/{id}/rotate_secret.

    Attributes:
        keep_old_secret_active_for_24_hours (bool | Unset): Whether deliveries keep a signature by the previous secret
            for 24 hours. Default: False.
    """

    keep_old_secret_active_for_24_hours: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        keep_old_secret_active_for_24_hours = self.keep_old_secret_active_for_24_hours

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if keep_old_secret_active_for_24_hours is not UNSET:
            field_dict["keep_old_secret_active_for_24_hours"] = keep_old_secret_active_for_24_hours

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        keep_old_secret_active_for_24_hours = d.pop("keep_old_secret_active_for_24_hours", UNSET)

        rotate_webhook_secret_request = cls(
            keep_old_secret_active_for_24_hours=keep_old_secret_active_for_24_hours,
        )

        return rotate_webhook_secret_request
