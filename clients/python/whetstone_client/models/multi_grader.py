from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.label_model_grader import LabelModelGrader
    from ..models.multi_grader_graders_type_1 import MultiGraderGradersType1
    from ..models.python_grader import PythonGrader
    from ..models.score_model_grader import ScoreModelGrader
    from ..models.string_check_grader import StringCheckGrader
    from ..models.text_similarity_grader import TextSimilarityGrader


T = TypeVar("T", bound="MultiGrader")


@_attrs_define
class MultiGrader:
    """A MultiGrader object combines the output of multiple graders to produce a single score.

    Attributes:
        type_ (Literal['multi']): The object type, always `multi`.
        graders (LabelModelGrader | MultiGraderGradersType1 | PythonGrader | ScoreModelGrader | StringCheckGrader |
            TextSimilarityGrader): The graders: a map from the names used in `calculate_output` to graders, or one grader,
            named by its `name`.
        calculate_output (str): Arithmetic over the graders' names: + - * / ^, parentheses, min, max, abs, sqrt, log,
            exp, floor, ceil.
        name (str | Unset): The name of the grader (default `multi`, when none is given). Default: 'multi'.
    """

    type_: Literal["multi"]
    graders: (
        LabelModelGrader
        | MultiGraderGradersType1
        | PythonGrader
        | ScoreModelGrader
        | StringCheckGrader
        | TextSimilarityGrader
    )
    calculate_output: str
    name: str | Unset = "multi"

    def to_dict(self) -> dict[str, Any]:
        from ..models.label_model_grader import LabelModelGrader  # noqa: PLC0415
        from ..models.python_grader import PythonGrader  # noqa: PLC0415
        from ..models.score_model_grader import ScoreModelGrader  # noqa: PLC0415
        from ..models.string_check_grader import StringCheckGrader  # noqa: PLC0415
        from ..models.text_similarity_grader import TextSimilarityGrader  # noqa: PLC0415

        type_ = self.type_

        graders: dict[str, Any]
        if isinstance(self.graders, StringCheckGrader):
            graders = self.graders.to_dict()
        elif isinstance(self.graders, TextSimilarityGrader):
            graders = self.graders.to_dict()
        elif isinstance(self.graders, PythonGrader):
            graders = self.graders.to_dict()
        elif isinstance(self.graders, ScoreModelGrader):
            graders = self.graders.to_dict()
        elif isinstance(self.graders, LabelModelGrader):
            graders = self.graders.to_dict()
        else:
            graders = self.graders.to_dict()

        calculate_output = self.calculate_output

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "graders": graders,
                "calculate_output": calculate_output,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.label_model_grader import LabelModelGrader  # noqa: PLC0415
        from ..models.multi_grader_graders_type_1 import MultiGraderGradersType1  # noqa: PLC0415
        from ..models.python_grader import PythonGrader  # noqa: PLC0415
        from ..models.score_model_grader import ScoreModelGrader  # noqa: PLC0415
        from ..models.string_check_grader import StringCheckGrader  # noqa: PLC0415
        from ..models.text_similarity_grader import TextSimilarityGrader  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["multi"], d.pop("type"))
        if type_ != "multi":
            raise ValueError(f"type must match const 'multi', got '{type_}'")

        def _parse_graders(
            data: object,
        ) -> (
            LabelModelGrader
            | MultiGraderGradersType1
            | PythonGrader
            | ScoreModelGrader
            | StringCheckGrader
            | TextSimilarityGrader
        ):
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                graders_type_0_type_0 = StringCheckGrader.from_dict(data)

                return graders_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                graders_type_0_type_1 = TextSimilarityGrader.from_dict(data)

                return graders_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                graders_type_0_type_2 = PythonGrader.from_dict(data)

                return graders_type_0_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                graders_type_0_type_3 = ScoreModelGrader.from_dict(data)

                return graders_type_0_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                graders_type_0_type_4 = LabelModelGrader.from_dict(data)

                return graders_type_0_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            graders_type_1 = MultiGraderGradersType1.from_dict(data)

            return graders_type_1

        graders = _parse_graders(d.pop("graders"))

        calculate_output = d.pop("calculate_output")

        name = d.pop("name", UNSET)

        multi_grader = cls(
            type_=type_,
            graders=graders,
            calculate_output=calculate_output,
            name=name,
        )

        return multi_grader
