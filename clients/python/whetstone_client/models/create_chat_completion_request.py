from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_completion_request_message import ChatCompletionRequestMessage
    from ..models.create_chat_completion_request_audio_type_0 import CreateChatCompletionRequestAudioType0
    from ..models.create_chat_completion_request_function_call_type_1 import (
        CreateChatCompletionRequestFunctionCallType1,
    )
    from ..models.create_chat_completion_request_functions_type_0_item import (
        CreateChatCompletionRequestFunctionsType0Item,
    )
    from ..models.create_chat_completion_request_logit_bias_type_0 import CreateChatCompletionRequestLogitBiasType0
    from ..models.create_chat_completion_request_metadata_type_0 import CreateChatCompletionRequestMetadataType0
    from ..models.create_chat_completion_request_moderation_type_0 import CreateChatCompletionRequestModerationType0
    from ..models.create_chat_completion_request_prediction_type_0 import CreateChatCompletionRequestPredictionType0
    from ..models.create_chat_completion_request_prompt_cache_options_type_0 import (
        CreateChatCompletionRequestPromptCacheOptionsType0,
    )
    from ..models.create_chat_completion_request_response_format_type_0 import (
        CreateChatCompletionRequestResponseFormatType0,
    )
    from ..models.create_chat_completion_request_tool_choice_type_1 import CreateChatCompletionRequestToolChoiceType1
    from ..models.create_chat_completion_request_tools_type_0_item import CreateChatCompletionRequestToolsType0Item
    from ..models.create_chat_completion_request_web_search_options_type_0 import (
        CreateChatCompletionRequestWebSearchOptionsType0,
    )
    from ..models.stream_options import StreamOptions


T = TypeVar("T", bound="CreateChatCompletionRequest")


@_attrs_define
class CreateChatCompletionRequest:
    """POST /v1/chat/completions. Every documented field is accepted; what cannot be honoured
    is a 400 naming the param, never ignored.

        Attributes:
            model (str): A base model name or alias, an `ft:` name or a checkpoint.
            messages (list[ChatCompletionRequestMessage]): The conversation so far.
            max_completion_tokens (int | None | Unset): Most tokens to generate (default: the rest of the context).
            max_tokens (int | None | Unset): Deprecated alias of max_completion_tokens.
            temperature (float | None | Unset): Sampling temperature (default 1); 0 is greedy.
            top_p (float | None | Unset): Nucleus sampling mass.
            n (int | None | Unset): Choices to generate.
            stop (list[str] | None | str | Unset): Up to 4 sequences where generation stops (not included).
            seed (int | None | Unset): Same seed and parameters give the same sample.
            logprobs (bool | None | Unset): Return logprobs of the output tokens.
            top_logprobs (int | None | Unset): Alternatives per token (needs logprobs=true).
            presence_penalty (float | None | Unset): Penalty for a token that appeared at all.
            frequency_penalty (float | None | Unset): Penalty per earlier occurrence of a token.
            logit_bias (CreateChatCompletionRequestLogitBiasType0 | None | Unset): Token id -> bias (-100..100) added to its
                logit.
            stream (bool | None | Unset): Stream chunks as server-sent events.
            stream_options (None | StreamOptions | Unset): Options of the stream.
            user (None | str | Unset): An end-user identifier; recorded nowhere.
            safety_identifier (None | str | Unset): Accepted; recorded nowhere.
            prompt_cache_key (None | str | Unset): Accepted; no prompt cache is kept.
            prompt_cache_retention (None | str | Unset): Accepted; no prompt cache.
            prompt_cache_options (CreateChatCompletionRequestPromptCacheOptionsType0 | None | Unset): Accepted; no prompt
                cache.
            metadata (CreateChatCompletionRequestMetadataType0 | None | Unset): Echoed back in the response.
            service_tier (None | str | Unset): Only `auto` or `default`.
            store (bool | None | Unset): Completions are never stored: true is a 400.
            modalities (list[str] | None | Unset): Only ["text"].
            response_format (CreateChatCompletionRequestResponseFormatType0 | None | Unset): `text`, `json_object` or
                `json_schema`: the output is constrained.
            tools (list[CreateChatCompletionRequestToolsType0Item] | None | Unset): Function tools, rendered through the
                model's chat template.
            tool_choice (CreateChatCompletionRequestToolChoiceType1 | None | str | Unset): `none`, `auto`, `required` or a
                named function.
            parallel_tool_calls (bool | None | Unset): false: at most one call per reply (default true).
            functions (list[CreateChatCompletionRequestFunctionsType0Item] | None | Unset): Not supported: a 400.
            function_call (CreateChatCompletionRequestFunctionCallType1 | None | str | Unset): Only `none`.
            audio (CreateChatCompletionRequestAudioType0 | None | Unset): Audio output: a 400.
            prediction (CreateChatCompletionRequestPredictionType0 | None | Unset): Predicted outputs: a 400.
            web_search_options (CreateChatCompletionRequestWebSearchOptionsType0 | None | Unset): Web search: a 400.
            reasoning_effort (None | str | Unset): Not a reasoning model: a 400.
            verbosity (None | str | Unset): Not supported: a 400.
            moderation (CreateChatCompletionRequestModerationType0 | None | Unset): Not supported: a 400.
    """

    model: str
    messages: list[ChatCompletionRequestMessage]
    max_completion_tokens: int | None | Unset = UNSET
    max_tokens: int | None | Unset = UNSET
    temperature: float | None | Unset = UNSET
    top_p: float | None | Unset = UNSET
    n: int | None | Unset = UNSET
    stop: list[str] | None | str | Unset = UNSET
    seed: int | None | Unset = UNSET
    logprobs: bool | None | Unset = UNSET
    top_logprobs: int | None | Unset = UNSET
    presence_penalty: float | None | Unset = UNSET
    frequency_penalty: float | None | Unset = UNSET
    logit_bias: CreateChatCompletionRequestLogitBiasType0 | None | Unset = UNSET
    stream: bool | None | Unset = UNSET
    stream_options: None | StreamOptions | Unset = UNSET
    user: None | str | Unset = UNSET
    safety_identifier: None | str | Unset = UNSET
    prompt_cache_key: None | str | Unset = UNSET
    prompt_cache_retention: None | str | Unset = UNSET
    prompt_cache_options: CreateChatCompletionRequestPromptCacheOptionsType0 | None | Unset = UNSET
    metadata: CreateChatCompletionRequestMetadataType0 | None | Unset = UNSET
    service_tier: None | str | Unset = UNSET
    store: bool | None | Unset = UNSET
    modalities: list[str] | None | Unset = UNSET
    response_format: CreateChatCompletionRequestResponseFormatType0 | None | Unset = UNSET
    tools: list[CreateChatCompletionRequestToolsType0Item] | None | Unset = UNSET
    tool_choice: CreateChatCompletionRequestToolChoiceType1 | None | str | Unset = UNSET
    parallel_tool_calls: bool | None | Unset = UNSET
    functions: list[CreateChatCompletionRequestFunctionsType0Item] | None | Unset = UNSET
    function_call: CreateChatCompletionRequestFunctionCallType1 | None | str | Unset = UNSET
    audio: CreateChatCompletionRequestAudioType0 | None | Unset = UNSET
    prediction: CreateChatCompletionRequestPredictionType0 | None | Unset = UNSET
    web_search_options: CreateChatCompletionRequestWebSearchOptionsType0 | None | Unset = UNSET
    reasoning_effort: None | str | Unset = UNSET
    verbosity: None | str | Unset = UNSET
    moderation: CreateChatCompletionRequestModerationType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_chat_completion_request_audio_type_0 import CreateChatCompletionRequestAudioType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_function_call_type_1 import (
            CreateChatCompletionRequestFunctionCallType1,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_logit_bias_type_0 import CreateChatCompletionRequestLogitBiasType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_metadata_type_0 import CreateChatCompletionRequestMetadataType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_moderation_type_0 import CreateChatCompletionRequestModerationType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_prediction_type_0 import CreateChatCompletionRequestPredictionType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_prompt_cache_options_type_0 import (
            CreateChatCompletionRequestPromptCacheOptionsType0,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_response_format_type_0 import (
            CreateChatCompletionRequestResponseFormatType0,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_tool_choice_type_1 import (
            CreateChatCompletionRequestToolChoiceType1,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_web_search_options_type_0 import (
            CreateChatCompletionRequestWebSearchOptionsType0,  # noqa: PLC0415
        )
        from ..models.stream_options import StreamOptions  # noqa: PLC0415

        model = self.model

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        max_completion_tokens: int | None | Unset
        if isinstance(self.max_completion_tokens, Unset):
            max_completion_tokens = UNSET
        else:
            max_completion_tokens = self.max_completion_tokens

        max_tokens: int | None | Unset
        if isinstance(self.max_tokens, Unset):
            max_tokens = UNSET
        else:
            max_tokens = self.max_tokens

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

        n: int | None | Unset
        if isinstance(self.n, Unset):
            n = UNSET
        else:
            n = self.n

        stop: list[str] | None | str | Unset
        if isinstance(self.stop, Unset):
            stop = UNSET
        elif isinstance(self.stop, list):
            stop = self.stop

        else:
            stop = self.stop

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        logprobs: bool | None | Unset
        if isinstance(self.logprobs, Unset):
            logprobs = UNSET
        else:
            logprobs = self.logprobs

        top_logprobs: int | None | Unset
        if isinstance(self.top_logprobs, Unset):
            top_logprobs = UNSET
        else:
            top_logprobs = self.top_logprobs

        presence_penalty: float | None | Unset
        if isinstance(self.presence_penalty, Unset):
            presence_penalty = UNSET
        else:
            presence_penalty = self.presence_penalty

        frequency_penalty: float | None | Unset
        if isinstance(self.frequency_penalty, Unset):
            frequency_penalty = UNSET
        else:
            frequency_penalty = self.frequency_penalty

        logit_bias: dict[str, Any] | None | Unset
        if isinstance(self.logit_bias, Unset):
            logit_bias = UNSET
        elif isinstance(self.logit_bias, CreateChatCompletionRequestLogitBiasType0):
            logit_bias = self.logit_bias.to_dict()
        else:
            logit_bias = self.logit_bias

        stream: bool | None | Unset
        if isinstance(self.stream, Unset):
            stream = UNSET
        else:
            stream = self.stream

        stream_options: dict[str, Any] | None | Unset
        if isinstance(self.stream_options, Unset):
            stream_options = UNSET
        elif isinstance(self.stream_options, StreamOptions):
            stream_options = self.stream_options.to_dict()
        else:
            stream_options = self.stream_options

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
        elif isinstance(self.prompt_cache_options, CreateChatCompletionRequestPromptCacheOptionsType0):
            prompt_cache_options = self.prompt_cache_options.to_dict()
        else:
            prompt_cache_options = self.prompt_cache_options

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateChatCompletionRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        service_tier: None | str | Unset
        if isinstance(self.service_tier, Unset):
            service_tier = UNSET
        else:
            service_tier = self.service_tier

        store: bool | None | Unset
        if isinstance(self.store, Unset):
            store = UNSET
        else:
            store = self.store

        modalities: list[str] | None | Unset
        if isinstance(self.modalities, Unset):
            modalities = UNSET
        elif isinstance(self.modalities, list):
            modalities = self.modalities

        else:
            modalities = self.modalities

        response_format: dict[str, Any] | None | Unset
        if isinstance(self.response_format, Unset):
            response_format = UNSET
        elif isinstance(self.response_format, CreateChatCompletionRequestResponseFormatType0):
            response_format = self.response_format.to_dict()
        else:
            response_format = self.response_format

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
        elif isinstance(self.tool_choice, CreateChatCompletionRequestToolChoiceType1):
            tool_choice = self.tool_choice.to_dict()
        else:
            tool_choice = self.tool_choice

        parallel_tool_calls: bool | None | Unset
        if isinstance(self.parallel_tool_calls, Unset):
            parallel_tool_calls = UNSET
        else:
            parallel_tool_calls = self.parallel_tool_calls

        functions: list[dict[str, Any]] | None | Unset
        if isinstance(self.functions, Unset):
            functions = UNSET
        elif isinstance(self.functions, list):
            functions = []
            for functions_type_0_item_data in self.functions:
                functions_type_0_item = functions_type_0_item_data.to_dict()
                functions.append(functions_type_0_item)

        else:
            functions = self.functions

        function_call: dict[str, Any] | None | str | Unset
        if isinstance(self.function_call, Unset):
            function_call = UNSET
        elif isinstance(self.function_call, CreateChatCompletionRequestFunctionCallType1):
            function_call = self.function_call.to_dict()
        else:
            function_call = self.function_call

        audio: dict[str, Any] | None | Unset
        if isinstance(self.audio, Unset):
            audio = UNSET
        elif isinstance(self.audio, CreateChatCompletionRequestAudioType0):
            audio = self.audio.to_dict()
        else:
            audio = self.audio

        prediction: dict[str, Any] | None | Unset
        if isinstance(self.prediction, Unset):
            prediction = UNSET
        elif isinstance(self.prediction, CreateChatCompletionRequestPredictionType0):
            prediction = self.prediction.to_dict()
        else:
            prediction = self.prediction

        web_search_options: dict[str, Any] | None | Unset
        if isinstance(self.web_search_options, Unset):
            web_search_options = UNSET
        elif isinstance(self.web_search_options, CreateChatCompletionRequestWebSearchOptionsType0):
            web_search_options = self.web_search_options.to_dict()
        else:
            web_search_options = self.web_search_options

        reasoning_effort: None | str | Unset
        if isinstance(self.reasoning_effort, Unset):
            reasoning_effort = UNSET
        else:
            reasoning_effort = self.reasoning_effort

        verbosity: None | str | Unset
        if isinstance(self.verbosity, Unset):
            verbosity = UNSET
        else:
            verbosity = self.verbosity

        moderation: dict[str, Any] | None | Unset
        if isinstance(self.moderation, Unset):
            moderation = UNSET
        elif isinstance(self.moderation, CreateChatCompletionRequestModerationType0):
            moderation = self.moderation.to_dict()
        else:
            moderation = self.moderation

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
                "messages": messages,
            }
        )
        if max_completion_tokens is not UNSET:
            field_dict["max_completion_tokens"] = max_completion_tokens
        if max_tokens is not UNSET:
            field_dict["max_tokens"] = max_tokens
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if n is not UNSET:
            field_dict["n"] = n
        if stop is not UNSET:
            field_dict["stop"] = stop
        if seed is not UNSET:
            field_dict["seed"] = seed
        if logprobs is not UNSET:
            field_dict["logprobs"] = logprobs
        if top_logprobs is not UNSET:
            field_dict["top_logprobs"] = top_logprobs
        if presence_penalty is not UNSET:
            field_dict["presence_penalty"] = presence_penalty
        if frequency_penalty is not UNSET:
            field_dict["frequency_penalty"] = frequency_penalty
        if logit_bias is not UNSET:
            field_dict["logit_bias"] = logit_bias
        if stream is not UNSET:
            field_dict["stream"] = stream
        if stream_options is not UNSET:
            field_dict["stream_options"] = stream_options
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
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if service_tier is not UNSET:
            field_dict["service_tier"] = service_tier
        if store is not UNSET:
            field_dict["store"] = store
        if modalities is not UNSET:
            field_dict["modalities"] = modalities
        if response_format is not UNSET:
            field_dict["response_format"] = response_format
        if tools is not UNSET:
            field_dict["tools"] = tools
        if tool_choice is not UNSET:
            field_dict["tool_choice"] = tool_choice
        if parallel_tool_calls is not UNSET:
            field_dict["parallel_tool_calls"] = parallel_tool_calls
        if functions is not UNSET:
            field_dict["functions"] = functions
        if function_call is not UNSET:
            field_dict["function_call"] = function_call
        if audio is not UNSET:
            field_dict["audio"] = audio
        if prediction is not UNSET:
            field_dict["prediction"] = prediction
        if web_search_options is not UNSET:
            field_dict["web_search_options"] = web_search_options
        if reasoning_effort is not UNSET:
            field_dict["reasoning_effort"] = reasoning_effort
        if verbosity is not UNSET:
            field_dict["verbosity"] = verbosity
        if moderation is not UNSET:
            field_dict["moderation"] = moderation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_request_message import ChatCompletionRequestMessage  # noqa: PLC0415
        from ..models.create_chat_completion_request_audio_type_0 import CreateChatCompletionRequestAudioType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_function_call_type_1 import (
            CreateChatCompletionRequestFunctionCallType1,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_functions_type_0_item import (
            CreateChatCompletionRequestFunctionsType0Item,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_logit_bias_type_0 import CreateChatCompletionRequestLogitBiasType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_metadata_type_0 import CreateChatCompletionRequestMetadataType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_moderation_type_0 import CreateChatCompletionRequestModerationType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_prediction_type_0 import CreateChatCompletionRequestPredictionType0  # noqa: PLC0415
        from ..models.create_chat_completion_request_prompt_cache_options_type_0 import (
            CreateChatCompletionRequestPromptCacheOptionsType0,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_response_format_type_0 import (
            CreateChatCompletionRequestResponseFormatType0,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_tool_choice_type_1 import (
            CreateChatCompletionRequestToolChoiceType1,  # noqa: PLC0415
        )
        from ..models.create_chat_completion_request_tools_type_0_item import CreateChatCompletionRequestToolsType0Item  # noqa: PLC0415
        from ..models.create_chat_completion_request_web_search_options_type_0 import (
            CreateChatCompletionRequestWebSearchOptionsType0,  # noqa: PLC0415
        )
        from ..models.stream_options import StreamOptions  # noqa: PLC0415

        d = dict(src_dict)
        model = d.pop("model")

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = ChatCompletionRequestMessage.from_dict(messages_item_data)

            messages.append(messages_item)

        def _parse_max_completion_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_completion_tokens = _parse_max_completion_tokens(d.pop("max_completion_tokens", UNSET))

        def _parse_max_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_tokens = _parse_max_tokens(d.pop("max_tokens", UNSET))

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

        def _parse_n(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n = _parse_n(d.pop("n", UNSET))

        def _parse_stop(data: object) -> list[str] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                stop_type_1 = cast(list[str], data)

                return stop_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | str | Unset, data)

        stop = _parse_stop(d.pop("stop", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_logprobs(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        logprobs = _parse_logprobs(d.pop("logprobs", UNSET))

        def _parse_top_logprobs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        top_logprobs = _parse_top_logprobs(d.pop("top_logprobs", UNSET))

        def _parse_presence_penalty(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        presence_penalty = _parse_presence_penalty(d.pop("presence_penalty", UNSET))

        def _parse_frequency_penalty(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        frequency_penalty = _parse_frequency_penalty(d.pop("frequency_penalty", UNSET))

        def _parse_logit_bias(data: object) -> CreateChatCompletionRequestLogitBiasType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                logit_bias_type_0 = CreateChatCompletionRequestLogitBiasType0.from_dict(data)

                return logit_bias_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestLogitBiasType0 | None | Unset, data)

        logit_bias = _parse_logit_bias(d.pop("logit_bias", UNSET))

        def _parse_stream(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        stream = _parse_stream(d.pop("stream", UNSET))

        def _parse_stream_options(data: object) -> None | StreamOptions | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                stream_options_type_0 = StreamOptions.from_dict(data)

                return stream_options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StreamOptions | Unset, data)

        stream_options = _parse_stream_options(d.pop("stream_options", UNSET))

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

        def _parse_prompt_cache_options(
            data: object,
        ) -> CreateChatCompletionRequestPromptCacheOptionsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                prompt_cache_options_type_0 = CreateChatCompletionRequestPromptCacheOptionsType0.from_dict(data)

                return prompt_cache_options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestPromptCacheOptionsType0 | None | Unset, data)

        prompt_cache_options = _parse_prompt_cache_options(d.pop("prompt_cache_options", UNSET))

        def _parse_metadata(data: object) -> CreateChatCompletionRequestMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateChatCompletionRequestMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_service_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        service_tier = _parse_service_tier(d.pop("service_tier", UNSET))

        def _parse_store(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        store = _parse_store(d.pop("store", UNSET))

        def _parse_modalities(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                modalities_type_0 = cast(list[str], data)

                return modalities_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        modalities = _parse_modalities(d.pop("modalities", UNSET))

        def _parse_response_format(data: object) -> CreateChatCompletionRequestResponseFormatType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_format_type_0 = CreateChatCompletionRequestResponseFormatType0.from_dict(data)

                return response_format_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestResponseFormatType0 | None | Unset, data)

        response_format = _parse_response_format(d.pop("response_format", UNSET))

        def _parse_tools(data: object) -> list[CreateChatCompletionRequestToolsType0Item] | None | Unset:
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
                    tools_type_0_item = CreateChatCompletionRequestToolsType0Item.from_dict(tools_type_0_item_data)

                    tools_type_0.append(tools_type_0_item)

                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CreateChatCompletionRequestToolsType0Item] | None | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))

        def _parse_tool_choice(data: object) -> CreateChatCompletionRequestToolChoiceType1 | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tool_choice_type_1 = CreateChatCompletionRequestToolChoiceType1.from_dict(data)

                return tool_choice_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestToolChoiceType1 | None | str | Unset, data)

        tool_choice = _parse_tool_choice(d.pop("tool_choice", UNSET))

        def _parse_parallel_tool_calls(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        parallel_tool_calls = _parse_parallel_tool_calls(d.pop("parallel_tool_calls", UNSET))

        def _parse_functions(data: object) -> list[CreateChatCompletionRequestFunctionsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                functions_type_0 = []
                _functions_type_0 = data
                for functions_type_0_item_data in _functions_type_0:
                    functions_type_0_item = CreateChatCompletionRequestFunctionsType0Item.from_dict(
                        functions_type_0_item_data
                    )

                    functions_type_0.append(functions_type_0_item)

                return functions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CreateChatCompletionRequestFunctionsType0Item] | None | Unset, data)

        functions = _parse_functions(d.pop("functions", UNSET))

        def _parse_function_call(data: object) -> CreateChatCompletionRequestFunctionCallType1 | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                function_call_type_1 = CreateChatCompletionRequestFunctionCallType1.from_dict(data)

                return function_call_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestFunctionCallType1 | None | str | Unset, data)

        function_call = _parse_function_call(d.pop("function_call", UNSET))

        def _parse_audio(data: object) -> CreateChatCompletionRequestAudioType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                audio_type_0 = CreateChatCompletionRequestAudioType0.from_dict(data)

                return audio_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestAudioType0 | None | Unset, data)

        audio = _parse_audio(d.pop("audio", UNSET))

        def _parse_prediction(data: object) -> CreateChatCompletionRequestPredictionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                prediction_type_0 = CreateChatCompletionRequestPredictionType0.from_dict(data)

                return prediction_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestPredictionType0 | None | Unset, data)

        prediction = _parse_prediction(d.pop("prediction", UNSET))

        def _parse_web_search_options(data: object) -> CreateChatCompletionRequestWebSearchOptionsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                web_search_options_type_0 = CreateChatCompletionRequestWebSearchOptionsType0.from_dict(data)

                return web_search_options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestWebSearchOptionsType0 | None | Unset, data)

        web_search_options = _parse_web_search_options(d.pop("web_search_options", UNSET))

        def _parse_reasoning_effort(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reasoning_effort = _parse_reasoning_effort(d.pop("reasoning_effort", UNSET))

        def _parse_verbosity(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        verbosity = _parse_verbosity(d.pop("verbosity", UNSET))

        def _parse_moderation(data: object) -> CreateChatCompletionRequestModerationType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                moderation_type_0 = CreateChatCompletionRequestModerationType0.from_dict(data)

                return moderation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateChatCompletionRequestModerationType0 | None | Unset, data)

        moderation = _parse_moderation(d.pop("moderation", UNSET))

        create_chat_completion_request = cls(
            model=model,
            messages=messages,
            max_completion_tokens=max_completion_tokens,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            n=n,
            stop=stop,
            seed=seed,
            logprobs=logprobs,
            top_logprobs=top_logprobs,
            presence_penalty=presence_penalty,
            frequency_penalty=frequency_penalty,
            logit_bias=logit_bias,
            stream=stream,
            stream_options=stream_options,
            user=user,
            safety_identifier=safety_identifier,
            prompt_cache_key=prompt_cache_key,
            prompt_cache_retention=prompt_cache_retention,
            prompt_cache_options=prompt_cache_options,
            metadata=metadata,
            service_tier=service_tier,
            store=store,
            modalities=modalities,
            response_format=response_format,
            tools=tools,
            tool_choice=tool_choice,
            parallel_tool_calls=parallel_tool_calls,
            functions=functions,
            function_call=function_call,
            audio=audio,
            prediction=prediction,
            web_search_options=web_search_options,
            reasoning_effort=reasoning_effort,
            verbosity=verbosity,
            moderation=moderation,
        )

        return create_chat_completion_request
