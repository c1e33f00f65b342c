from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.eval_api_error import EvalApiError
    from ..models.sample_message import SampleMessage
    from ..models.sample_usage import SampleUsage


T = TypeVar("T", bound="EvalRunOutputItemSample")


@_attrs_define
class EvalRunOutputItemSample:
    """What the model was asked and answered.

    Attributes:
        input_ (list[SampleMessage]): The messages sent.
        output (list[SampleMessage]): The reply.
        finish_reason (str): `stop` or `length` (empty when it errored).
        model (str): The sampled model (empty for a ready-made sample).
        usage (SampleUsage): Tokens the sample took.
        error (EvalApiError | None): Why sampling failed; null otherwise.
        temperature (float): The sampling temperature.
        max_completion_tokens (int): The token limit of the reply.
        top_p (float): The nucleus sampling mass.
        seed (int): The sampling seed.
    """

    input_: list[SampleMessage]
    output: list[SampleMessage]
    finish_reason: str
    model: str
    usage: SampleUsage
    error: EvalApiError | None
    temperature: float
    max_completion_tokens: int
    top_p: float
    seed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_api_error import EvalApiError  # noqa: PLC0415

        input_ = []
        for input_item_data in self.input_:
            input_item = input_item_data.to_dict()
            input_.append(input_item)

        output = []
        for output_item_data in self.output:
            output_item = output_item_data.to_dict()
            output.append(output_item)

        finish_reason = self.finish_reason

        model = self.model

        usage = self.usage.to_dict()

        error: dict[str, Any] | None
        if isinstance(self.error, EvalApiError):
            error = self.error.to_dict()
        else:
            error = self.error

        temperature = self.temperature

        max_completion_tokens = self.max_completion_tokens

        top_p = self.top_p

        seed = self.seed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "input": input_,
                "output": output,
                "finish_reason": finish_reason,
                "model": model,
                "usage": usage,
                "error": error,
                "temperature": temperature,
                "max_completion_tokens": max_completion_tokens,
                "top_p": top_p,
                "seed": seed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_api_error import EvalApiError  # noqa: PLC0415
        from ..models.sample_message import SampleMessage  # noqa: PLC0415
        from ..models.sample_usage import SampleUsage  # noqa: PLC0415

        d = dict(src_dict)
        input_ = []
        _input_ = d.pop("input")
        for input_item_data in _input_:
            input_item = SampleMessage.from_dict(input_item_data)

            input_.append(input_item)

        output = []
        _output = d.pop("output")
        for output_item_data in _output:
            output_item = SampleMessage.from_dict(output_item_data)

            output.append(output_item)

        finish_reason = d.pop("finish_reason")

        model = d.pop("model")

        usage = SampleUsage.from_dict(d.pop("usage"))

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

        temperature = d.pop("temperature")

        max_completion_tokens = d.pop("max_completion_tokens")

        top_p = d.pop("top_p")

        seed = d.pop("seed")

        eval_run_output_item_sample = cls(
            input_=input_,
            output=output,
            finish_reason=finish_reason,
            model=model,
            usage=usage,
            error=error,
            temperature=temperature,
            max_completion_tokens=max_completion_tokens,
            top_p=top_p,
            seed=seed,
        )

        eval_run_output_item_sample.additional_properties = d
        return eval_run_output_item_sample

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
