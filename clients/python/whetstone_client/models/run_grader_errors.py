from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RunGraderErrors")


@_attrs_define
class RunGraderErrors:
    """What went wrong while grading; every flag false when the reward is the grader's own.

    Attributes:
        formula_parse_error (bool | Unset): calculate_output could not be computed. Default: False.
        sample_parse_error (bool | Unset): A template read `sample.output_json` of a sample that is not JSON. Default:
            False.
        truncated_observation_error (bool | Unset): The grader model's reply was cut at max_completions_tokens. Default:
            False.
        unresponsive_reward_error (bool | Unset): Never set by Whetstone. Default: False.
        invalid_variable_error (bool | Unset): A template names a variable the item or sample lacks. Default: False.
        other_error (bool | Unset): Any other failure. Default: False.
        python_grader_server_error (bool | Unset): The sandbox could not run the python grader. Default: False.
        python_grader_server_error_type (None | str | Unset): Why the sandbox could not run it (e.g.
            `sandbox_unavailable`).
        python_grader_runtime_error (bool | Unset): The python grader raised, returned no number, or hit a limit.
            Default: False.
        python_grader_runtime_error_details (None | str | Unset): The exception, or the limit that was hit.
        model_grader_server_error (bool | Unset): The grader model could not answer. Default: False.
        model_grader_refusal_error (bool | Unset): Never set: models never refuse. Default: False.
        model_grader_parse_error (bool | Unset): The grader model's reply holds no score in range, or no label. Default:
            False.
        model_grader_server_error_details (None | str | Unset): Why the grader model could not answer.
    """

    formula_parse_error: bool | Unset = False
    sample_parse_error: bool | Unset = False
    truncated_observation_error: bool | Unset = False
    unresponsive_reward_error: bool | Unset = False
    invalid_variable_error: bool | Unset = False
    other_error: bool | Unset = False
    python_grader_server_error: bool | Unset = False
    python_grader_server_error_type: None | str | Unset = UNSET
    python_grader_runtime_error: bool | Unset = False
    python_grader_runtime_error_details: None | str | Unset = UNSET
    model_grader_server_error: bool | Unset = False
    model_grader_refusal_error: bool | Unset = False
    model_grader_parse_error: bool | Unset = False
    model_grader_server_error_details: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        formula_parse_error = self.formula_parse_error

        sample_parse_error = self.sample_parse_error

        truncated_observation_error = self.truncated_observation_error

        unresponsive_reward_error = self.unresponsive_reward_error

        invalid_variable_error = self.invalid_variable_error

        other_error = self.other_error

        python_grader_server_error = self.python_grader_server_error

        python_grader_server_error_type: None | str | Unset
        if isinstance(self.python_grader_server_error_type, Unset):
            python_grader_server_error_type = UNSET
        else:
            python_grader_server_error_type = self.python_grader_server_error_type

        python_grader_runtime_error = self.python_grader_runtime_error

        python_grader_runtime_error_details: None | str | Unset
        if isinstance(self.python_grader_runtime_error_details, Unset):
            python_grader_runtime_error_details = UNSET
        else:
            python_grader_runtime_error_details = self.python_grader_runtime_error_details

        model_grader_server_error = self.model_grader_server_error

        model_grader_refusal_error = self.model_grader_refusal_error

        model_grader_parse_error = self.model_grader_parse_error

        model_grader_server_error_details: None | str | Unset
        if isinstance(self.model_grader_server_error_details, Unset):
            model_grader_server_error_details = UNSET
        else:
            model_grader_server_error_details = self.model_grader_server_error_details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if formula_parse_error is not UNSET:
            field_dict["formula_parse_error"] = formula_parse_error
        if sample_parse_error is not UNSET:
            field_dict["sample_parse_error"] = sample_parse_error
        if truncated_observation_error is not UNSET:
            field_dict["truncated_observation_error"] = truncated_observation_error
        if unresponsive_reward_error is not UNSET:
            field_dict["unresponsive_reward_error"] = unresponsive_reward_error
        if invalid_variable_error is not UNSET:
            field_dict["invalid_variable_error"] = invalid_variable_error
        if other_error is not UNSET:
            field_dict["other_error"] = other_error
        if python_grader_server_error is not UNSET:
            field_dict["python_grader_server_error"] = python_grader_server_error
        if python_grader_server_error_type is not UNSET:
            field_dict["python_grader_server_error_type"] = python_grader_server_error_type
        if python_grader_runtime_error is not UNSET:
            field_dict["python_grader_runtime_error"] = python_grader_runtime_error
        if python_grader_runtime_error_details is not UNSET:
            field_dict["python_grader_runtime_error_details"] = python_grader_runtime_error_details
        if model_grader_server_error is not UNSET:
            field_dict["model_grader_server_error"] = model_grader_server_error
        if model_grader_refusal_error is not UNSET:
            field_dict["model_grader_refusal_error"] = model_grader_refusal_error
        if model_grader_parse_error is not UNSET:
            field_dict["model_grader_parse_error"] = model_grader_parse_error
        if model_grader_server_error_details is not UNSET:
            field_dict["model_grader_server_error_details"] = model_grader_server_error_details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        formula_parse_error = d.pop("formula_parse_error", UNSET)

        sample_parse_error = d.pop("sample_parse_error", UNSET)

        truncated_observation_error = d.pop("truncated_observation_error", UNSET)

        unresponsive_reward_error = d.pop("unresponsive_reward_error", UNSET)

        invalid_variable_error = d.pop("invalid_variable_error", UNSET)

        other_error = d.pop("other_error", UNSET)

        python_grader_server_error = d.pop("python_grader_server_error", UNSET)

        def _parse_python_grader_server_error_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        python_grader_server_error_type = _parse_python_grader_server_error_type(
            d.pop("python_grader_server_error_type", UNSET)
        )

        python_grader_runtime_error = d.pop("python_grader_runtime_error", UNSET)

        def _parse_python_grader_runtime_error_details(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        python_grader_runtime_error_details = _parse_python_grader_runtime_error_details(
            d.pop("python_grader_runtime_error_details", UNSET)
        )

        model_grader_server_error = d.pop("model_grader_server_error", UNSET)

        model_grader_refusal_error = d.pop("model_grader_refusal_error", UNSET)

        model_grader_parse_error = d.pop("model_grader_parse_error", UNSET)

        def _parse_model_grader_server_error_details(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model_grader_server_error_details = _parse_model_grader_server_error_details(
            d.pop("model_grader_server_error_details", UNSET)
        )

        run_grader_errors = cls(
            formula_parse_error=formula_parse_error,
            sample_parse_error=sample_parse_error,
            truncated_observation_error=truncated_observation_error,
            unresponsive_reward_error=unresponsive_reward_error,
            invalid_variable_error=invalid_variable_error,
            other_error=other_error,
            python_grader_server_error=python_grader_server_error,
            python_grader_server_error_type=python_grader_server_error_type,
            python_grader_runtime_error=python_grader_runtime_error,
            python_grader_runtime_error_details=python_grader_runtime_error_details,
            model_grader_server_error=model_grader_server_error,
            model_grader_refusal_error=model_grader_refusal_error,
            model_grader_parse_error=model_grader_parse_error,
            model_grader_server_error_details=model_grader_server_error_details,
        )

        run_grader_errors.additional_properties = d
        return run_grader_errors

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
