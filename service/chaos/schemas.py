"""Wire models of /_whetstone/chaos/faults, shaped after LocalStack's chaos API fault rules."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from service.core.wire import JsonBody


class FaultError(BaseModel):
    """The error an injected fault answers with, in OpenAI's envelope; unset fields get the
    defaults of the rule's status."""

    model_config = ConfigDict(strict=True, extra="forbid")

    message: str | None = Field(None, max_length=4096, description="The error's message.")
    type: str | None = Field(None, max_length=64, description="The error's type.")
    code: str | None = Field(None, max_length=64, description="The error's code.")
    param: str | None = Field(None, max_length=256, description="The request field named.")


class FaultRule(JsonBody):
    """One request fault: which requests it strikes, and how."""

    model_config = ConfigDict(strict=True, extra="forbid")

    path: str = Field(
        min_length=1,
        max_length=1024,
        description="Request path it matches: exact (`/v1/files`) or a glob (`/v1/fine_tuning/*`).",
    )
    method: str | None = Field(
        None, min_length=1, max_length=16, description="HTTP method it matches; unset: any."
    )
    status: int | None = Field(
        None,
        ge=400,
        le=599,
        description="Status of the error answer; unset: the request goes on after latency_ms.",
    )
    probability: float = Field(
        1.0, ge=0, le=1, description="Chance that a matching request is struck, 0 to 1."
    )
    count: int | None = Field(
        None, ge=1, description="Strikes left before the rule is spent; unset: no limit."
    )
    retry_after: float | None = Field(
        None,
        ge=0,
        le=86400,
        description="Seconds a client should wait, sent as `retry-after` and `retry-after-ms`.",
    )
    error: FaultError | None = Field(None, description="The error body; unset: the default.")
    latency_ms: int | None = Field(
        None, ge=0, le=600_000, description="Delay before the answer (or the request), in ms."
    )
    project: str | None = Field(
        None,
        max_length=256,
        description="The project whose requests it strikes: the caller's, its default and the "
        "only one allowed.",
    )

    @model_validator(mode="after")
    def _method_in_capitals(self) -> Self:
        if self.method is not None:
            self.method = self.method.upper()
        return self


class FaultRules(RootModel[list[FaultRule]]):
    """A list of fault rules: the body of POST, PATCH and DELETE, and every answer."""

    root: list[FaultRule] = Field(max_length=1000, description="The rules, in matching order.")
