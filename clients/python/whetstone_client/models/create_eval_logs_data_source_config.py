from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_eval_logs_data_source_config_metadata_type_0 import CreateEvalLogsDataSourceConfigMetadataType0


T = TypeVar("T", bound="CreateEvalLogsDataSourceConfig")


@_attrs_define
class CreateEvalLogsDataSourceConfig:
    """Items from the project's stored Responses, graded by `responses` runs.

    Attributes:
        type_ (Literal['logs']): Always `logs`.
        metadata (CreateEvalLogsDataSourceConfigMetadataType0 | None | Unset): Only the stored responses whose metadata
            has these pairs.
    """

    type_: Literal["logs"]
    metadata: CreateEvalLogsDataSourceConfigMetadataType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_eval_logs_data_source_config_metadata_type_0 import (
            CreateEvalLogsDataSourceConfigMetadataType0,  # noqa: PLC0415
        )

        type_ = self.type_

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateEvalLogsDataSourceConfigMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_eval_logs_data_source_config_metadata_type_0 import (
            CreateEvalLogsDataSourceConfigMetadataType0,  # noqa: PLC0415
        )

        d = dict(src_dict)
        type_ = cast(Literal["logs"], d.pop("type"))
        if type_ != "logs":
            raise ValueError(f"type must match const 'logs', got '{type_}'")

        def _parse_metadata(data: object) -> CreateEvalLogsDataSourceConfigMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateEvalLogsDataSourceConfigMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateEvalLogsDataSourceConfigMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        create_eval_logs_data_source_config = cls(
            type_=type_,
            metadata=metadata,
        )

        return create_eval_logs_data_source_config
