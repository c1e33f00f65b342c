from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fine_tune_reinforcement_hyperparameters import FineTuneReinforcementHyperparameters
    from ..models.label_model_grader import LabelModelGrader
    from ..models.multi_grader import MultiGrader
    from ..models.python_grader import PythonGrader
    from ..models.score_model_grader import ScoreModelGrader
    from ..models.string_check_grader import StringCheckGrader
    from ..models.text_similarity_grader import TextSimilarityGrader


T = TypeVar("T", bound="FineTuneReinforcementMethod")


@_attrs_define
class FineTuneReinforcementMethod:
    """Configuration of the reinforcement method.

    Attributes:
        grader (LabelModelGrader | MultiGrader | PythonGrader | ScoreModelGrader | StringCheckGrader |
            TextSimilarityGrader): The grader that rewards each sampled completion.
        hyperparameters (FineTuneReinforcementHyperparameters | None | Unset): The hyperparameters of the reinforcement
            job.
    """

    grader: LabelModelGrader | MultiGrader | PythonGrader | ScoreModelGrader | StringCheckGrader | TextSimilarityGrader
    hyperparameters: FineTuneReinforcementHyperparameters | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fine_tune_reinforcement_hyperparameters import FineTuneReinforcementHyperparameters  # noqa: PLC0415
        from ..models.label_model_grader import LabelModelGrader  # noqa: PLC0415
        from ..models.python_grader import PythonGrader  # noqa: PLC0415
        from ..models.score_model_grader import ScoreModelGrader  # noqa: PLC0415
        from ..models.string_check_grader import StringCheckGrader  # noqa: PLC0415
        from ..models.text_similarity_grader import TextSimilarityGrader  # noqa: PLC0415

        grader: dict[str, Any]
        if isinstance(self.grader, StringCheckGrader):
            grader = self.grader.to_dict()
        elif isinstance(self.grader, TextSimilarityGrader):
            grader = self.grader.to_dict()
        elif isinstance(self.grader, PythonGrader):
            grader = self.grader.to_dict()
        elif isinstance(self.grader, ScoreModelGrader):
            grader = self.grader.to_dict()
        elif isinstance(self.grader, LabelModelGrader):
            grader = self.grader.to_dict()
        else:
            grader = self.grader.to_dict()

        hyperparameters: dict[str, Any] | None | Unset
        if isinstance(self.hyperparameters, Unset):
            hyperparameters = UNSET
        elif isinstance(self.hyperparameters, FineTuneReinforcementHyperparameters):
            hyperparameters = self.hyperparameters.to_dict()
        else:
            hyperparameters = self.hyperparameters

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grader": grader,
            }
        )
        if hyperparameters is not UNSET:
            field_dict["hyperparameters"] = hyperparameters

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fine_tune_reinforcement_hyperparameters import FineTuneReinforcementHyperparameters  # noqa: PLC0415
        from ..models.label_model_grader import LabelModelGrader  # noqa: PLC0415
        from ..models.multi_grader import MultiGrader  # noqa: PLC0415
        from ..models.python_grader import PythonGrader  # noqa: PLC0415
        from ..models.score_model_grader import ScoreModelGrader  # noqa: PLC0415
        from ..models.string_check_grader import StringCheckGrader  # noqa: PLC0415
        from ..models.text_similarity_grader import TextSimilarityGrader  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_grader(
            data: object,
        ) -> (
            LabelModelGrader | MultiGrader | PythonGrader | ScoreModelGrader | StringCheckGrader | TextSimilarityGrader
        ):
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grader_type_0 = StringCheckGrader.from_dict(data)

                return grader_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grader_type_1 = TextSimilarityGrader.from_dict(data)

                return grader_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grader_type_2 = PythonGrader.from_dict(data)

                return grader_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grader_type_3 = ScoreModelGrader.from_dict(data)

                return grader_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grader_type_4 = LabelModelGrader.from_dict(data)

                return grader_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            grader_type_5 = MultiGrader.from_dict(data)

            return grader_type_5

        grader = _parse_grader(d.pop("grader"))

        def _parse_hyperparameters(data: object) -> FineTuneReinforcementHyperparameters | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hyperparameters_type_0 = FineTuneReinforcementHyperparameters.from_dict(data)

                return hyperparameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparameters | None | Unset, data)

        hyperparameters = _parse_hyperparameters(d.pop("hyperparameters", UNSET))

        fine_tune_reinforcement_method = cls(
            grader=grader,
            hyperparameters=hyperparameters,
        )

        fine_tune_reinforcement_method.additional_properties = d
        return fine_tune_reinforcement_method

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
