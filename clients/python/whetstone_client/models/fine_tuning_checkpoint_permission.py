from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FineTuningCheckpointPermission")


@_attrs_define
class FineTuningCheckpointPermission:
    """A permission for a fine-tuned model checkpoint: one project it is granted to.

    Attributes:
        id (str): The permission identifier (`cp_...`).
        created_at (int): Unix seconds when the permission was created.
        project_id (str): The project the permission is for.
        object_ (Literal['checkpoint.permission'] | Unset): Always `checkpoint.permission`. Default:
            'checkpoint.permission'.
    """

    id: str
    created_at: int
    project_id: str
    object_: Literal["checkpoint.permission"] | Unset = "checkpoint.permission"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created_at = self.created_at

        project_id = self.project_id

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "project_id": project_id,
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

        project_id = d.pop("project_id")

        object_ = cast(Literal["checkpoint.permission"] | Unset, d.pop("object", UNSET))
        if object_ != "checkpoint.permission" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'checkpoint.permission', got '{object_}'")

        fine_tuning_checkpoint_permission = cls(
            id=id,
            created_at=created_at,
            project_id=project_id,
            object_=object_,
        )

        fine_tuning_checkpoint_permission.additional_properties = d
        return fine_tuning_checkpoint_permission

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
