from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_custom_data_source_config import EvalCustomDataSourceConfig
    from ..models.eval_label_model_grader import EvalLabelModelGrader
    from ..models.eval_logs_data_source_config import EvalLogsDataSourceConfig
    from ..models.eval_metadata_type_0 import EvalMetadataType0
    from ..models.eval_multi_grader import EvalMultiGrader
    from ..models.eval_python_grader import EvalPythonGrader
    from ..models.eval_score_model_grader import EvalScoreModelGrader
    from ..models.eval_string_check_grader import EvalStringCheckGrader
    from ..models.eval_text_similarity_grader import EvalTextSimilarityGrader


T = TypeVar("T", bound="Eval")


@_attrs_define
class Eval:
    """An eval: a data source config and testing criteria.

    Attributes:
        id (str): The eval's identifier, `eval_...`.
        name (str): The name of the eval.
        data_source_config (EvalCustomDataSourceConfig | EvalLogsDataSourceConfig): The schema of the data the eval's
            runs grade.
        testing_criteria (list[EvalLabelModelGrader | EvalMultiGrader | EvalPythonGrader | EvalScoreModelGrader |
            EvalStringCheckGrader | EvalTextSimilarityGrader]): The testing criteria.
        created_at (int): Unix seconds when the eval was created.
        metadata (EvalMetadataType0 | None): The eval's key-value pairs.
        object_ (Literal['eval'] | Unset): Always `eval`. Default: 'eval'.
    """

    id: str
    name: str
    data_source_config: EvalCustomDataSourceConfig | EvalLogsDataSourceConfig
    testing_criteria: list[
        EvalLabelModelGrader
        | EvalMultiGrader
        | EvalPythonGrader
        | EvalScoreModelGrader
        | EvalStringCheckGrader
        | EvalTextSimilarityGrader
    ]
    created_at: int
    metadata: EvalMetadataType0 | None
    object_: Literal["eval"] | Unset = "eval"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_custom_data_source_config import EvalCustomDataSourceConfig  # noqa: PLC0415
        from ..models.eval_label_model_grader import EvalLabelModelGrader  # noqa: PLC0415
        from ..models.eval_metadata_type_0 import EvalMetadataType0  # noqa: PLC0415
        from ..models.eval_python_grader import EvalPythonGrader  # noqa: PLC0415
        from ..models.eval_score_model_grader import EvalScoreModelGrader  # noqa: PLC0415
        from ..models.eval_string_check_grader import EvalStringCheckGrader  # noqa: PLC0415
        from ..models.eval_text_similarity_grader import EvalTextSimilarityGrader  # noqa: PLC0415

        id = self.id

        name = self.name

        data_source_config: dict[str, Any]
        if isinstance(self.data_source_config, EvalCustomDataSourceConfig):
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

        created_at = self.created_at

        metadata: dict[str, Any] | None
        if isinstance(self.metadata, EvalMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "data_source_config": data_source_config,
                "testing_criteria": testing_criteria,
                "created_at": created_at,
                "metadata": metadata,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_custom_data_source_config import EvalCustomDataSourceConfig  # noqa: PLC0415
        from ..models.eval_label_model_grader import EvalLabelModelGrader  # noqa: PLC0415
        from ..models.eval_logs_data_source_config import EvalLogsDataSourceConfig  # noqa: PLC0415
        from ..models.eval_metadata_type_0 import EvalMetadataType0  # noqa: PLC0415
        from ..models.eval_multi_grader import EvalMultiGrader  # noqa: PLC0415
        from ..models.eval_python_grader import EvalPythonGrader  # noqa: PLC0415
        from ..models.eval_score_model_grader import EvalScoreModelGrader  # noqa: PLC0415
        from ..models.eval_string_check_grader import EvalStringCheckGrader  # noqa: PLC0415
        from ..models.eval_text_similarity_grader import EvalTextSimilarityGrader  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_data_source_config(data: object) -> EvalCustomDataSourceConfig | EvalLogsDataSourceConfig:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_source_config_type_0 = EvalCustomDataSourceConfig.from_dict(data)

                return data_source_config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            data_source_config_type_1 = EvalLogsDataSourceConfig.from_dict(data)

            return data_source_config_type_1

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

        created_at = d.pop("created_at")

        def _parse_metadata(data: object) -> EvalMetadataType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = EvalMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvalMetadataType0 | None, data)

        metadata = _parse_metadata(d.pop("metadata"))

        object_ = cast(Literal["eval"] | Unset, d.pop("object", UNSET))
        if object_ != "eval" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'eval', got '{object_}'")

        eval_ = cls(
            id=id,
            name=name,
            data_source_config=data_source_config,
            testing_criteria=testing_criteria,
            created_at=created_at,
            metadata=metadata,
            object_=object_,
        )

        eval_.additional_properties = d
        return eval_

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
