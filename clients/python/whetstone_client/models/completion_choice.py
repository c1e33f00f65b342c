from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.completion_choice_finish_reason_type_0 import CompletionChoiceFinishReasonType0

if TYPE_CHECKING:
    from ..models.completion_logprobs import CompletionLogprobs


T = TypeVar("T", bound="CompletionChoice")


@_attrs_define
class CompletionChoice:
    """One generated text.

    Attributes:
        text (str): The generated text (after the prompt when echo is set).
        index (int): Index of the choice: prompt index * n + choice.
        logprobs (CompletionLogprobs | None): Logprobs, when asked for.
        finish_reason (CompletionChoiceFinishReasonType0 | None): `stop` (end of text or a stop sequence) or `length`
            (max_tokens/context).
    """

    text: str
    index: int
    logprobs: CompletionLogprobs | None
    finish_reason: CompletionChoiceFinishReasonType0 | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.completion_logprobs import CompletionLogprobs  # noqa: PLC0415

        text = self.text

        index = self.index

        logprobs: dict[str, Any] | None
        if isinstance(self.logprobs, CompletionLogprobs):
            logprobs = self.logprobs.to_dict()
        else:
            logprobs = self.logprobs

        finish_reason: None | str
        if isinstance(self.finish_reason, CompletionChoiceFinishReasonType0):
            finish_reason = self.finish_reason.value
        else:
            finish_reason = self.finish_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "text": text,
                "index": index,
                "logprobs": logprobs,
                "finish_reason": finish_reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.completion_logprobs import CompletionLogprobs  # noqa: PLC0415

        d = dict(src_dict)
        text = d.pop("text")

        index = d.pop("index")

        def _parse_logprobs(data: object) -> CompletionLogprobs | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                logprobs_type_0 = CompletionLogprobs.from_dict(data)

                return logprobs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompletionLogprobs | None, data)

        logprobs = _parse_logprobs(d.pop("logprobs"))

        def _parse_finish_reason(data: object) -> CompletionChoiceFinishReasonType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finish_reason_type_0 = CompletionChoiceFinishReasonType0(data)

                return finish_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompletionChoiceFinishReasonType0 | None, data)

        finish_reason = _parse_finish_reason(d.pop("finish_reason"))

        completion_choice = cls(
            text=text,
            index=index,
            logprobs=logprobs,
            finish_reason=finish_reason,
        )

        completion_choice.additional_properties = d
        return completion_choice

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
