"""Wire models of /v1/chat/completions and /v1/completions, named after OpenAI's objects.

Request models own their conversion to the engine's SamplingParams (`to_sampling_params`), as
vLLM's protocol.py does; the checks that need the model (context length) stay in operations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.core.errors import InvalidRequestError
from service.core.wire import JsonBody, WireJSONObject
from service.inference.types import SamplingParams

MAX_STOP_SEQUENCES = 4


def _stop_sequences(stop: str | list[str] | None) -> tuple[str, ...]:
    if stop is None:
        return ()
    stops = [stop] if isinstance(stop, str) else list(stop)
    if len(stops) > MAX_STOP_SEQUENCES:
        raise InvalidRequestError(
            f"'stop' may hold at most {MAX_STOP_SEQUENCES} sequences.", param="stop"
        )
    if any(s == "" for s in stops):
        raise InvalidRequestError("Stop sequences must not be empty.", param="stop")
    return tuple(stops)


def _logit_bias(bias: dict[str, int] | None) -> dict[int, float]:
    if not bias:
        return {}
    parsed: dict[int, float] = {}
    for token, value in bias.items():
        if not token.lstrip("-").isdigit() or not -100 <= value <= 100:
            raise InvalidRequestError(
                "'logit_bias' maps token ids (as strings) to integers from -100 to 100.",
                param="logit_bias",
            )
        parsed[int(token)] = float(value)
    return parsed


def _sampling_params(
    request: CreateCompletionRequest | CreateChatCompletionRequest,
    *,
    max_tokens: int,
    top_logprobs: int | None,
) -> SamplingParams:
    """The one place a request's shared sampling fields become SamplingParams."""
    return SamplingParams(
        max_tokens=max_tokens,
        temperature=1.0 if request.temperature is None else request.temperature,
        top_p=1.0 if request.top_p is None else request.top_p,
        presence_penalty=request.presence_penalty or 0.0,
        frequency_penalty=request.frequency_penalty or 0.0,
        seed=request.seed,
        logit_bias=_logit_bias(request.logit_bias),
        top_logprobs=top_logprobs,
        stop=_stop_sequences(request.stop),
    )


class StreamOptions(BaseModel):
    """Options of a streamed response."""

    model_config = ConfigDict(extra="forbid", strict=True)

    include_usage: bool | None = Field(
        None, description="Send a last chunk with `usage` and no choices before [DONE]."
    )
    include_obfuscation: bool | None = Field(
        None, description="Accepted; Whetstone never pads chunks with obfuscation text."
    )


class CompletionUsage(BaseModel):
    """Token counts of a request."""

    prompt_tokens: int = Field(description="Tokens in the prompt(s).")
    completion_tokens: int = Field(description="Tokens generated across all choices.")
    total_tokens: int = Field(description="prompt_tokens + completion_tokens.")


class CreateCompletionRequest(JsonBody):
    """POST /v1/completions. Every documented field is accepted; unsupported values are 400."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="A base model name or alias, an `ft:` name or a checkpoint.")
    prompt: str | list[str] | list[int] | list[list[int]] | None = Field(
        None, description="Text, a list of texts, token ids, or a list of token-id lists."
    )
    best_of: int | None = Field(
        None, ge=0, le=20, description="Only 1 or equal to `n` is supported."
    )
    echo: bool | None = Field(None, description="Prefix each choice's text with its prompt.")
    frequency_penalty: float | None = Field(
        None, ge=-2, le=2, description="Penalty per earlier occurrence of a token."
    )
    logit_bias: dict[str, int] | None = Field(
        None, description="Token id -> bias (-100..100) added to its logit."
    )
    logprobs: int | None = Field(
        None, ge=0, le=5, description="Return the chosen token's logprob and this many others."
    )
    max_tokens: int | None = Field(None, ge=0, description="Most tokens to generate (default 16).")
    n: int | None = Field(None, ge=1, le=128, description="Choices to generate per prompt.")
    presence_penalty: float | None = Field(
        None, ge=-2, le=2, description="Penalty for a token that appeared at all."
    )
    seed: int | None = Field(None, description="Same seed and parameters give the same sample.")
    stop: str | list[str] | None = Field(
        None, description="Up to 4 sequences where generation stops (not included in the text)."
    )
    stream: bool | None = Field(None, description="Stream the choices as server-sent events.")
    stream_options: StreamOptions | None = Field(None, description="Options of the stream.")
    suffix: str | None = Field(None, description="Not supported: any value is a 400.")
    temperature: float | None = Field(
        None, ge=0, le=2, description="Sampling temperature; 0 is greedy."
    )
    top_p: float | None = Field(None, ge=0, le=1, description="Nucleus sampling mass.")
    user: str | None = Field(None, description="An end-user identifier; recorded nowhere.")

    def to_sampling_params(self, *, max_tokens: int) -> SamplingParams:
        """How the engine samples this request; 400 on a bad `stop` or `logit_bias`."""
        return _sampling_params(self, max_tokens=max_tokens, top_logprobs=self.logprobs)


class CompletionLogprobs(BaseModel):
    """Logprobs of a completion choice, in the legacy layout."""

    text_offset: list[int] = Field(description="Character offset of each token in the text.")
    token_logprobs: list[float | None] = Field(description="Logprob of each chosen token.")
    tokens: list[str] = Field(description="Each chosen token's text.")
    top_logprobs: list[dict[str, float]] | None = Field(
        description="Per token, the most likely tokens and their logprobs."
    )


class CompletionChoice(BaseModel):
    """One generated text."""

    text: str = Field(description="The generated text (after the prompt when echo is set).")
    index: int = Field(description="Index of the choice: prompt index * n + choice.")
    logprobs: CompletionLogprobs | None = Field(description="Logprobs, when asked for.")
    finish_reason: Literal["stop", "length"] | None = Field(
        description="`stop` (end of text or a stop sequence) or `length` (max_tokens/context)."
    )


class Completion(BaseModel):
    """A completion, or one chunk of a streamed completion (same shape)."""

    id: str = Field(description="Identifier of the completion, shared by its chunks.")
    object: Literal["text_completion"] = Field(
        "text_completion", description="Always `text_completion`."
    )
    created: int = Field(description="Unix seconds when the completion was created.")
    model: str = Field(description="The model as requested.")
    system_fingerprint: str = Field(description="Identifies the serving configuration.")
    choices: list[CompletionChoice] = Field(description="The generated choices.")
    usage: CompletionUsage | None = Field(None, description="Token counts.")


class ChatCompletionContentPart(BaseModel):
    """One part of a message's content; only `text` parts can be served."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: str = Field(description="`text`; image, audio and file parts are refused with a 400.")
    text: str | None = Field(None, description="The text of a `text` (or `refusal`) part.")
    refusal: str | None = Field(None, description="The text of an assistant `refusal` part.")


class ChatCompletionRequestMessage(BaseModel):
    """One message of the conversation (developer, system, user, assistant, tool, function)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: Literal["developer", "system", "user", "assistant", "tool", "function"] = Field(
        description="Who wrote the message; `developer` renders as `system`."
    )
    content: str | list[ChatCompletionContentPart] | None = Field(
        None, description="The text, or a list of text parts."
    )
    name: str | None = Field(None, description="An optional name of the participant.")
    refusal: str | None = Field(None, description="An earlier assistant refusal.")
    tool_calls: list[WireJSONObject] | None = Field(
        None, description="Earlier assistant tool calls, rendered as JSON by the template."
    )
    tool_call_id: str | None = Field(None, description="The tool call a tool message answers.")
    function_call: WireJSONObject | None = Field(
        None, description="Deprecated earlier assistant function call."
    )
    audio: WireJSONObject | None = Field(None, description="Earlier assistant audio: refused.")


class CreateChatCompletionRequest(JsonBody):
    """POST /v1/chat/completions. Every documented field is accepted; what cannot be honoured
    is a 400 naming the param, never ignored."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="A base model name or alias, an `ft:` name or a checkpoint.")
    messages: list[ChatCompletionRequestMessage] = Field(
        min_length=1, description="The conversation so far."
    )
    max_completion_tokens: int | None = Field(
        None, ge=1, description="Most tokens to generate (default: the rest of the context)."
    )
    max_tokens: int | None = Field(
        None, ge=1, description="Deprecated alias of max_completion_tokens."
    )
    temperature: float | None = Field(
        None, ge=0, le=2, description="Sampling temperature (default 1); 0 is greedy."
    )
    top_p: float | None = Field(None, ge=0, le=1, description="Nucleus sampling mass.")
    n: int | None = Field(None, ge=1, le=128, description="Choices to generate.")
    stop: str | list[str] | None = Field(
        None, description="Up to 4 sequences where generation stops (not included)."
    )
    seed: int | None = Field(None, description="Same seed and parameters give the same sample.")
    logprobs: bool | None = Field(None, description="Return logprobs of the output tokens.")
    top_logprobs: int | None = Field(
        None, ge=0, le=20, description="Alternatives per token (needs logprobs=true)."
    )
    presence_penalty: float | None = Field(
        None, ge=-2, le=2, description="Penalty for a token that appeared at all."
    )
    frequency_penalty: float | None = Field(
        None, ge=-2, le=2, description="Penalty per earlier occurrence of a token."
    )
    logit_bias: dict[str, int] | None = Field(
        None, description="Token id -> bias (-100..100) added to its logit."
    )
    stream: bool | None = Field(None, description="Stream chunks as server-sent events.")
    stream_options: StreamOptions | None = Field(None, description="Options of the stream.")
    user: str | None = Field(None, description="An end-user identifier; recorded nowhere.")
    safety_identifier: str | None = Field(None, description="Accepted; recorded nowhere.")
    prompt_cache_key: str | None = Field(None, description="Accepted; no prompt cache is kept.")
    prompt_cache_retention: str | None = Field(None, description="Accepted; no prompt cache.")
    prompt_cache_options: WireJSONObject | None = Field(
        None, description="Accepted; no prompt cache."
    )
    metadata: dict[str, str] | None = Field(None, description="Echoed back in the response.")
    service_tier: str | None = Field(None, description="Only `auto` or `default`.")
    store: bool | None = Field(None, description="Completions are never stored: true is a 400.")
    modalities: list[str] | None = Field(None, description='Only ["text"].')
    response_format: WireJSONObject | None = Field(
        None, description="`text`, `json_object` or `json_schema`: the output is constrained."
    )
    tools: list[WireJSONObject] | None = Field(
        None, description="Function tools, rendered through the model's chat template."
    )
    tool_choice: str | WireJSONObject | None = Field(
        None, description="`none`, `auto`, `required` or a named function."
    )
    parallel_tool_calls: bool | None = Field(
        None, description="false: at most one call per reply (default true)."
    )
    functions: list[WireJSONObject] | None = Field(None, description="Not supported: a 400.")
    function_call: str | WireJSONObject | None = Field(None, description="Only `none`.")
    audio: WireJSONObject | None = Field(None, description="Audio output: a 400.")
    prediction: WireJSONObject | None = Field(None, description="Predicted outputs: a 400.")
    web_search_options: WireJSONObject | None = Field(None, description="Web search: a 400.")
    reasoning_effort: str | None = Field(None, description="Not a reasoning model: a 400.")
    verbosity: str | None = Field(None, description="Not supported: a 400.")
    moderation: WireJSONObject | None = Field(None, description="Not supported: a 400.")

    def to_sampling_params(self, *, max_tokens: int) -> SamplingParams:
        """How the engine samples this request; 400 on a bad `stop` or `logit_bias`."""
        top_logprobs = (self.top_logprobs or 0) if self.logprobs else None
        return _sampling_params(self, max_tokens=max_tokens, top_logprobs=top_logprobs)


class TopLogprob(BaseModel):
    """One of the most likely tokens at a position."""

    token: str = Field(description="The token's text.")
    logprob: float = Field(description="Its log probability.")
    bytes: list[int] | None = Field(description="UTF-8 bytes of the token's text.")


class ChatCompletionTokenLogprob(BaseModel):
    """A generated token with its log probability."""

    token: str = Field(description="The token's text.")
    logprob: float = Field(description="Its log probability.")
    bytes: list[int] | None = Field(description="UTF-8 bytes of the token's text.")
    top_logprobs: list[TopLogprob] = Field(description="The most likely tokens at this position.")


class ChoiceLogprobs(BaseModel):
    """Logprobs of a choice's content."""

    content: list[ChatCompletionTokenLogprob] | None = Field(description="Per content token.")
    refusal: list[ChatCompletionTokenLogprob] | None = Field(
        None, description="Always null: the model never refuses."
    )


class FunctionCall(BaseModel):
    """The function a tool call calls."""

    name: str = Field(description="The function's name.")
    arguments: str = Field(description="Its arguments, as JSON text.")


class ChatCompletionMessageToolCall(BaseModel):
    """One tool call of the assistant's reply."""

    id: str = Field(description="Identifier of the call (`call_...`).")
    type: Literal["function"] = Field("function", description="Always `function`.")
    function: FunctionCall = Field(description="The function called.")


class ChatCompletionMessage(BaseModel):
    """The assistant's reply."""

    role: Literal["assistant"] = Field("assistant", description="Always `assistant`.")
    content: str | None = Field(description="The generated text; null when only tools are called.")
    refusal: str | None = Field(None, description="Always null.")
    tool_calls: list[ChatCompletionMessageToolCall] | None = Field(
        None,
        exclude_if=lambda value: value is None,
        description="The tool calls of the reply, when it calls tools (absent otherwise).",
    )


class ChatCompletionChoice(BaseModel):
    """One generated reply."""

    index: int = Field(description="Index of the choice.")
    message: ChatCompletionMessage = Field(description="The reply.")
    logprobs: ChoiceLogprobs | None = Field(description="Logprobs, when asked for.")
    finish_reason: Literal["stop", "length", "tool_calls"] = Field(
        description="`stop` (end of turn or a stop sequence), `length`, or `tool_calls`."
    )


class ChatCompletion(BaseModel):
    """A chat completion."""

    id: str = Field(description="Identifier of the completion (`chatcmpl-...`).")
    object: Literal["chat.completion"] = Field(
        "chat.completion", description="Always `chat.completion`."
    )
    created: int = Field(description="Unix seconds when the completion was created.")
    model: str = Field(description="The model as requested.")
    system_fingerprint: str = Field(description="Identifies the serving configuration.")
    service_tier: str = Field("default", description="Always `default`.")
    choices: list[ChatCompletionChoice] = Field(description="The generated replies.")
    usage: CompletionUsage = Field(description="Token counts.")
    metadata: dict[str, str] | None = Field(None, description="The request's metadata.")


class ChoiceDeltaFunctionCall(BaseModel):
    """What a chunk adds to a tool call's function."""

    name: str | None = Field(None, description="The function's name, on the call's first chunk.")
    arguments: str | None = Field(None, description="More of the arguments' JSON text.")


class ChoiceDeltaToolCall(BaseModel):
    """What a chunk adds to one tool call."""

    index: int = Field(description="Index of the call within the reply.")
    id: str | None = Field(None, description="Identifier of the call, on its first chunk.")
    type: Literal["function"] | None = Field(None, description="`function`, on its first chunk.")
    function: ChoiceDeltaFunctionCall | None = Field(None, description="The function's part.")


class ChoiceDelta(BaseModel):
    """What a streamed chunk adds to a choice."""

    role: Literal["assistant"] | None = Field(None, description="`assistant` on the first chunk.")
    content: str | None = Field(None, description="New text of the reply.")
    refusal: str | None = Field(None, description="Always null.")
    tool_calls: list[ChoiceDeltaToolCall] | None = Field(
        None, description="What the chunk adds to the reply's tool calls."
    )


class ChatCompletionChunkChoice(BaseModel):
    """One choice's part of a streamed chunk."""

    index: int = Field(description="Index of the choice.")
    delta: ChoiceDelta = Field(description="What the chunk adds.")
    logprobs: ChoiceLogprobs | None = Field(None, description="Logprobs of the new tokens.")
    finish_reason: Literal["stop", "length", "tool_calls"] | None = Field(
        None, description="Set on the choice's last chunk."
    )


class ChatCompletionChunk(BaseModel):
    """One server-sent event of a streamed chat completion."""

    id: str = Field(description="Identifier of the completion, shared by its chunks.")
    object: Literal["chat.completion.chunk"] = Field(
        "chat.completion.chunk", description="Always `chat.completion.chunk`."
    )
    created: int = Field(description="Unix seconds when the completion was created.")
    model: str = Field(description="The model as requested.")
    system_fingerprint: str = Field(description="Identifies the serving configuration.")
    service_tier: str = Field("default", description="Always `default`.")
    choices: list[ChatCompletionChunkChoice] = Field(
        description="The choices this chunk adds to; empty on the usage chunk."
    )
    usage: CompletionUsage | None = Field(
        None, description="Token counts: null, except on the last chunk with include_usage."
    )
