from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreateFineTuningCheckpointPermissionRequest")


@_attrs_define
class CreateFineTuningCheckpointPermissionRequest:
    """Grant a fine-tuned model checkpoint to other projects.

    Attributes:
        project_ids (list[str]): The project identifiers to grant access to.
    """

    project_ids: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        project_ids = self.project_ids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "project_ids": project_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        project_ids = cast(list[str], d.pop("project_ids"))

        create_fine_tuning_checkpoint_permission_request = cls(
            project_ids=project_ids,
        )

        create_fine_tuning_checkpoint_permission_request.additional_properties = d
        return create_fine_tuning_checkpoint_permission_request

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
