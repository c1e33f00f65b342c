"""Wire models of /v1/responses, named after OpenAI's objects (openai-python's types).

Input and output items travel as OpenAI's item objects; the request keeps them as plain
dicts, checked item by item in operations (each refusal names `input[i]...`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.core.wire import JsonBody, WireJSONObject


class ResponseStreamOptions(BaseModel):
    """Options of a streamed response."""

    model_config = ConfigDict(extra="forbid", strict=True)

    include_obfuscation: bool | None = Field(
        None, description="Accepted; Whetstone never pads events with obfuscation text."
    )


ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
ReasoningSummary = Literal["auto", "concise", "detailed"]


class Reasoning(BaseModel):
    """Options of a reasoning model (the reasoning aliases and `ft:` models tuned from them)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    effort: ReasoningEffort | None = Field(
        None, description="Accepted and echoed; the reasoning is always empty."
    )
    summary: ReasoningSummary | None = Field(
        None, description="Accepted and echoed; the reasoning item's summary is empty."
    )
    generate_summary: ReasoningSummary | None = Field(
        None, exclude_if=lambda value: value is None, description="Deprecated `summary`."
    )
    mode: str | None = Field(
        None, exclude_if=lambda value: value is None, description="Accepted and echoed."
    )
    context: Literal["auto", "current_turn", "all_turns"] | None = Field(
        None, exclude_if=lambda value: value is None, description="Accepted and echoed."
    )


class CreateResponseRequest(JsonBody):
    """POST /v1/responses. Every documented field is accepted; what cannot be honoured is a
    400 naming the param, never ignored."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="A base model name or alias, an `ft:` name or a checkpoint.")
    input: str | list[WireJSONObject] | None = Field(
        None, description="Text, or input items: messages, function calls and their outputs."
    )
    instructions: str | None = Field(
        None, description="A system message first; not carried over by previous_response_id."
    )
    max_output_tokens: int | None = Field(
        None, ge=1, description="Most tokens to generate (default: the rest of the context)."
    )
    temperature: float | None = Field(None, ge=0, le=2, description="Sampling temperature.")
    top_p: float | None = Field(None, ge=0, le=1, description="Nucleus sampling mass.")
    text: WireJSONObject | None = Field(
        None, description="`format`: text, json_object or json_schema (constrained output)."
    )
    tools: list[WireJSONObject] | None = Field(
        None, description="Function tools; built-in tools are a 400."
    )
    tool_choice: str | WireJSONObject | None = Field(
        None, description="`none`, `auto`, `required` or a named function."
    )
    parallel_tool_calls: bool | None = Field(None, description="false: at most one call.")
    metadata: dict[str, str] | None = Field(None, description="Stored and echoed back.")
    store: bool | None = Field(None, description="Keep the response (default true).")
    previous_response_id: str | None = Field(
        None, description="Continue the conversation of this stored response."
    )
    stream: bool | None = Field(None, description="Stream the response as server-sent events.")
    stream_options: ResponseStreamOptions | None = Field(None, description="Stream options.")
    background: bool | None = Field(
        None, description="Run after answering `queued`; poll GET, stop with cancel."
    )
    include: list[str] | None = Field(None, description="Only empty: extra outputs are a 400.")
    reasoning: Reasoning | None = Field(
        None, description="Reasoning models only (the reasoning aliases); elsewhere a 400."
    )
    truncation: str | None = Field(None, description="Only `disabled`.")
    conversation: str | WireJSONObject | None = Field(
        None, description="Conversations are not stored: a 400."
    )
    prompt: WireJSONObject | None = Field(None, description="Prompt templates: a 400.")
    context_management: list[WireJSONObject] | None = Field(
        None, description="Server-side compaction: a 400."
    )
    moderation: WireJSONObject | None = Field(None, description="Not supported: a 400.")
    max_tool_calls: int | None = Field(
        None, description="Accepted; it caps built-in tool calls, of which there are none."
    )
    top_logprobs: int | None = Field(None, ge=0, le=20, description="Only 0: logprobs are a 400.")
    service_tier: str | None = Field(None, description="Only `auto` or `default`.")
    user: str | None = Field(None, description="An end-user identifier; recorded nowhere.")
    safety_identifier: str | None = Field(None, description="Accepted; recorded nowhere.")
    prompt_cache_key: str | None = Field(None, description="Accepted; no prompt cache is kept.")
    prompt_cache_retention: str | None = Field(None, description="Accepted; no prompt cache.")
    prompt_cache_options: WireJSONObject | None = Field(
        None, description="Accepted; no prompt cache."
    )


class ResponseOutputText(BaseModel):
    """Text the model wrote."""

    type: Literal["output_text"] = Field("output_text", description="Always `output_text`.")
    text: str = Field(description="The text.")
    annotations: list[WireJSONObject] = Field(default_factory=list, description="Always empty.")
    logprobs: list[WireJSONObject] = Field(default_factory=list, description="Always empty.")


class ResponseOutputMessage(BaseModel):
    """An assistant message of the output."""

    id: str = Field(description="Identifier of the item (`msg_...`).")
    type: Literal["message"] = Field("message", description="Always `message`.")
    role: Literal["assistant"] = Field("assistant", description="Always `assistant`.")
    status: Literal["in_progress", "completed", "incomplete"] = Field(
        description="`incomplete` when cut by max_output_tokens."
    )
    content: list[ResponseOutputText] = Field(description="The text parts.")


class ResponseFunctionToolCall(BaseModel):
    """A call of one of the request's functions."""

    id: str = Field(description="Identifier of the item (`fc_...`).")
    type: Literal["function_call"] = Field("function_call", description="Always `function_call`.")
    call_id: str = Field(description="The id the call's output answers (`call_...`).")
    name: str = Field(description="The function's name.")
    arguments: str = Field(description="Its arguments, as JSON text.")
    status: Literal["in_progress", "completed", "incomplete"] = Field(
        description="The status of the item."
    )


class ResponseReasoningItem(BaseModel):
    """The reasoning of a reasoning model: always empty here."""

    id: str = Field(description="Identifier of the item (`rs_...`).")
    type: Literal["reasoning"] = Field("reasoning", description="Always `reasoning`.")
    summary: list[WireJSONObject] = Field(
        default_factory=list, description="Always empty: no reasoning is done."
    )


class InputTokensDetails(BaseModel):
    """Breakdown of the input tokens."""

    cached_tokens: int = Field(0, description="Always 0: no prompt cache.")
    cache_write_tokens: int = Field(0, description="Always 0: no prompt cache.")


class OutputTokensDetails(BaseModel):
    """Breakdown of the output tokens."""

    reasoning_tokens: int = Field(0, description="Always 0: the reasoning is always empty.")


class ResponseUsage(BaseModel):
    """Token counts of a response."""

    input_tokens: int = Field(description="Tokens of the rendered input.")
    input_tokens_details: InputTokensDetails = Field(description="Breakdown of the input.")
    output_tokens: int = Field(description="Tokens generated.")
    output_tokens_details: OutputTokensDetails = Field(description="Breakdown of the output.")
    total_tokens: int = Field(description="input_tokens + output_tokens.")


class ResponseError(BaseModel):
    """Why a response failed."""

    code: str = Field(description="An error code.")
    message: str = Field(description="What went wrong.")


class IncompleteDetails(BaseModel):
    """Why a response is incomplete."""

    reason: Literal["max_output_tokens", "content_filter"] = Field(
        description="Always `max_output_tokens` here."
    )


class Response(BaseModel):
    """A model response (`response`)."""

    id: str = Field(description="Identifier of the response (`resp_...`).")
    object: Literal["response"] = Field("response", description="Always `response`.")
    created_at: int = Field(description="Unix seconds when the response was created.")
    completed_at: int | None = Field(None, description="Unix seconds when it completed.")
    status: Literal["completed", "failed", "in_progress", "cancelled", "queued", "incomplete"] = (
        Field(description="Where the response stands.")
    )
    background: bool = Field(False, description="Whether it runs in the background.")
    error: ResponseError | None = Field(None, description="Set when the response failed.")
    incomplete_details: IncompleteDetails | None = Field(
        None, description="Set when the response is incomplete."
    )
    instructions: str | None = Field(None, description="The request's instructions.")
    max_output_tokens: int | None = Field(None, description="The request's max_output_tokens.")
    model: str = Field(description="The model as requested.")
    output: list[ResponseReasoningItem | ResponseOutputMessage | ResponseFunctionToolCall] = Field(
        description="Output items: an empty reasoning item (reasoning models), messages and "
        "function calls."
    )
    parallel_tool_calls: bool = Field(True, description="Whether several calls were allowed.")
    previous_response_id: str | None = Field(None, description="The response it continues.")
    reasoning: Reasoning | None = Field(
        None, description="A reasoning model's options (effort, summary); null for others."
    )
    service_tier: str = Field("default", description="Always `default`.")
    store: bool = Field(True, description="Whether the response is stored.")
    temperature: float = Field(1.0, description="The sampling temperature used.")
    text: WireJSONObject = Field(description="The output format (`format`).")
    tool_choice: str | WireJSONObject = Field(description="The request's tool_choice.")
    tools: list[WireJSONObject] = Field(description="The request's tools.")
    top_p: float = Field(1.0, description="The nucleus mass used.")
    truncation: Literal["disabled"] = Field("disabled", description="Always `disabled`.")
    usage: ResponseUsage | None = Field(
        None,
        exclude_if=lambda value: value is None,
        description="Token counts, once generated (absent before).",
    )
    user: str | None = Field(
        None, exclude_if=lambda value: value is None, description="The request's user, if any."
    )
    metadata: dict[str, str] = Field(default_factory=dict, description="The request's metadata.")


class ResponseDeleted(BaseModel):
    """The answer to deleting a stored response."""

    id: str = Field(description="Identifier of the deleted response.")
    object: Literal["response"] = Field("response", description="Always `response`.")
    deleted: bool = Field(True, description="Always true.")


class ResponseItemList(BaseModel):
    """A page of a response's input items."""

    object: Literal["list"] = Field("list", description="Always `list`.")
    data: list[WireJSONObject] = Field(description="Input items: messages, calls, outputs.")
    first_id: str | None = Field(description="Id of the first item of the page.")
    last_id: str | None = Field(description="Id of the last item of the page.")
    has_more: bool = Field(description="Whether a further page exists.")


class ResponseStreamEvent(BaseModel):
    """One server-sent event of a streamed response; `type` names it, and the fields it
    carries follow OpenAI's event of that type."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="The event type, e.g. `response.output_text.delta`.")
    sequence_number: int = Field(description="Position of the event in the stream, from 0.")
