from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..models.eval_text_similarity_grader_evaluation_metric import EvalTextSimilarityGraderEvaluationMetric

T = TypeVar("T", bound="EvalTextSimilarityGrader")


@_attrs_define
class EvalTextSimilarityGrader:
    """A text_similarity criterion.

    Attributes:
        type_ (Literal['text_similarity']): The type of grader.
        name (str): The name of the grader.
        input_ (str): The text being graded. This may include template strings.
        reference (str): The text being graded against; may include templates.
        evaluation_metric (EvalTextSimilarityGraderEvaluationMetric): The evaluation metric (`cosine` is refused: it
            needs an embeddings model).
        pass_threshold (float): The score at or above which the item passes.
    """

    type_: Literal["text_similarity"]
    name: str
    input_: str
    reference: str
    evaluation_metric: EvalTextSimilarityGraderEvaluationMetric
    pass_threshold: float

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        name = self.name

        input_ = self.input_

        reference = self.reference

        evaluation_metric = self.evaluation_metric.value

        pass_threshold = self.pass_threshold

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "name": name,
                "input": input_,
                "reference": reference,
                "evaluation_metric": evaluation_metric,
                "pass_threshold": pass_threshold,
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

        evaluation_metric = EvalTextSimilarityGraderEvaluationMetric(d.pop("evaluation_metric"))

        pass_threshold = d.pop("pass_threshold")

        eval_text_similarity_grader = cls(
            type_=type_,
            name=name,
            input_=input_,
            reference=reference,
            evaluation_metric=evaluation_metric,
            pass_threshold=pass_threshold,
        )

        return eval_text_similarity_grader
