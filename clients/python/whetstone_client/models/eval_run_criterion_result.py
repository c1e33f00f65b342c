from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EvalRunCriterionResult")


@_attrs_define
class EvalRunCriterionResult:
    """How the items fared on one testing criterion.

    Attributes:
        testing_criteria (str): The criterion's name.
        passed (int): Items that passed it.
        failed (int): Items that did not (errors included).
    """

    testing_criteria: str
    passed: int
    failed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        testing_criteria = self.testing_criteria

        passed = self.passed

        failed = self.failed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "testing_criteria": testing_criteria,
                "passed": passed,
                "failed": failed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        testing_criteria = d.pop("testing_criteria")

        passed = d.pop("passed")

        failed = d.pop("failed")

        eval_run_criterion_result = cls(
            testing_criteria=testing_criteria,
            passed=passed,
            failed=failed,
        )

        eval_run_criterion_result.additional_properties = d
        return eval_run_criterion_result

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
