from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.chat_completion_chunk_choice_finish_reason_type_0 import ChatCompletionChunkChoiceFinishReasonType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.choice_delta import ChoiceDelta
    from ..models.choice_logprobs import ChoiceLogprobs


T = TypeVar("T", bound="ChatCompletionChunkChoice")


@_attrs_define
class ChatCompletionChunkChoice:
    """One choice's part of a streamed chunk.

    Attributes:
        index (int): Index of the choice.
        delta (ChoiceDelta): What a streamed chunk adds to a choice.
        logprobs (ChoiceLogprobs | None | Unset): Logprobs of the new tokens.
        finish_reason (ChatCompletionChunkChoiceFinishReasonType0 | None | Unset): Set on the choice's last chunk.
    """

    index: int
    delta: ChoiceDelta
    logprobs: ChoiceLogprobs | None | Unset = UNSET
    finish_reason: ChatCompletionChunkChoiceFinishReasonType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.choice_logprobs import ChoiceLogprobs  # noqa: PLC0415

        index = self.index

        delta = self.delta.to_dict()

        logprobs: dict[str, Any] | None | Unset
        if isinstance(self.logprobs, Unset):
            logprobs = UNSET
        elif isinstance(self.logprobs, ChoiceLogprobs):
            logprobs = self.logprobs.to_dict()
        else:
            logprobs = self.logprobs

        finish_reason: None | str | Unset
        if isinstance(self.finish_reason, Unset):
            finish_reason = UNSET
        elif isinstance(self.finish_reason, ChatCompletionChunkChoiceFinishReasonType0):
            finish_reason = self.finish_reason.value
        else:
            finish_reason = self.finish_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "delta": delta,
            }
        )
        if logprobs is not UNSET:
            field_dict["logprobs"] = logprobs
        if finish_reason is not UNSET:
            field_dict["finish_reason"] = finish_reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.choice_delta import ChoiceDelta  # noqa: PLC0415
        from ..models.choice_logprobs import ChoiceLogprobs  # noqa: PLC0415

        d = dict(src_dict)
        index = d.pop("index")

        delta = ChoiceDelta.from_dict(d.pop("delta"))

        def _parse_logprobs(data: object) -> ChoiceLogprobs | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                logprobs_type_0 = ChoiceLogprobs.from_dict(data)

                return logprobs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChoiceLogprobs | None | Unset, data)

        logprobs = _parse_logprobs(d.pop("logprobs", UNSET))

        def _parse_finish_reason(data: object) -> ChatCompletionChunkChoiceFinishReasonType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finish_reason_type_0 = ChatCompletionChunkChoiceFinishReasonType0(data)

                return finish_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatCompletionChunkChoiceFinishReasonType0 | None | Unset, data)

        finish_reason = _parse_finish_reason(d.pop("finish_reason", UNSET))

        chat_completion_chunk_choice = cls(
            index=index,
            delta=delta,
            logprobs=logprobs,
            finish_reason=finish_reason,
        )

        chat_completion_chunk_choice.additional_properties = d
        return chat_completion_chunk_choice

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
