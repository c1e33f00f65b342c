from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.eval_run_status import EvalRunStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_api_error import EvalApiError
    from ..models.eval_run_criterion_result import EvalRunCriterionResult
    from ..models.eval_run_data_source import EvalRunDataSource
    from ..models.eval_run_metadata_type_0 import EvalRunMetadataType0
    from ..models.eval_run_model_usage import EvalRunModelUsage
    from ..models.eval_run_result_counts import EvalRunResultCounts


T = TypeVar("T", bound="EvalRun")


@_attrs_define
class EvalRun:
    """A run of an eval.

    Attributes:
        id (str): The run's identifier, `evalrun_...`.
        eval_id (str): The eval it runs.
        status (EvalRunStatus): `queued`, `in_progress` or how it ended.
        model (None | str): The sampled model; null for a `jsonl` run.
        name (str): The name of the run.
        created_at (int): Unix seconds when the run was created.
        report_url (str): The run's page on this server's dashboard.
        result_counts (EvalRunResultCounts): How the run's output items came out.
        per_model_usage (list[EvalRunModelUsage]): Tokens per model.
        per_testing_criteria_results (list[EvalRunCriterionResult]): Passes and failures per testing criterion.
        data_source (EvalRunDataSource): The run's data source, as created.
        metadata (EvalRunMetadataType0 | None): The run's key-value pairs.
        error (EvalApiError | None): Why the run failed; null otherwise.
        object_ (Literal['eval.run'] | Unset): Always `eval.run`. Default: 'eval.run'.
    """

    id: str
    eval_id: str
    status: EvalRunStatus
    model: None | str
    name: str
    created_at: int
    report_url: str
    result_counts: EvalRunResultCounts
    per_model_usage: list[EvalRunModelUsage]
    per_testing_criteria_results: list[EvalRunCriterionResult]
    data_source: EvalRunDataSource
    metadata: EvalRunMetadataType0 | None
    error: EvalApiError | None
    object_: Literal["eval.run"] | Unset = "eval.run"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_api_error import EvalApiError  # noqa: PLC0415
        from ..models.eval_run_metadata_type_0 import EvalRunMetadataType0  # noqa: PLC0415

        id = self.id

        eval_id = self.eval_id

        status = self.status.value

        model: None | str
        model = self.model

        name = self.name

        created_at = self.created_at

        report_url = self.report_url

        result_counts = self.result_counts.to_dict()

        per_model_usage = []
        for per_model_usage_item_data in self.per_model_usage:
            per_model_usage_item = per_model_usage_item_data.to_dict()
            per_model_usage.append(per_model_usage_item)

        per_testing_criteria_results = []
        for per_testing_criteria_results_item_data in self.per_testing_criteria_results:
            per_testing_criteria_results_item = per_testing_criteria_results_item_data.to_dict()
            per_testing_criteria_results.append(per_testing_criteria_results_item)

        data_source = self.data_source.to_dict()

        metadata: dict[str, Any] | None
        if isinstance(self.metadata, EvalRunMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        error: dict[str, Any] | None
        if isinstance(self.error, EvalApiError):
            error = self.error.to_dict()
        else:
            error = self.error

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "eval_id": eval_id,
                "status": status,
                "model": model,
                "name": name,
                "created_at": created_at,
                "report_url": report_url,
                "result_counts": result_counts,
                "per_model_usage": per_model_usage,
                "per_testing_criteria_results": per_testing_criteria_results,
                "data_source": data_source,
                "metadata": metadata,
                "error": error,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_api_error import EvalApiError  # noqa: PLC0415
        from ..models.eval_run_criterion_result import EvalRunCriterionResult  # noqa: PLC0415
        from ..models.eval_run_data_source import EvalRunDataSource  # noqa: PLC0415
        from ..models.eval_run_metadata_type_0 import EvalRunMetadataType0  # noqa: PLC0415
        from ..models.eval_run_model_usage import EvalRunModelUsage  # noqa: PLC0415
        from ..models.eval_run_result_counts import EvalRunResultCounts  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        eval_id = d.pop("eval_id")

        status = EvalRunStatus(d.pop("status"))

        def _parse_model(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        model = _parse_model(d.pop("model"))

        name = d.pop("name")

        created_at = d.pop("created_at")

        report_url = d.pop("report_url")

        result_counts = EvalRunResultCounts.from_dict(d.pop("result_counts"))

        per_model_usage = []
        _per_model_usage = d.pop("per_model_usage")
        for per_model_usage_item_data in _per_model_usage:
            per_model_usage_item = EvalRunModelUsage.from_dict(per_model_usage_item_data)

            per_model_usage.append(per_model_usage_item)

        per_testing_criteria_results = []
        _per_testing_criteria_results = d.pop("per_testing_criteria_results")
        for per_testing_criteria_results_item_data in _per_testing_criteria_results:
            per_testing_criteria_results_item = EvalRunCriterionResult.from_dict(per_testing_criteria_results_item_data)

            per_testing_criteria_results.append(per_testing_criteria_results_item)

        data_source = EvalRunDataSource.from_dict(d.pop("data_source"))

        def _parse_metadata(data: object) -> EvalRunMetadataType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = EvalRunMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvalRunMetadataType0 | None, data)

        metadata = _parse_metadata(d.pop("metadata"))

        def _parse_error(data: object) -> EvalApiError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = EvalApiError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvalApiError | None, data)

        error = _parse_error(d.pop("error"))

        object_ = cast(Literal["eval.run"] | Unset, d.pop("object", UNSET))
        if object_ != "eval.run" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'eval.run', got '{object_}'")

        eval_run = cls(
            id=id,
            eval_id=eval_id,
            status=status,
            model=model,
            name=name,
            created_at=created_at,
            report_url=report_url,
            result_counts=result_counts,
            per_model_usage=per_model_usage,
            per_testing_criteria_results=per_testing_criteria_results,
            data_source=data_source,
            metadata=metadata,
            error=error,
            object_=object_,
        )

        eval_run.additional_properties = d
        return eval_run

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
