from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EvalRunResultCounts")


@_attrs_define
class EvalRunResultCounts:
    """How the run's output items came out.

    Attributes:
        total (int): Output items graded so far.
        errored (int): Items whose sample or grading errored.
        failed (int): Items that failed a testing criterion.
        passed (int): Items that passed every testing criterion.
    """

    total: int
    errored: int
    failed: int
    passed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total = self.total

        errored = self.errored

        failed = self.failed

        passed = self.passed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "total": total,
                "errored": errored,
                "failed": failed,
                "passed": passed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        total = d.pop("total")

        errored = d.pop("errored")

        failed = d.pop("failed")

        passed = d.pop("passed")

        eval_run_result_counts = cls(
            total=total,
            errored=errored,
            failed=failed,
            passed=passed,
        )

        eval_run_result_counts.additional_properties = d
        return eval_run_result_counts

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
