from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_eval_custom_data_source_config_item_schema import CreateEvalCustomDataSourceConfigItemSchema


T = TypeVar("T", bound="CreateEvalCustomDataSourceConfig")


@_attrs_define
class CreateEvalCustomDataSourceConfig:
    """The schema of each item, and whether runs fill the `sample` namespace.

    Attributes:
        type_ (Literal['custom']): Always `custom`.
        item_schema (CreateEvalCustomDataSourceConfigItemSchema): The JSON schema of each item.
        include_sample_schema (bool | Unset): Whether runs generate samples (the `sample` namespace). Default: False.
    """

    type_: Literal["custom"]
    item_schema: CreateEvalCustomDataSourceConfigItemSchema
    include_sample_schema: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        item_schema = self.item_schema.to_dict()

        include_sample_schema = self.include_sample_schema

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "item_schema": item_schema,
            }
        )
        if include_sample_schema is not UNSET:
            field_dict["include_sample_schema"] = include_sample_schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_eval_custom_data_source_config_item_schema import (
            CreateEvalCustomDataSourceConfigItemSchema,  # noqa: PLC0415
        )

        d = dict(src_dict)
        type_ = cast(Literal["custom"], d.pop("type"))
        if type_ != "custom":
            raise ValueError(f"type must match const 'custom', got '{type_}'")

        item_schema = CreateEvalCustomDataSourceConfigItemSchema.from_dict(d.pop("item_schema"))

        include_sample_schema = d.pop("include_sample_schema", UNSET)

        create_eval_custom_data_source_config = cls(
            type_=type_,
            item_schema=item_schema,
            include_sample_schema=include_sample_schema,
        )

        return create_eval_custom_data_source_config
