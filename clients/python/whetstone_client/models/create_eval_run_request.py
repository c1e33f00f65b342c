from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_eval_completions_run_data_source import CreateEvalCompletionsRunDataSource
    from ..models.create_eval_jsonl_run_data_source import CreateEvalJsonlRunDataSource
    from ..models.create_eval_responses_run_data_source import CreateEvalResponsesRunDataSource
    from ..models.create_eval_run_request_metadata_type_0 import CreateEvalRunRequestMetadataType0


T = TypeVar("T", bound="CreateEvalRunRequest")


@_attrs_define
class CreateEvalRunRequest:
    """The body of POST /v1/evals/{eval_id}/runs.

    Attributes:
        data_source (CreateEvalCompletionsRunDataSource | CreateEvalJsonlRunDataSource |
            CreateEvalResponsesRunDataSource): The items, and how samples are made.
        name (None | str | Unset): The name of the run.
        metadata (CreateEvalRunRequestMetadataType0 | None | Unset): Up to 16 key-value pairs.
    """

    data_source: CreateEvalCompletionsRunDataSource | CreateEvalJsonlRunDataSource | CreateEvalResponsesRunDataSource
    name: None | str | Unset = UNSET
    metadata: CreateEvalRunRequestMetadataType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_eval_completions_run_data_source import CreateEvalCompletionsRunDataSource  # noqa: PLC0415
        from ..models.create_eval_jsonl_run_data_source import CreateEvalJsonlRunDataSource  # noqa: PLC0415
        from ..models.create_eval_run_request_metadata_type_0 import CreateEvalRunRequestMetadataType0  # noqa: PLC0415

        data_source: dict[str, Any]
        if isinstance(self.data_source, CreateEvalJsonlRunDataSource):
            data_source = self.data_source.to_dict()
        elif isinstance(self.data_source, CreateEvalCompletionsRunDataSource):
            data_source = self.data_source.to_dict()
        else:
            data_source = self.data_source.to_dict()

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateEvalRunRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data_source": data_source,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_eval_completions_run_data_source import CreateEvalCompletionsRunDataSource  # noqa: PLC0415
        from ..models.create_eval_jsonl_run_data_source import CreateEvalJsonlRunDataSource  # noqa: PLC0415
        from ..models.create_eval_responses_run_data_source import CreateEvalResponsesRunDataSource  # noqa: PLC0415
        from ..models.create_eval_run_request_metadata_type_0 import CreateEvalRunRequestMetadataType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_data_source(
            data: object,
        ) -> CreateEvalCompletionsRunDataSource | CreateEvalJsonlRunDataSource | CreateEvalResponsesRunDataSource:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_source_type_0 = CreateEvalJsonlRunDataSource.from_dict(data)

                return data_source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_source_type_1 = CreateEvalCompletionsRunDataSource.from_dict(data)

                return data_source_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            data_source_type_2 = CreateEvalResponsesRunDataSource.from_dict(data)

            return data_source_type_2

        data_source = _parse_data_source(d.pop("data_source"))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_metadata(data: object) -> CreateEvalRunRequestMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateEvalRunRequestMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateEvalRunRequestMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        create_eval_run_request = cls(
            data_source=data_source,
            name=name,
            metadata=metadata,
        )

        return create_eval_run_request
