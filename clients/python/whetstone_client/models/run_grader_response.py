from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.run_grader_metadata import RunGraderMetadata
    from ..models.run_grader_response_model_grader_token_usage_per_model import (
        RunGraderResponseModelGraderTokenUsagePerModel,
    )
    from ..models.run_grader_response_sub_rewards import RunGraderResponseSubRewards


T = TypeVar("T", bound="RunGraderResponse")


@_attrs_define
class RunGraderResponse:
    """The reward of one sample, and how it was computed.

    Attributes:
        reward (float): The reward (0 when an error flag is set).
        metadata (RunGraderMetadata): What happened while grading.
        sub_rewards (RunGraderResponseSubRewards): A multi grader's sub-grader rewards.
        model_grader_token_usage_per_model (RunGraderResponseModelGraderTokenUsagePerModel): Per grader model:
            prompt_tokens, completion_tokens, total_tokens, cached_tokens.
    """

    reward: float
    metadata: RunGraderMetadata
    sub_rewards: RunGraderResponseSubRewards
    model_grader_token_usage_per_model: RunGraderResponseModelGraderTokenUsagePerModel
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reward = self.reward

        metadata = self.metadata.to_dict()

        sub_rewards = self.sub_rewards.to_dict()

        model_grader_token_usage_per_model = self.model_grader_token_usage_per_model.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reward": reward,
                "metadata": metadata,
                "sub_rewards": sub_rewards,
                "model_grader_token_usage_per_model": model_grader_token_usage_per_model,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_grader_metadata import RunGraderMetadata  # noqa: PLC0415
        from ..models.run_grader_response_model_grader_token_usage_per_model import (
            RunGraderResponseModelGraderTokenUsagePerModel,  # noqa: PLC0415
        )
        from ..models.run_grader_response_sub_rewards import RunGraderResponseSubRewards  # noqa: PLC0415

        d = dict(src_dict)
        reward = d.pop("reward")

        metadata = RunGraderMetadata.from_dict(d.pop("metadata"))

        sub_rewards = RunGraderResponseSubRewards.from_dict(d.pop("sub_rewards"))

        model_grader_token_usage_per_model = RunGraderResponseModelGraderTokenUsagePerModel.from_dict(
            d.pop("model_grader_token_usage_per_model")
        )

        run_grader_response = cls(
            reward=reward,
            metadata=metadata,
            sub_rewards=sub_rewards,
            model_grader_token_usage_per_model=model_grader_token_usage_per_model,
        )

        run_grader_response.additional_properties = d
        return run_grader_response

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
