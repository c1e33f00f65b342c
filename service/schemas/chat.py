"""Wire models of /v1/chat/completions: the request, ChatCompletion and its stream chunks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.completions import CompletionUsage, StreamOptions


class ChatCompletionContentPart(BaseModel):
    """One part of a message's content; only `text` parts can be served."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`text`; image, audio and file parts are refused with a 400.")
    text: str | None = Field(None, description="The text of a `text` (or `refusal`) part.")
    refusal: str | None = Field(None, description="The text of an assistant `refusal` part.")


class ChatCompletionRequestMessage(BaseModel):
    """One message of the conversation (developer, system, user, assistant, tool, function)."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["developer", "system", "user", "assistant", "tool", "function"] = Field(
        description="Who wrote the message; `developer` renders as `system`."
    )
    content: str | list[ChatCompletionContentPart] | None = Field(
        None, description="The text, or a list of text parts."
    )
    name: str | None = Field(None, description="An optional name of the participant.")
    refusal: str | None = Field(None, description="An earlier assistant refusal.")
    tool_calls: list[dict[str, Any]] | None = Field(
        None, description="Earlier assistant tool calls, rendered as JSON by the template."
    )
    tool_call_id: str | None = Field(None, description="The tool call a tool message answers.")
    function_call: dict[str, Any] | None = Field(
        None, description="Deprecated earlier assistant function call."
    )
    audio: dict[str, Any] | None = Field(None, description="Earlier assistant audio: refused.")


class CreateChatCompletionRequest(BaseModel):
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
    prompt_cache_options: dict[str, Any] | None = Field(
        None, description="Accepted; no prompt cache."
    )
    metadata: dict[str, str] | None = Field(None, description="Echoed back in the response.")
    service_tier: str | None = Field(None, description="Only `auto` or `default`.")
    store: bool | None = Field(None, description="Completions are never stored: true is a 400.")
    modalities: list[str] | None = Field(None, description='Only ["text"].')
    response_format: dict[str, Any] | None = Field(None, description="Only `{type: text}`.")
    tools: list[dict[str, Any]] | None = Field(None, description="Not supported yet: a 400.")
    tool_choice: str | dict[str, Any] | None = Field(None, description="Only `none`.")
    parallel_tool_calls: bool | None = Field(None, description="Accepted; no tools run.")
    functions: list[dict[str, Any]] | None = Field(None, description="Not supported: a 400.")
    function_call: str | dict[str, Any] | None = Field(None, description="Only `none`.")
    audio: dict[str, Any] | None = Field(None, description="Audio output: a 400.")
    prediction: dict[str, Any] | None = Field(None, description="Predicted outputs: a 400.")
    web_search_options: dict[str, Any] | None = Field(None, description="Web search: a 400.")
    reasoning_effort: str | None = Field(None, description="Not a reasoning model: a 400.")
    verbosity: str | None = Field(None, description="Not supported: a 400.")
    moderation: dict[str, Any] | None = Field(None, description="Not supported: a 400.")


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


class ChatCompletionMessage(BaseModel):
    """The assistant's reply."""

    role: Literal["assistant"] = Field("assistant", description="Always `assistant`.")
    content: str | None = Field(description="The generated text.")
    refusal: str | None = Field(None, description="Always null.")


class ChatCompletionChoice(BaseModel):
    """One generated reply."""

    index: int = Field(description="Index of the choice.")
    message: ChatCompletionMessage = Field(description="The reply.")
    logprobs: ChoiceLogprobs | None = Field(description="Logprobs, when asked for.")
    finish_reason: Literal["stop", "length"] = Field(
        description="`stop` (end of turn or a stop sequence) or `length`."
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


class ChoiceDelta(BaseModel):
    """What a streamed chunk adds to a choice."""

    role: Literal["assistant"] | None = Field(None, description="`assistant` on the first chunk.")
    content: str | None = Field(None, description="New text of the reply.")
    refusal: str | None = Field(None, description="Always null.")


class ChatCompletionChunkChoice(BaseModel):
    """One choice's part of a streamed chunk."""

    index: int = Field(description="Index of the choice.")
    delta: ChoiceDelta = Field(description="What the chunk adds.")
    logprobs: ChoiceLogprobs | None = Field(None, description="Logprobs of the new tokens.")
    finish_reason: Literal["stop", "length"] | None = Field(
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
