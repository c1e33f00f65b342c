from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.run_grader_errors import RunGraderErrors
    from ..models.run_grader_metadata_scores import RunGraderMetadataScores


T = TypeVar("T", bound="RunGraderMetadata")


@_attrs_define
class RunGraderMetadata:
    """What happened while grading.

    Attributes:
        name (str): The grader's name.
        type_ (str): The grader's type.
        errors (RunGraderErrors): What went wrong while grading; every flag false when the reward is the grader's own.
        execution_time (float): Seconds the grading took.
        scores (RunGraderMetadataScores): A multi grader's sub-grader rewards, by name.
        token_usage (int | None): Tokens the grader models used (prompt and completion), or null.
        sampled_model_name (None | str): The grader model, when exactly one model was sampled.
    """

    name: str
    type_: str
    errors: RunGraderErrors
    execution_time: float
    scores: RunGraderMetadataScores
    token_usage: int | None
    sampled_model_name: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_

        errors = self.errors.to_dict()

        execution_time = self.execution_time

        scores = self.scores.to_dict()

        token_usage: int | None
        token_usage = self.token_usage

        sampled_model_name: None | str
        sampled_model_name = self.sampled_model_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "type": type_,
                "errors": errors,
                "execution_time": execution_time,
                "scores": scores,
                "token_usage": token_usage,
                "sampled_model_name": sampled_model_name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_grader_errors import RunGraderErrors  # noqa: PLC0415
        from ..models.run_grader_metadata_scores import RunGraderMetadataScores  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        type_ = d.pop("type")

        errors = RunGraderErrors.from_dict(d.pop("errors"))

        execution_time = d.pop("execution_time")

        scores = RunGraderMetadataScores.from_dict(d.pop("scores"))

        def _parse_token_usage(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        token_usage = _parse_token_usage(d.pop("token_usage"))

        def _parse_sampled_model_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sampled_model_name = _parse_sampled_model_name(d.pop("sampled_model_name"))

        run_grader_metadata = cls(
            name=name,
            type_=type_,
            errors=errors,
            execution_time=execution_time,
            scores=scores,
            token_usage=token_usage,
            sampled_model_name=sampled_model_name,
        )

        run_grader_metadata.additional_properties = d
        return run_grader_metadata

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
