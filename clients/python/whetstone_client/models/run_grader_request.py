from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.label_model_grader import LabelModelGrader
    from ..models.multi_grader import MultiGrader
    from ..models.python_grader import PythonGrader
    from ..models.run_grader_request_item_type_0 import RunGraderRequestItemType0
    from ..models.score_model_grader import ScoreModelGrader
    from ..models.string_check_grader import StringCheckGrader
    from ..models.text_similarity_grader import TextSimilarityGrader


T = TypeVar("T", bound="RunGraderRequest")


@_attrs_define
class RunGraderRequest:
    """POST /v1/fine_tuning/alpha/graders/run.

    Attributes:
        grader (LabelModelGrader | MultiGrader | PythonGrader | ScoreModelGrader | StringCheckGrader |
            TextSimilarityGrader): The grader to run.
        model_sample (str): The model sample: `sample.output_text`, and `sample.output_json` when it is valid JSON.
        item (None | RunGraderRequestItemType0 | Unset): The dataset item: the `item` namespace of the templates.
    """

    grader: LabelModelGrader | MultiGrader | PythonGrader | ScoreModelGrader | StringCheckGrader | TextSimilarityGrader
    model_sample: str
    item: None | RunGraderRequestItemType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.label_model_grader import LabelModelGrader  # noqa: PLC0415
        from ..models.python_grader import PythonGrader  # noqa: PLC0415
        from ..models.run_grader_request_item_type_0 import RunGraderRequestItemType0  # noqa: PLC0415
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

        model_sample = self.model_sample

        item: dict[str, Any] | None | Unset
        if isinstance(self.item, Unset):
            item = UNSET
        elif isinstance(self.item, RunGraderRequestItemType0):
            item = self.item.to_dict()
        else:
            item = self.item

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "grader": grader,
                "model_sample": model_sample,
            }
        )
        if item is not UNSET:
            field_dict["item"] = item

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.label_model_grader import LabelModelGrader  # noqa: PLC0415
        from ..models.multi_grader import MultiGrader  # noqa: PLC0415
        from ..models.python_grader import PythonGrader  # noqa: PLC0415
        from ..models.run_grader_request_item_type_0 import RunGraderRequestItemType0  # noqa: PLC0415
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

        model_sample = d.pop("model_sample")

        def _parse_item(data: object) -> None | RunGraderRequestItemType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                item_type_0 = RunGraderRequestItemType0.from_dict(data)

                return item_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunGraderRequestItemType0 | Unset, data)

        item = _parse_item(d.pop("item", UNSET))

        run_grader_request = cls(
            grader=grader,
            model_sample=model_sample,
            item=item,
        )

        return run_grader_request
