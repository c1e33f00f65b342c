from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..models.eval_string_check_grader_operation import EvalStringCheckGraderOperation

T = TypeVar("T", bound="EvalStringCheckGrader")


@_attrs_define
class EvalStringCheckGrader:
    """A string_check criterion: it passes when the reward is 1.

    Attributes:
        type_ (Literal['string_check']): The object type, always `string_check`.
        name (str): The name of the grader.
        input_ (str): The input text. This may include template strings.
        reference (str): The reference text. This may include template strings.
        operation (EvalStringCheckGraderOperation): `eq`, `ne`, `like` (input contains reference) or `ilike` (ignoring
            case).
    """

    type_: Literal["string_check"]
    name: str
    input_: str
    reference: str
    operation: EvalStringCheckGraderOperation

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        name = self.name

        input_ = self.input_

        reference = self.reference

        operation = self.operation.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "name": name,
                "input": input_,
                "reference": reference,
                "operation": operation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["string_check"], d.pop("type"))
        if type_ != "string_check":
            raise ValueError(f"type must match const 'string_check', got '{type_}'")

        name = d.pop("name")

        input_ = d.pop("input")

        reference = d.pop("reference")

        operation = EvalStringCheckGraderOperation(d.pop("operation"))

        eval_string_check_grader = cls(
            type_=type_,
            name=name,
            input_=input_,
            reference=reference,
            operation=operation,
        )

        return eval_string_check_grader
