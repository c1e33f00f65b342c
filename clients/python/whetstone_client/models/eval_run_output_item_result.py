from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_run_output_item_result_sample_type_0 import EvalRunOutputItemResultSampleType0


T = TypeVar("T", bound="EvalRunOutputItemResult")


@_attrs_define
class EvalRunOutputItemResult:
    """One testing criterion's verdict on an item.

    Attributes:
        name (str): The criterion's name.
        type_ (str): The grader type (`string_check`, ...).
        score (float): The grader's reward.
        passed (bool): Whether it reached the criterion's pass threshold.
        sample (EvalRunOutputItemResultSampleType0 | None | Unset): The grader's error flags, if any.
    """

    name: str
    type_: str
    score: float
    passed: bool
    sample: EvalRunOutputItemResultSampleType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_run_output_item_result_sample_type_0 import EvalRunOutputItemResultSampleType0  # noqa: PLC0415

        name = self.name

        type_ = self.type_

        score = self.score

        passed = self.passed

        sample: dict[str, Any] | None | Unset
        if isinstance(self.sample, Unset):
            sample = UNSET
        elif isinstance(self.sample, EvalRunOutputItemResultSampleType0):
            sample = self.sample.to_dict()
        else:
            sample = self.sample

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "type": type_,
                "score": score,
                "passed": passed,
            }
        )
        if sample is not UNSET:
            field_dict["sample"] = sample

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_run_output_item_result_sample_type_0 import EvalRunOutputItemResultSampleType0  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        type_ = d.pop("type")

        score = d.pop("score")

        passed = d.pop("passed")

        def _parse_sample(data: object) -> EvalRunOutputItemResultSampleType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sample_type_0 = EvalRunOutputItemResultSampleType0.from_dict(data)

                return sample_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvalRunOutputItemResultSampleType0 | None | Unset, data)

        sample = _parse_sample(d.pop("sample", UNSET))

        eval_run_output_item_result = cls(
            name=name,
            type_=type_,
            score=score,
            passed=passed,
            sample=sample,
        )

        eval_run_output_item_result.additional_properties = d
        return eval_run_output_item_result

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
