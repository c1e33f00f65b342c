from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..models.text_similarity_grader_evaluation_metric import TextSimilarityGraderEvaluationMetric

T = TypeVar("T", bound="TextSimilarityGrader")


@_attrs_define
class TextSimilarityGrader:
    """A TextSimilarityGrader object which grades text based on similarity metrics.

    Attributes:
        type_ (Literal['text_similarity']): The type of grader.
        name (str): The name of the grader.
        input_ (str): The text being graded. This may include template strings.
        reference (str): The text being graded against; may include templates.
        evaluation_metric (TextSimilarityGraderEvaluationMetric): The evaluation metric (`cosine` is refused: it needs
            an embeddings model).
    """

    type_: Literal["text_similarity"]
    name: str
    input_: str
    reference: str
    evaluation_metric: TextSimilarityGraderEvaluationMetric

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        name = self.name

        input_ = self.input_

        reference = self.reference

        evaluation_metric = self.evaluation_metric.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "name": name,
                "input": input_,
                "reference": reference,
                "evaluation_metric": evaluation_metric,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["text_similarity"], d.pop("type"))
        if type_ != "text_similarity":
            raise ValueError(f"type must match const 'text_similarity', got '{type_}'")

        name = d.pop("name")

        input_ = d.pop("input")

        reference = d.pop("reference")

        evaluation_metric = TextSimilarityGraderEvaluationMetric(d.pop("evaluation_metric"))

        text_similarity_grader = cls(
            type_=type_,
            name=name,
            input_=input_,
            reference=reference,
            evaluation_metric=evaluation_metric,
        )

        return text_similarity_grader
