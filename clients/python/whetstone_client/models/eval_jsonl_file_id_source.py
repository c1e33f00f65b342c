from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="EvalJsonlFileIdSource")


@_attrs_define
class EvalJsonlFileIdSource:
    """Items in an uploaded JSONL file, one `{"item": ..., "sample": ...}` per line.

    Attributes:
        type_ (Literal['file_id']): Always `file_id`.
        id (str): The file's identifier.
    """

    type_: Literal["file_id"]
    id: str

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        id = self.id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "id": id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["file_id"], d.pop("type"))
        if type_ != "file_id":
            raise ValueError(f"type must match const 'file_id', got '{type_}'")

        id = d.pop("id")

        eval_jsonl_file_id_source = cls(
            type_=type_,
            id=id,
        )

        return eval_jsonl_file_id_source
