from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_response_request_context_management_type_0_item import (
        CreateResponseRequestContextManagementType0Item,
    )
    from ..models.create_response_request_conversation_type_1 import CreateResponseRequestConversationType1
    from ..models.create_response_request_input_type_1_item import CreateResponseRequestInputType1Item
    from ..models.create_response_request_metadata_type_0 import CreateResponseRequestMetadataType0
    from ..models.create_response_request_moderation_type_0 import CreateResponseRequestModerationType0
    from ..models.create_response_request_prompt_cache_options_type_0 import (
        CreateResponseRequestPromptCacheOptionsType0,
    )
    from ..models.create_response_request_prompt_type_0 import CreateResponseRequestPromptType0
    from ..models.create_response_request_text_type_0 import CreateResponseRequestTextType0
    from ..models.create_response_request_tool_choice_type_1 import CreateResponseRequestToolChoiceType1
    from ..models.create_response_request_tools_type_0_item import CreateResponseRequestToolsType0Item
    from ..models.reasoning import Reasoning
    from ..models.response_stream_options import ResponseStreamOptions


T = TypeVar("T", bound="CreateResponseRequest")


@_attrs_define
class CreateResponseRequest:
    """POST /v1/responses. Every documented field is accepted; what cannot be honoured is a
    400 naming the param, never ignored.

        Attributes:
            model (str): A base model name or alias, an `ft:` name or a checkpoint.
            input_ (list[CreateResponseRequestInputType1Item] | None | str | Unset): Text, or input items: messages,
                function calls and their outputs.
            instructions (None | str | Unset): A system message first; not carried over by previous_response_id.
            max_output_tokens (int | None | Unset): Most tokens to generate (default: the rest of the context).
            temperature (float | None | Unset): Sampling temperature.
            top_p (float | None | Unset): Nucleus sampling mass.
            text (CreateResponseRequestTextType0 | None | Unset): `format`: text, json_object or json_schema (constrained
                output).
            tools (list[CreateResponseRequestToolsType0Item] | None | Unset): Function tools; built-in tools are a 400.
            tool_choice (CreateResponseRequestToolChoiceType1 | None | str | Unset): `none`, `auto`, `required` or a named
                function.
            parallel_tool_calls (bool | None | Unset): false: at most one call.
            metadata (CreateResponseRequestMetadataType0 | None | Unset): Stored and echoed back.
            store (bool | None | Unset): Keep the response (default true).
            previous_response_id (None | str | Unset): Continue the conversation of this stored response.
            stream (bool | None | Unset): Stream the response as server-sent events.
            stream_options (None | ResponseStreamOptions | Unset): Stream options.
            background (bool | None | Unset): Run after answering `queued`; poll GET, stop with cancel.
            include (list[str] | None | Unset): Only empty: extra outputs are a 400.
            reasoning (None | Reasoning | Unset): Reasoning models only (the reasoning aliases); elsewhere a 400.
            truncation (None | str | Unset): Only `disabled`.
            conversation (CreateResponseRequestConversationType1 | None | str | Unset): Conversations are not stored: a 400.
            prompt (CreateResponseRequestPromptType0 | None | Unset): Prompt templates: a 400.
            context_management (list[CreateResponseRequestContextManagementType0Item] | None | Unset): Server-side
                compaction: a 400.
            moderation (CreateResponseRequestModerationType0 | None | Unset): Not supported: a 400.
            max_tool_calls (int | None | Unset): Accepted; it caps built-in tool calls, of which there are none.
            top_logprobs (int | None | Unset): Only 0: logprobs are a 400.
            service_tier (None | str | Unset): Only `auto` or `default`.
            user (None | str | Unset): An end-user identifier; recorded nowhere.
            safety_identifier (None | str | Unset): Accepted; recorded nowhere.
            prompt_cache_key (None | str | Unset): Accepted; no prompt cache is kept.
            prompt_cache_retention (None | str | Unset): Accepted; no prompt cache.
            prompt_cache_options (CreateResponseRequestPromptCacheOptionsType0 | None | Unset): Accepted; no prompt cache.
    """

    model: str
    input_: list[CreateResponseRequestInputType1Item] | None | str | Unset = UNSET
    instructions: None | str | Unset = UNSET
    max_output_tokens: int | None | Unset = UNSET
    temperature: float | None | Unset = UNSET
    top_p: float | None | Unset = UNSET
    text: CreateResponseRequestTextType0 | None | Unset = UNSET
    tools: list[CreateResponseRequestToolsType0Item] | None | Unset = UNSET
    tool_choice: CreateResponseRequestToolChoiceType1 | None | str | Unset = UNSET
    parallel_tool_calls: bool | None | Unset = UNSET
    metadata: CreateResponseRequestMetadataType0 | None | Unset = UNSET
    store: bool | None | Unset = UNSET
    previous_response_id: None | str | Unset = UNSET
    stream: bool | None | Unset = UNSET
    stream_options: None | ResponseStreamOptions | Unset = UNSET
    background: bool | None | Unset = UNSET
    include: list[str] | None | Unset = UNSET
    reasoning: None | Reasoning | Unset = UNSET
    truncation: None | str | Unset = UNSET
    conversation: CreateResponseRequestConversationType1 | None | str | Unset = UNSET
    prompt: CreateResponseRequestPromptType0 | None | Unset = UNSET
    context_management: list[CreateResponseRequestContextManagementType0Item] | None | Unset = UNSET
    moderation: CreateResponseRequestModerationType0 | None | Unset = UNSET
    max_tool_calls: int | None | Unset = UNSET
    top_logprobs: int | None | Unset = UNSET
    service_tier: None | str | Unset = UNSET
    user: None | str | Unset = UNSET
    safety_identifier: None | str | Unset = UNSET
    prompt_cache_key: None | str | Unset = UNSET
    prompt_cache_retention: None | str | Unset = UNSET
    prompt_cache_options: CreateResponseRequestPromptCacheOptionsType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_response_request_conversation_type_1 import CreateResponseRequestConversationType1  # noqa: PLC0415
        from ..models.create_response_request_metadata_type_0 import CreateResponseRequestMetadataType0  # noqa: PLC0415
        from ..models.create_response_request_moderation_type_0 import CreateResponseRequestModerationType0  # noqa: PLC0415
        from ..models.create_response_request_prompt_cache_options_type_0 import (
            CreateResponseRequestPromptCacheOptionsType0,  # noqa: PLC0415
        )
        from ..models.create_response_request_prompt_type_0 import CreateResponseRequestPromptType0  # noqa: PLC0415
        from ..models.create_response_request_text_type_0 import CreateResponseRequestTextType0  # noqa: PLC0415
        from ..models.create_response_request_tool_choice_type_1 import CreateResponseRequestToolChoiceType1  # noqa: PLC0415
        from ..models.reasoning import Reasoning  # noqa: PLC0415
        from ..models.response_stream_options import ResponseStreamOptions  # noqa: PLC0415

        model = self.model

        input_: list[dict[str, Any]] | None | str | Unset
        if isinstance(self.input_, Unset):
            input_ = UNSET
        elif isinstance(self.input_, list):
            input_ = []
            for input_type_1_item_data in self.input_:
                input_type_1_item = input_type_1_item_data.to_dict()
                input_.append(input_type_1_item)

        else:
            input_ = self.input_

        instructions: None | str | Unset
        if isinstance(self.instructions, Unset):
            instructions = UNSET
        else:
            instructions = self.instructions

        max_output_tokens: int | None | Unset
        if isinstance(self.max_output_tokens, Unset):
            max_output_tokens = UNSET
        else:
            max_output_tokens = self.max_output_tokens

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature

        top_p: float | None | Unset
        if isinstance(self.top_p, Unset):
            top_p = UNSET
        else:
            top_p = self.top_p

        text: dict[str, Any] | None | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        elif isinstance(self.text, CreateResponseRequestTextType0):
            text = self.text.to_dict()
        else:
            text = self.text

        tools: list[dict[str, Any]] | None | Unset
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, list):
            tools = []
            for tools_type_0_item_data in self.tools:
                tools_type_0_item = tools_type_0_item_data.to_dict()
                tools.append(tools_type_0_item)

        else:
            tools = self.tools

        tool_choice: dict[str, Any] | None | str | Unset
        if isinstance(self.tool_choice, Unset):
            tool_choice = UNSET
        elif isinstance(self.tool_choice, CreateResponseRequestToolChoiceType1):
            tool_choice = self.tool_choice.to_dict()
        else:
            tool_choice = self.tool_choice

        parallel_tool_calls: bool | None | Unset
        if isinstance(self.parallel_tool_calls, Unset):
            parallel_tool_calls = UNSET
        else:
            parallel_tool_calls = self.parallel_tool_calls

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateResponseRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        store: bool | None | Unset
        if isinstance(self.store, Unset):
            store = UNSET
        else:
            store = self.store

        previous_response_id: None | str | Unset
        if isinstance(self.previous_response_id, Unset):
            previous_response_id = UNSET
        else:
            previous_response_id = self.previous_response_id

        stream: bool | None | Unset
        if isinstance(self.stream, Unset):
            stream = UNSET
        else:
            stream = self.stream

        stream_options: dict[str, Any] | None | Unset
        if isinstance(self.stream_options, Unset):
            stream_options = UNSET
        elif isinstance(self.stream_options, ResponseStreamOptions):
            stream_options = self.stream_options.to_dict()
        else:
            stream_options = self.stream_options

        background: bool | None | Unset
        if isinstance(self.background, Unset):
            background = UNSET
        else:
            background = self.background

        include: list[str] | None | Unset
        if isinstance(self.include, Unset):
            include = UNSET
        elif isinstance(self.include, list):
            include = self.include

        else:
            include = self.include

        reasoning: dict[str, Any] | None | Unset
        if isinstance(self.reasoning, Unset):
            reasoning = UNSET
        elif isinstance(self.reasoning, Reasoning):
            reasoning = self.reasoning.to_dict()
        else:
            reasoning = self.reasoning

        truncation: None | str | Unset
        if isinstance(self.truncation, Unset):
            truncation = UNSET
        else:
            truncation = self.truncation

        conversation: dict[str, Any] | None | str | Unset
        if isinstance(self.conversation, Unset):
            conversation = UNSET
        elif isinstance(self.conversation, CreateResponseRequestConversationType1):
            conversation = self.conversation.to_dict()
        else:
            conversation = self.conversation

        prompt: dict[str, Any] | None | Unset
        if isinstance(self.prompt, Unset):
            prompt = UNSET
        elif isinstance(self.prompt, CreateResponseRequestPromptType0):
            prompt = self.prompt.to_dict()
        else:
            prompt = self.prompt

        context_management: list[dict[str, Any]] | None | Unset
        if isinstance(self.context_management, Unset):
            context_management = UNSET
        elif isinstance(self.context_management, list):
            context_management = []
            for context_management_type_0_item_data in self.context_management:
                context_management_type_0_item = context_management_type_0_item_data.to_dict()
                context_management.append(context_management_type_0_item)

        else:
            context_management = self.context_management

        moderation: dict[str, Any] | None | Unset
        if isinstance(self.moderation, Unset):
            moderation = UNSET
        elif isinstance(self.moderation, CreateResponseRequestModerationType0):
            moderation = self.moderation.to_dict()
        else:
            moderation = self.moderation

        max_tool_calls: int | None | Unset
        if isinstance(self.max_tool_calls, Unset):
            max_tool_calls = UNSET
        else:
            max_tool_calls = self.max_tool_calls

        top_logprobs: int | None | Unset
        if isinstance(self.top_logprobs, Unset):
            top_logprobs = UNSET
        else:
            top_logprobs = self.top_logprobs

        service_tier: None | str | Unset
        if isinstance(self.service_tier, Unset):
            service_tier = UNSET
        else:
            service_tier = self.service_tier

        user: None | str | Unset
        if isinstance(self.user, Unset):
            user = UNSET
        else:
            user = self.user

        safety_identifier: None | str | Unset
        if isinstance(self.safety_identifier, Unset):
            safety_identifier = UNSET
        else:
            safety_identifier = self.safety_identifier

        prompt_cache_key: None | str | Unset
        if isinstance(self.prompt_cache_key, Unset):
            prompt_cache_key = UNSET
        else:
            prompt_cache_key = self.prompt_cache_key

        prompt_cache_retention: None | str | Unset
        if isinstance(self.prompt_cache_retention, Unset):
            prompt_cache_retention = UNSET
        else:
            prompt_cache_retention = self.prompt_cache_retention

        prompt_cache_options: dict[str, Any] | None | Unset
        if isinstance(self.prompt_cache_options, Unset):
            prompt_cache_options = UNSET
        elif isinstance(self.prompt_cache_options, CreateResponseRequestPromptCacheOptionsType0):
            prompt_cache_options = self.prompt_cache_options.to_dict()
        else:
            prompt_cache_options = self.prompt_cache_options

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
            }
        )
        if input_ is not UNSET:
            field_dict["input"] = input_
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if max_output_tokens is not UNSET:
            field_dict["max_output_tokens"] = max_output_tokens
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if text is not UNSET:
            field_dict["text"] = text
        if tools is not UNSET:
            field_dict["tools"] = tools
        if tool_choice is not UNSET:
            field_dict["tool_choice"] = tool_choice
        if parallel_tool_calls is not UNSET:
            field_dict["parallel_tool_calls"] = parallel_tool_calls
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if store is not UNSET:
            field_dict["store"] = store
        if previous_response_id is not UNSET:
            field_dict["previous_response_id"] = previous_response_id
        if stream is not UNSET:
            field_dict["stream"] = stream
        if stream_options is not UNSET:
            field_dict["stream_options"] = stream_options
        if background is not UNSET:
            field_dict["background"] = background
        if include is not UNSET:
            field_dict["include"] = include
        if reasoning is not UNSET:
            field_dict["reasoning"] = reasoning
        if truncation is not UNSET:
            field_dict["truncation"] = truncation
        if conversation is not UNSET:
            field_dict["conversation"] = conversation
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if context_management is not UNSET:
            field_dict["context_management"] = context_management
        if moderation is not UNSET:
            field_dict["moderation"] = moderation
        if max_tool_calls is not UNSET:
            field_dict["max_tool_calls"] = max_tool_calls
        if top_logprobs is not UNSET:
            field_dict["top_logprobs"] = top_logprobs
        if service_tier is not UNSET:
            field_dict["service_tier"] = service_tier
        if user is not UNSET:
            field_dict["user"] = user
        if safety_identifier is not UNSET:
            field_dict["safety_identifier"] = safety_identifier
        if prompt_cache_key is not UNSET:
            field_dict["prompt_cache_key"] = prompt_cache_key
        if prompt_cache_retention is not UNSET:
            field_dict["prompt_cache_retention"] = prompt_cache_retention
        if prompt_cache_options is not UNSET:
            field_dict["prompt_cache_options"] = prompt_cache_options

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_response_request_context_management_type_0_item import (
            CreateResponseRequestContextManagementType0Item,  # noqa: PLC0415
        )
        from ..models.create_response_request_conversation_type_1 import CreateResponseRequestConversationType1  # noqa: PLC0415
        from ..models.create_response_request_input_type_1_item import CreateResponseRequestInputType1Item  # noqa: PLC0415
        from ..models.create_response_request_metadata_type_0 import CreateResponseRequestMetadataType0  # noqa: PLC0415
        from ..models.create_response_request_moderation_type_0 import CreateResponseRequestModerationType0  # noqa: PLC0415
        from ..models.create_response_request_prompt_cache_options_type_0 import (
            CreateResponseRequestPromptCacheOptionsType0,  # noqa: PLC0415
        )
        from ..models.create_response_request_prompt_type_0 import CreateResponseRequestPromptType0  # noqa: PLC0415
        from ..models.create_response_request_text_type_0 import CreateResponseRequestTextType0  # noqa: PLC0415
        from ..models.create_response_request_tool_choice_type_1 import CreateResponseRequestToolChoiceType1  # noqa: PLC0415
        from ..models.create_response_request_tools_type_0_item import CreateResponseRequestToolsType0Item  # noqa: PLC0415
        from ..models.reasoning import Reasoning  # noqa: PLC0415
        from ..models.response_stream_options import ResponseStreamOptions  # noqa: PLC0415

        d = dict(src_dict)
        model = d.pop("model")

        def _parse_input_(data: object) -> list[CreateResponseRequestInputType1Item] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                input_type_1 = []
                _input_type_1 = data
                for input_type_1_item_data in _input_type_1:
                    input_type_1_item = CreateResponseRequestInputType1Item.from_dict(input_type_1_item_data)

                    input_type_1.append(input_type_1_item)

                return input_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CreateResponseRequestInputType1Item] | None | str | Unset, data)

        input_ = _parse_input_(d.pop("input", UNSET))

        def _parse_instructions(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions = _parse_instructions(d.pop("instructions", UNSET))

        def _parse_max_output_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_output_tokens = _parse_max_output_tokens(d.pop("max_output_tokens", UNSET))

        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))

        def _parse_top_p(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        top_p = _parse_top_p(d.pop("top_p", UNSET))

        def _parse_text(data: object) -> CreateResponseRequestTextType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                text_type_0 = CreateResponseRequestTextType0.from_dict(data)

                return text_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateResponseRequestTextType0 | None | Unset, data)

        text = _parse_text(d.pop("text", UNSET))

        def _parse_tools(data: object) -> list[CreateResponseRequestToolsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tools_type_0 = []
                _tools_type_0 = data
                for tools_type_0_item_data in _tools_type_0:
                    tools_type_0_item = CreateResponseRequestToolsType0Item.from_dict(tools_type_0_item_data)

                    tools_type_0.append(tools_type_0_item)

                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CreateResponseRequestToolsType0Item] | None | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))

        def _parse_tool_choice(data: object) -> CreateResponseRequestToolChoiceType1 | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tool_choice_type_1 = CreateResponseRequestToolChoiceType1.from_dict(data)

                return tool_choice_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateResponseRequestToolChoiceType1 | None | str | Unset, data)

        tool_choice = _parse_tool_choice(d.pop("tool_choice", UNSET))

        def _parse_parallel_tool_calls(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        parallel_tool_calls = _parse_parallel_tool_calls(d.pop("parallel_tool_calls", UNSET))

        def _parse_metadata(data: object) -> CreateResponseRequestMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateResponseRequestMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateResponseRequestMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_store(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        store = _parse_store(d.pop("store", UNSET))

        def _parse_previous_response_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_response_id = _parse_previous_response_id(d.pop("previous_response_id", UNSET))

        def _parse_stream(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        stream = _parse_stream(d.pop("stream", UNSET))

        def _parse_stream_options(data: object) -> None | ResponseStreamOptions | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                stream_options_type_0 = ResponseStreamOptions.from_dict(data)

                return stream_options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponseStreamOptions | Unset, data)

        stream_options = _parse_stream_options(d.pop("stream_options", UNSET))

        def _parse_background(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        background = _parse_background(d.pop("background", UNSET))

        def _parse_include(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                include_type_0 = cast(list[str], data)

                return include_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        include = _parse_include(d.pop("include", UNSET))

        def _parse_reasoning(data: object) -> None | Reasoning | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reasoning_type_0 = Reasoning.from_dict(data)

                return reasoning_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Reasoning | Unset, data)

        reasoning = _parse_reasoning(d.pop("reasoning", UNSET))

        def _parse_truncation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        truncation = _parse_truncation(d.pop("truncation", UNSET))

        def _parse_conversation(data: object) -> CreateResponseRequestConversationType1 | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                conversation_type_1 = CreateResponseRequestConversationType1.from_dict(data)

                return conversation_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateResponseRequestConversationType1 | None | str | Unset, data)

        conversation = _parse_conversation(d.pop("conversation", UNSET))

        def _parse_prompt(data: object) -> CreateResponseRequestPromptType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                prompt_type_0 = CreateResponseRequestPromptType0.from_dict(data)

                return prompt_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateResponseRequestPromptType0 | None | Unset, data)

        prompt = _parse_prompt(d.pop("prompt", UNSET))

        def _parse_context_management(
            data: object,
        ) -> list[CreateResponseRequestContextManagementType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                context_management_type_0 = []
                _context_management_type_0 = data
                for context_management_type_0_item_data in _context_management_type_0:
                    context_management_type_0_item = CreateResponseRequestContextManagementType0Item.from_dict(
                        context_management_type_0_item_data
                    )

                    context_management_type_0.append(context_management_type_0_item)

                return context_management_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CreateResponseRequestContextManagementType0Item] | None | Unset, data)

        context_management = _parse_context_management(d.pop("context_management", UNSET))

        def _parse_moderation(data: object) -> CreateResponseRequestModerationType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                moderation_type_0 = CreateResponseRequestModerationType0.from_dict(data)

                return moderation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateResponseRequestModerationType0 | None | Unset, data)

        moderation = _parse_moderation(d.pop("moderation", UNSET))

        def _parse_max_tool_calls(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_tool_calls = _parse_max_tool_calls(d.pop("max_tool_calls", UNSET))

        def _parse_top_logprobs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        top_logprobs = _parse_top_logprobs(d.pop("top_logprobs", UNSET))

        def _parse_service_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        service_tier = _parse_service_tier(d.pop("service_tier", UNSET))

        def _parse_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user = _parse_user(d.pop("user", UNSET))

        def _parse_safety_identifier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        safety_identifier = _parse_safety_identifier(d.pop("safety_identifier", UNSET))

        def _parse_prompt_cache_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt_cache_key = _parse_prompt_cache_key(d.pop("prompt_cache_key", UNSET))

        def _parse_prompt_cache_retention(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt_cache_retention = _parse_prompt_cache_retention(d.pop("prompt_cache_retention", UNSET))

        def _parse_prompt_cache_options(data: object) -> CreateResponseRequestPromptCacheOptionsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                prompt_cache_options_type_0 = CreateResponseRequestPromptCacheOptionsType0.from_dict(data)

                return prompt_cache_options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateResponseRequestPromptCacheOptionsType0 | None | Unset, data)

        prompt_cache_options = _parse_prompt_cache_options(d.pop("prompt_cache_options", UNSET))

        create_response_request = cls(
            model=model,
            input_=input_,
            instructions=instructions,
            max_output_tokens=max_output_tokens,
            temperature=temperature,
            top_p=top_p,
            text=text,
            tools=tools,
            tool_choice=tool_choice,
            parallel_tool_calls=parallel_tool_calls,
            metadata=metadata,
            store=store,
            previous_response_id=previous_response_id,
            stream=stream,
            stream_options=stream_options,
            background=background,
            include=include,
            reasoning=reasoning,
            truncation=truncation,
            conversation=conversation,
            prompt=prompt,
            context_management=context_management,
            moderation=moderation,
            max_tool_calls=max_tool_calls,
            top_logprobs=top_logprobs,
            service_tier=service_tier,
            user=user,
            safety_identifier=safety_identifier,
            prompt_cache_key=prompt_cache_key,
            prompt_cache_retention=prompt_cache_retention,
            prompt_cache_options=prompt_cache_options,
        )

        return create_response_request
