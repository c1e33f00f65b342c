from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_item import EvalItem
    from ..models.score_model_sampling_params import ScoreModelSamplingParams


T = TypeVar("T", bound="EvalScoreModelGrader")


@_attrs_define
class EvalScoreModelGrader:
    """A score_model criterion (its pass_threshold is the grader's own: the passing score).

    Attributes:
        type_ (Literal['score_model']): The object type, always `score_model`.
        name (str): The name of the grader.
        model (str): A served model: a catalog name or alias, or an `ft:` name.
        input_ (list[EvalItem]): The messages sent to the model, with templates.
        range_ (list[float] | None | Unset): The range of the score. Defaults to `[0, 1]`.
        sampling_params (None | ScoreModelSamplingParams | Unset): The sampling parameters for the model.
        pass_threshold (float | None | Unset): The score at or above which a sample passes (in evals; default 1).
    """

    type_: Literal["score_model"]
    name: str
    model: str
    input_: list[EvalItem]
    range_: list[float] | None | Unset = UNSET
    sampling_params: None | ScoreModelSamplingParams | Unset = UNSET
    pass_threshold: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.score_model_sampling_params import ScoreModelSamplingParams  # noqa: PLC0415

        type_ = self.type_

        name = self.name

        model = self.model

        input_ = []
        for input_item_data in self.input_:
            input_item = input_item_data.to_dict()
            input_.append(input_item)

        range_: list[float] | None | Unset
        if isinstance(self.range_, Unset):
            range_ = UNSET
        elif isinstance(self.range_, list):
            range_ = self.range_

        else:
            range_ = self.range_

        sampling_params: dict[str, Any] | None | Unset
        if isinstance(self.sampling_params, Unset):
            sampling_params = UNSET
        elif isinstance(self.sampling_params, ScoreModelSamplingParams):
            sampling_params = self.sampling_params.to_dict()
        else:
            sampling_params = self.sampling_params

        pass_threshold: float | None | Unset
        if isinstance(self.pass_threshold, Unset):
            pass_threshold = UNSET
        else:
            pass_threshold = self.pass_threshold

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "name": name,
                "model": model,
                "input": input_,
            }
        )
        if range_ is not UNSET:
            field_dict["range"] = range_
        if sampling_params is not UNSET:
            field_dict["sampling_params"] = sampling_params
        if pass_threshold is not UNSET:
            field_dict["pass_threshold"] = pass_threshold

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_item import EvalItem  # noqa: PLC0415
        from ..models.score_model_sampling_params import ScoreModelSamplingParams  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["score_model"], d.pop("type"))
        if type_ != "score_model":
            raise ValueError(f"type must match const 'score_model', got '{type_}'")

        name = d.pop("name")

        model = d.pop("model")

        input_ = []
        _input_ = d.pop("input")
        for input_item_data in _input_:
            input_item = EvalItem.from_dict(input_item_data)

            input_.append(input_item)

        def _parse_range_(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                range_type_0 = cast(list[float], data)

                return range_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        range_ = _parse_range_(d.pop("range", UNSET))

        def _parse_sampling_params(data: object) -> None | ScoreModelSamplingParams | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sampling_params_type_0 = ScoreModelSamplingParams.from_dict(data)

                return sampling_params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ScoreModelSamplingParams | Unset, data)

        sampling_params = _parse_sampling_params(d.pop("sampling_params", UNSET))

        def _parse_pass_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        pass_threshold = _parse_pass_threshold(d.pop("pass_threshold", UNSET))

        eval_score_model_grader = cls(
            type_=type_,
            name=name,
            model=model,
            input_=input_,
            range_=range_,
            sampling_params=sampling_params,
            pass_threshold=pass_threshold,
        )

        return eval_score_model_grader
