from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.eval_item import EvalItem


T = TypeVar("T", bound="EvalLabelModelGrader")


@_attrs_define
class EvalLabelModelGrader:
    """A label_model criterion: it passes when the model answers one of `passing_labels`.

    Attributes:
        type_ (Literal['label_model']): The object type, always `label_model`.
        name (str): The name of the grader.
        model (str): A served model: a catalog name or alias, or an `ft:` name.
        input_ (list[EvalItem]): The messages sent to the model, with templates.
        labels (list[str]): The labels the model may answer.
        passing_labels (list[str]): The labels that pass (a subset of labels).
    """

    type_: Literal["label_model"]
    name: str
    model: str
    input_: list[EvalItem]
    labels: list[str]
    passing_labels: list[str]

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        name = self.name

        model = self.model

        input_ = []
        for input_item_data in self.input_:
            input_item = input_item_data.to_dict()
            input_.append(input_item)

        labels = self.labels

        passing_labels = self.passing_labels

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "name": name,
                "model": model,
                "input": input_,
                "labels": labels,
                "passing_labels": passing_labels,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_item import EvalItem  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["label_model"], d.pop("type"))
        if type_ != "label_model":
            raise ValueError(f"type must match const 'label_model', got '{type_}'")

        name = d.pop("name")

        model = d.pop("model")

        input_ = []
        _input_ = d.pop("input")
        for input_item_data in _input_:
            input_item = EvalItem.from_dict(input_item_data)

            input_.append(input_item)

        labels = cast(list[str], d.pop("labels"))

        passing_labels = cast(list[str], d.pop("passing_labels"))

        eval_label_model_grader = cls(
            type_=type_,
            name=name,
            model=model,
            input_=input_,
            labels=labels,
            passing_labels=passing_labels,
        )

        return eval_label_model_grader
