from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.eval_item import EvalItem


T = TypeVar("T", bound="TemplateInputMessages")


@_attrs_define
class TemplateInputMessages:
    """Messages with `{{item.*}}` templates.

    Attributes:
        type_ (Literal['template']): Always `template`.
        template (list[EvalItem]): The messages, with templates.
    """

    type_: Literal["template"]
    template: list[EvalItem]

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        template = []
        for template_item_data in self.template:
            template_item = template_item_data.to_dict()
            template.append(template_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "template": template,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_item import EvalItem  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["template"], d.pop("type"))
        if type_ != "template":
            raise ValueError(f"type must match const 'template', got '{type_}'")

        template = []
        _template = d.pop("template")
        for template_item_data in _template:
            template_item = EvalItem.from_dict(template_item_data)

            template.append(template_item)

        template_input_messages = cls(
            type_=type_,
            template=template,
        )

        return template_input_messages
