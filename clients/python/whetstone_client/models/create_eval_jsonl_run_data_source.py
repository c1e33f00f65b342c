from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.eval_jsonl_file_content_source import EvalJsonlFileContentSource
    from ..models.eval_jsonl_file_id_source import EvalJsonlFileIdSource


T = TypeVar("T", bound="CreateEvalJsonlRunDataSource")


@_attrs_define
class CreateEvalJsonlRunDataSource:
    """Items (and optional samples) from JSONL, graded as they are.

    Attributes:
        type_ (Literal['jsonl']): Always `jsonl`.
        source (EvalJsonlFileContentSource | EvalJsonlFileIdSource): What fills the `item` namespace.
    """

    type_: Literal["jsonl"]
    source: EvalJsonlFileContentSource | EvalJsonlFileIdSource

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_jsonl_file_content_source import EvalJsonlFileContentSource  # noqa: PLC0415

        type_ = self.type_

        source: dict[str, Any]
        if isinstance(self.source, EvalJsonlFileContentSource):
            source = self.source.to_dict()
        else:
            source = self.source.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_jsonl_file_content_source import EvalJsonlFileContentSource  # noqa: PLC0415
        from ..models.eval_jsonl_file_id_source import EvalJsonlFileIdSource  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["jsonl"], d.pop("type"))
        if type_ != "jsonl":
            raise ValueError(f"type must match const 'jsonl', got '{type_}'")

        def _parse_source(data: object) -> EvalJsonlFileContentSource | EvalJsonlFileIdSource:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                source_type_0 = EvalJsonlFileContentSource.from_dict(data)

                return source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            source_type_1 = EvalJsonlFileIdSource.from_dict(data)

            return source_type_1

        source = _parse_source(d.pop("source"))

        create_eval_jsonl_run_data_source = cls(
            type_=type_,
            source=source,
        )

        return create_eval_jsonl_run_data_source
