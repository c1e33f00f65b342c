from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_logs_data_source_config_metadata_type_0 import EvalLogsDataSourceConfigMetadataType0
    from ..models.eval_logs_data_source_config_schema import EvalLogsDataSourceConfigSchema


T = TypeVar("T", bound="EvalLogsDataSourceConfig")


@_attrs_define
class EvalLogsDataSourceConfig:
    """The `item` (a stored response's input) and `sample` (its output) of a logs eval.

    Attributes:
        schema (EvalLogsDataSourceConfigSchema): The namespaces' schema.
        type_ (Literal['logs'] | Unset): Always `logs`. Default: 'logs'.
        metadata (EvalLogsDataSourceConfigMetadataType0 | None | Unset): The metadata filter of the eval's responses.
    """

    schema: EvalLogsDataSourceConfigSchema
    type_: Literal["logs"] | Unset = "logs"
    metadata: EvalLogsDataSourceConfigMetadataType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_logs_data_source_config_metadata_type_0 import EvalLogsDataSourceConfigMetadataType0  # noqa: PLC0415

        schema = self.schema.to_dict()

        type_ = self.type_

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, EvalLogsDataSourceConfigMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "schema": schema,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_logs_data_source_config_metadata_type_0 import EvalLogsDataSourceConfigMetadataType0  # noqa: PLC0415
        from ..models.eval_logs_data_source_config_schema import EvalLogsDataSourceConfigSchema  # noqa: PLC0415

        d = dict(src_dict)
        schema = EvalLogsDataSourceConfigSchema.from_dict(d.pop("schema"))

        type_ = cast(Literal["logs"] | Unset, d.pop("type", UNSET))
        if type_ != "logs" and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'logs', got '{type_}'")

        def _parse_metadata(data: object) -> EvalLogsDataSourceConfigMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = EvalLogsDataSourceConfigMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvalLogsDataSourceConfigMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        eval_logs_data_source_config = cls(
            schema=schema,
            type_=type_,
            metadata=metadata,
        )

        eval_logs_data_source_config.additional_properties = d
        return eval_logs_data_source_config

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
