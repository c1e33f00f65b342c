from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.content_row import ContentRow


T = TypeVar("T", bound="EvalJsonlFileContentSource")


@_attrs_define
class EvalJsonlFileContentSource:
    """Items given inline.

    Attributes:
        type_ (Literal['file_content']): Always `file_content`.
        content (list[ContentRow]): The items (the lines of a JSONL file).
    """

    type_: Literal["file_content"]
    content: list[ContentRow]

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        content = []
        for content_item_data in self.content:
            content_item = content_item_data.to_dict()
            content.append(content_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "content": content,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.content_row import ContentRow  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["file_content"], d.pop("type"))
        if type_ != "file_content":
            raise ValueError(f"type must match const 'file_content', got '{type_}'")

        content = []
        _content = d.pop("content")
        for content_item_data in _content:
            content_item = ContentRow.from_dict(content_item_data)

            content.append(content_item)

        eval_jsonl_file_content_source = cls(
            type_=type_,
            content=content,
        )

        return eval_jsonl_file_content_source
