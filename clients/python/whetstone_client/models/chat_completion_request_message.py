from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.chat_completion_request_message_role import ChatCompletionRequestMessageRole
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_completion_content_part import ChatCompletionContentPart
    from ..models.chat_completion_request_message_audio_type_0 import ChatCompletionRequestMessageAudioType0
    from ..models.chat_completion_request_message_function_call_type_0 import (
        ChatCompletionRequestMessageFunctionCallType0,
    )
    from ..models.chat_completion_request_message_tool_calls_type_0_item import (
        ChatCompletionRequestMessageToolCallsType0Item,
    )


T = TypeVar("T", bound="ChatCompletionRequestMessage")


@_attrs_define
class ChatCompletionRequestMessage:
    """One message of the conversation (developer, system, user, assistant, tool, function).

    Attributes:
        role (ChatCompletionRequestMessageRole): Who wrote the message; `developer` renders as `system`.
        content (list[ChatCompletionContentPart] | None | str | Unset): The text, or a list of text parts.
        name (None | str | Unset): An optional name of the participant.
        refusal (None | str | Unset): An earlier assistant refusal.
        tool_calls (list[ChatCompletionRequestMessageToolCallsType0Item] | None | Unset): Earlier assistant tool calls,
            rendered as JSON by the template.
        tool_call_id (None | str | Unset): The tool call a tool message answers.
        function_call (ChatCompletionRequestMessageFunctionCallType0 | None | Unset): Deprecated earlier assistant
            function call.
        audio (ChatCompletionRequestMessageAudioType0 | None | Unset): Earlier assistant audio: refused.
    """

    role: ChatCompletionRequestMessageRole
    content: list[ChatCompletionContentPart] | None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    refusal: None | str | Unset = UNSET
    tool_calls: list[ChatCompletionRequestMessageToolCallsType0Item] | None | Unset = UNSET
    tool_call_id: None | str | Unset = UNSET
    function_call: ChatCompletionRequestMessageFunctionCallType0 | None | Unset = UNSET
    audio: ChatCompletionRequestMessageAudioType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_completion_request_message_audio_type_0 import ChatCompletionRequestMessageAudioType0  # noqa: PLC0415
        from ..models.chat_completion_request_message_function_call_type_0 import (
            ChatCompletionRequestMessageFunctionCallType0,  # noqa: PLC0415
        )

        role = self.role.value

        content: list[dict[str, Any]] | None | str | Unset
        if isinstance(self.content, Unset):
            content = UNSET
        elif isinstance(self.content, list):
            content = []
            for content_type_1_item_data in self.content:
                content_type_1_item = content_type_1_item_data.to_dict()
                content.append(content_type_1_item)

        else:
            content = self.content

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        refusal: None | str | Unset
        if isinstance(self.refusal, Unset):
            refusal = UNSET
        else:
            refusal = self.refusal

        tool_calls: list[dict[str, Any]] | None | Unset
        if isinstance(self.tool_calls, Unset):
            tool_calls = UNSET
        elif isinstance(self.tool_calls, list):
            tool_calls = []
            for tool_calls_type_0_item_data in self.tool_calls:
                tool_calls_type_0_item = tool_calls_type_0_item_data.to_dict()
                tool_calls.append(tool_calls_type_0_item)

        else:
            tool_calls = self.tool_calls

        tool_call_id: None | str | Unset
        if isinstance(self.tool_call_id, Unset):
            tool_call_id = UNSET
        else:
            tool_call_id = self.tool_call_id

        function_call: dict[str, Any] | None | Unset
        if isinstance(self.function_call, Unset):
            function_call = UNSET
        elif isinstance(self.function_call, ChatCompletionRequestMessageFunctionCallType0):
            function_call = self.function_call.to_dict()
        else:
            function_call = self.function_call

        audio: dict[str, Any] | None | Unset
        if isinstance(self.audio, Unset):
            audio = UNSET
        elif isinstance(self.audio, ChatCompletionRequestMessageAudioType0):
            audio = self.audio.to_dict()
        else:
            audio = self.audio

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
            }
        )
        if content is not UNSET:
            field_dict["content"] = content
        if name is not UNSET:
            field_dict["name"] = name
        if refusal is not UNSET:
            field_dict["refusal"] = refusal
        if tool_calls is not UNSET:
            field_dict["tool_calls"] = tool_calls
        if tool_call_id is not UNSET:
            field_dict["tool_call_id"] = tool_call_id
        if function_call is not UNSET:
            field_dict["function_call"] = function_call
        if audio is not UNSET:
            field_dict["audio"] = audio

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_content_part import ChatCompletionContentPart  # noqa: PLC0415
        from ..models.chat_completion_request_message_audio_type_0 import ChatCompletionRequestMessageAudioType0  # noqa: PLC0415
        from ..models.chat_completion_request_message_function_call_type_0 import (
            ChatCompletionRequestMessageFunctionCallType0,  # noqa: PLC0415
        )
        from ..models.chat_completion_request_message_tool_calls_type_0_item import (
            ChatCompletionRequestMessageToolCallsType0Item,  # noqa: PLC0415
        )

        d = dict(src_dict)
        role = ChatCompletionRequestMessageRole(d.pop("role"))

        def _parse_content(data: object) -> list[ChatCompletionContentPart] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                content_type_1 = []
                _content_type_1 = data
                for content_type_1_item_data in _content_type_1:
                    content_type_1_item = ChatCompletionContentPart.from_dict(content_type_1_item_data)

                    content_type_1.append(content_type_1_item)

                return content_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ChatCompletionContentPart] | None | str | Unset, data)

        content = _parse_content(d.pop("content", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_refusal(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refusal = _parse_refusal(d.pop("refusal", UNSET))

        def _parse_tool_calls(data: object) -> list[ChatCompletionRequestMessageToolCallsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tool_calls_type_0 = []
                _tool_calls_type_0 = data
                for tool_calls_type_0_item_data in _tool_calls_type_0:
                    tool_calls_type_0_item = ChatCompletionRequestMessageToolCallsType0Item.from_dict(
                        tool_calls_type_0_item_data
                    )

                    tool_calls_type_0.append(tool_calls_type_0_item)

                return tool_calls_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ChatCompletionRequestMessageToolCallsType0Item] | None | Unset, data)

        tool_calls = _parse_tool_calls(d.pop("tool_calls", UNSET))

        def _parse_tool_call_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tool_call_id = _parse_tool_call_id(d.pop("tool_call_id", UNSET))

        def _parse_function_call(data: object) -> ChatCompletionRequestMessageFunctionCallType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                function_call_type_0 = ChatCompletionRequestMessageFunctionCallType0.from_dict(data)

                return function_call_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatCompletionRequestMessageFunctionCallType0 | None | Unset, data)

        function_call = _parse_function_call(d.pop("function_call", UNSET))

        def _parse_audio(data: object) -> ChatCompletionRequestMessageAudioType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                audio_type_0 = ChatCompletionRequestMessageAudioType0.from_dict(data)

                return audio_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatCompletionRequestMessageAudioType0 | None | Unset, data)

        audio = _parse_audio(d.pop("audio", UNSET))

        chat_completion_request_message = cls(
            role=role,
            content=content,
            name=name,
            refusal=refusal,
            tool_calls=tool_calls,
            tool_call_id=tool_call_id,
            function_call=function_call,
            audio=audio,
        )

        return chat_completion_request_message
