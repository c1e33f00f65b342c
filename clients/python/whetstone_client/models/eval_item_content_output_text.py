from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="EvalItemContentOutputText")


@_attrs_define
class EvalItemContentOutputText:
    """A text output from the model.

    Attributes:
        type_ (Literal['output_text']): Always `output_text`.
        text (str): The text output from the model; may include templates.
    """

    type_: Literal["output_text"]
    text: str

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        text = self.text

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "text": text,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["output_text"], d.pop("type"))
        if type_ != "output_text":
            raise ValueError(f"type must match const 'output_text', got '{type_}'")

        text = d.pop("text")

        eval_item_content_output_text = cls(
            type_=type_,
            text=text,
        )

        return eval_item_content_output_text
