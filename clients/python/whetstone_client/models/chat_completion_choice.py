from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.chat_completion_choice_finish_reason import ChatCompletionChoiceFinishReason

if TYPE_CHECKING:
    from ..models.chat_completion_message import ChatCompletionMessage
    from ..models.choice_logprobs import ChoiceLogprobs


T = TypeVar("T", bound="ChatCompletionChoice")


@_attrs_define
class ChatCompletionChoice:
    """One generated reply.

    Attributes:
        index (int): Index of the choice.
        message (ChatCompletionMessage): The assistant's reply.
        logprobs (ChoiceLogprobs | None): Logprobs, when asked for.
        finish_reason (ChatCompletionChoiceFinishReason): `stop` (end of turn or a stop sequence), `length`, or
            `tool_calls`.
    """

    index: int
    message: ChatCompletionMessage
    logprobs: ChoiceLogprobs | None
    finish_reason: ChatCompletionChoiceFinishReason
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.choice_logprobs import ChoiceLogprobs  # noqa: PLC0415

        index = self.index

        message = self.message.to_dict()

        logprobs: dict[str, Any] | None
        if isinstance(self.logprobs, ChoiceLogprobs):
            logprobs = self.logprobs.to_dict()
        else:
            logprobs = self.logprobs

        finish_reason = self.finish_reason.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "message": message,
                "logprobs": logprobs,
                "finish_reason": finish_reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_message import ChatCompletionMessage  # noqa: PLC0415
        from ..models.choice_logprobs import ChoiceLogprobs  # noqa: PLC0415

        d = dict(src_dict)
        index = d.pop("index")

        message = ChatCompletionMessage.from_dict(d.pop("message"))

        def _parse_logprobs(data: object) -> ChoiceLogprobs | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                logprobs_type_0 = ChoiceLogprobs.from_dict(data)

                return logprobs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChoiceLogprobs | None, data)

        logprobs = _parse_logprobs(d.pop("logprobs"))

        finish_reason = ChatCompletionChoiceFinishReason(d.pop("finish_reason"))

        chat_completion_choice = cls(
            index=index,
            message=message,
            logprobs=logprobs,
            finish_reason=finish_reason,
        )

        chat_completion_choice.additional_properties = d
        return chat_completion_choice

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
