"""Wire models of /v1/completions (legacy): the request, the Completion, and usage."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class StreamOptions(BaseModel):
    """Options of a streamed response."""

    model_config = ConfigDict(extra="forbid")

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


class CreateCompletionRequest(BaseModel):
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
