from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.label_model_grader import LabelModelGrader
    from ..models.multi_grader import MultiGrader
    from ..models.python_grader import PythonGrader
    from ..models.score_model_grader import ScoreModelGrader
    from ..models.string_check_grader import StringCheckGrader
    from ..models.text_similarity_grader import TextSimilarityGrader


T = TypeVar("T", bound="ValidateGraderRequest")


@_attrs_define
class ValidateGraderRequest:
    """POST /v1/fine_tuning/alpha/graders/validate.

    Attributes:
        grader (LabelModelGrader | MultiGrader | PythonGrader | ScoreModelGrader | StringCheckGrader |
            TextSimilarityGrader): The grader to validate.
    """

    grader: LabelModelGrader | MultiGrader | PythonGrader | ScoreModelGrader | StringCheckGrader | TextSimilarityGrader

    def to_dict(self) -> dict[str, Any]:
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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "grader": grader,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
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

        validate_grader_request = cls(
            grader=grader,
        )

        return validate_grader_request
