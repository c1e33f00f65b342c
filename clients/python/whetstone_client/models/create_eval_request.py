from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_eval_custom_data_source_config import CreateEvalCustomDataSourceConfig
    from ..models.create_eval_logs_data_source_config import CreateEvalLogsDataSourceConfig
    from ..models.create_eval_request_metadata_type_0 import CreateEvalRequestMetadataType0
    from ..models.create_eval_stored_completions_data_source_config import CreateEvalStoredCompletionsDataSourceConfig
    from ..models.eval_label_model_grader import EvalLabelModelGrader
    from ..models.eval_multi_grader import EvalMultiGrader
    from ..models.eval_python_grader import EvalPythonGrader
    from ..models.eval_score_model_grader import EvalScoreModelGrader
    from ..models.eval_string_check_grader import EvalStringCheckGrader
    from ..models.eval_text_similarity_grader import EvalTextSimilarityGrader


T = TypeVar("T", bound="CreateEvalRequest")


@_attrs_define
class CreateEvalRequest:
    """The body of POST /v1/evals.

    Attributes:
        data_source_config (CreateEvalCustomDataSourceConfig | CreateEvalLogsDataSourceConfig |
            CreateEvalStoredCompletionsDataSourceConfig): The schema of the data the eval's runs grade.
        testing_criteria (list[EvalLabelModelGrader | EvalMultiGrader | EvalPythonGrader | EvalScoreModelGrader |
            EvalStringCheckGrader | EvalTextSimilarityGrader]): The graders every item is scored with.
        name (None | str | Unset): The name of the eval.
        metadata (CreateEvalRequestMetadataType0 | None | Unset): Up to 16 key-value pairs.
    """

    data_source_config: (
        CreateEvalCustomDataSourceConfig | CreateEvalLogsDataSourceConfig | CreateEvalStoredCompletionsDataSourceConfig
    )
    testing_criteria: list[
        EvalLabelModelGrader
        | EvalMultiGrader
        | EvalPythonGrader
        | EvalScoreModelGrader
        | EvalStringCheckGrader
        | EvalTextSimilarityGrader
    ]
    name: None | str | Unset = UNSET
    metadata: CreateEvalRequestMetadataType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_eval_custom_data_source_config import CreateEvalCustomDataSourceConfig  # noqa: PLC0415
        from ..models.create_eval_logs_data_source_config import CreateEvalLogsDataSourceConfig  # noqa: PLC0415
        from ..models.create_eval_request_metadata_type_0 import CreateEvalRequestMetadataType0  # noqa: PLC0415
        from ..models.eval_label_model_grader import EvalLabelModelGrader  # noqa: PLC0415
        from ..models.eval_python_grader import EvalPythonGrader  # noqa: PLC0415
        from ..models.eval_score_model_grader import EvalScoreModelGrader  # noqa: PLC0415
        from ..models.eval_string_check_grader import EvalStringCheckGrader  # noqa: PLC0415
        from ..models.eval_text_similarity_grader import EvalTextSimilarityGrader  # noqa: PLC0415

        data_source_config: dict[str, Any]
        if isinstance(self.data_source_config, CreateEvalCustomDataSourceConfig):
            data_source_config = self.data_source_config.to_dict()
        elif isinstance(self.data_source_config, CreateEvalLogsDataSourceConfig):
            data_source_config = self.data_source_config.to_dict()
        else:
            data_source_config = self.data_source_config.to_dict()

        testing_criteria = []
        for testing_criteria_item_data in self.testing_criteria:
            testing_criteria_item: dict[str, Any]
            if isinstance(testing_criteria_item_data, EvalStringCheckGrader):
                testing_criteria_item = testing_criteria_item_data.to_dict()
            elif isinstance(testing_criteria_item_data, EvalTextSimilarityGrader):
                testing_criteria_item = testing_criteria_item_data.to_dict()
            elif isinstance(testing_criteria_item_data, EvalPythonGrader):
                testing_criteria_item = testing_criteria_item_data.to_dict()
            elif isinstance(testing_criteria_item_data, EvalScoreModelGrader):
                testing_criteria_item = testing_criteria_item_data.to_dict()
            elif isinstance(testing_criteria_item_data, EvalLabelModelGrader):
                testing_criteria_item = testing_criteria_item_data.to_dict()
            else:
                testing_criteria_item = testing_criteria_item_data.to_dict()

            testing_criteria.append(testing_criteria_item)

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateEvalRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data_source_config": data_source_config,
                "testing_criteria": testing_criteria,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_eval_custom_data_source_config import CreateEvalCustomDataSourceConfig  # noqa: PLC0415
        from ..models.create_eval_logs_data_source_config import CreateEvalLogsDataSourceConfig  # noqa: PLC0415
        from ..models.create_eval_request_metadata_type_0 import CreateEvalRequestMetadataType0  # noqa: PLC0415
        from ..models.create_eval_stored_completions_data_source_config import (
            CreateEvalStoredCompletionsDataSourceConfig,  # noqa: PLC0415
        )
        from ..models.eval_label_model_grader import EvalLabelModelGrader  # noqa: PLC0415
        from ..models.eval_multi_grader import EvalMultiGrader  # noqa: PLC0415
        from ..models.eval_python_grader import EvalPythonGrader  # noqa: PLC0415
        from ..models.eval_score_model_grader import EvalScoreModelGrader  # noqa: PLC0415
        from ..models.eval_string_check_grader import EvalStringCheckGrader  # noqa: PLC0415
        from ..models.eval_text_similarity_grader import EvalTextSimilarityGrader  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_data_source_config(
            data: object,
        ) -> (
            CreateEvalCustomDataSourceConfig
            | CreateEvalLogsDataSourceConfig
            | CreateEvalStoredCompletionsDataSourceConfig
        ):
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_source_config_type_0 = CreateEvalCustomDataSourceConfig.from_dict(data)

                return data_source_config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_source_config_type_1 = CreateEvalLogsDataSourceConfig.from_dict(data)

                return data_source_config_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            data_source_config_type_2 = CreateEvalStoredCompletionsDataSourceConfig.from_dict(data)

            return data_source_config_type_2

        data_source_config = _parse_data_source_config(d.pop("data_source_config"))

        testing_criteria = []
        _testing_criteria = d.pop("testing_criteria")
        for testing_criteria_item_data in _testing_criteria:

            def _parse_testing_criteria_item(
                data: object,
            ) -> (
                EvalLabelModelGrader
                | EvalMultiGrader
                | EvalPythonGrader
                | EvalScoreModelGrader
                | EvalStringCheckGrader
                | EvalTextSimilarityGrader
            ):
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    testing_criteria_item_type_0 = EvalStringCheckGrader.from_dict(data)

                    return testing_criteria_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    testing_criteria_item_type_1 = EvalTextSimilarityGrader.from_dict(data)

                    return testing_criteria_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    testing_criteria_item_type_2 = EvalPythonGrader.from_dict(data)

                    return testing_criteria_item_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    testing_criteria_item_type_3 = EvalScoreModelGrader.from_dict(data)

                    return testing_criteria_item_type_3
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    testing_criteria_item_type_4 = EvalLabelModelGrader.from_dict(data)

                    return testing_criteria_item_type_4
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                testing_criteria_item_type_5 = EvalMultiGrader.from_dict(data)

                return testing_criteria_item_type_5

            testing_criteria_item = _parse_testing_criteria_item(testing_criteria_item_data)

            testing_criteria.append(testing_criteria_item)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_metadata(data: object) -> CreateEvalRequestMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateEvalRequestMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateEvalRequestMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        create_eval_request = cls(
            data_source_config=data_source_config,
            testing_criteria=testing_criteria,
            name=name,
            metadata=metadata,
        )

        return create_eval_request
