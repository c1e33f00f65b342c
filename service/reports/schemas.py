"""Wire models of the data report of a training file (a Whetstone extension:
GET /_whetstone/files/{file_id}/report)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class DataReportTokens(BaseModel):
    """Tokens per example, with the report's tokenizer (a preference pair counts both replies)."""

    min: int = Field(description="The fewest tokens of any example.")
    mean: float = Field(description="The mean tokens per example.")
    p50: int = Field(description="The median tokens per example (nearest rank).")
    p95: int = Field(description="The 95th percentile of tokens per example (nearest rank).")
    max: int = Field(description="The most tokens of any example.")


class DataReportFinding(BaseModel):
    """One kind of problem in the file, with the first lines that have it."""

    code: Literal[
        "invalid_line",
        "longer_than_context",
        "exact_duplicate",
        "near_duplicate",
        "short_reply",
        "missing_system_prompt",
        "untrained_assistant_message",
        "identical_preference",
    ] = Field(description="What the problem is.")
    message: str = Field(description="The problem in words.")
    count: int = Field(description="How many examples (or lines) have it.")
    lines: list[int] = Field(description="The first few 1-based line numbers that have it.")


class DataReportEstimate(BaseModel):
    """What training on the file would take, for `n_epochs` epochs on this server."""

    n_epochs: int = Field(
        description="The epochs estimated for (the query's, or OpenAI's auto rule's)."
    )
    trained_tokens: int = Field(description="Tokens trained: the file's tokens times `n_epochs`.")
    tokens_per_second: float | None = Field(
        description="Measured throughput of this server's latest succeeded jobs; null if none."
    )
    seconds: float | None = Field(description="The estimated training time; null when unknown.")
    basis: str = Field(description="Where the estimate comes from, or `unknown`.")


class FileDataReport(BaseModel):
    """The data report of a training file (a Whetstone extension)."""

    object: Literal["file.data_report"] = Field(
        "file.data_report", description="Always `file.data_report`."
    )
    file_id: str = Field(description="The file reported on.")
    model: str = Field(description="The base model whose tokenizer counted the tokens.")
    format: Literal["chat", "completion", "preference", "reinforcement"] = Field(
        description="The line format, from the first valid line."
    )
    context_length: int = Field(description="The model's context length, in tokens.")
    n_examples: int = Field(description="Valid examples in the file.")
    n_lines: int = Field(description="Lines in the file, blank ones included.")
    n_bytes: int = Field(description="The file's size in bytes.")
    n_tokens: int = Field(description="Tokens of all valid examples: one epoch's trained tokens.")
    tokens_per_example: DataReportTokens | None = Field(
        description="Tokens per example; null when no example is valid."
    )
    role_sequences: dict[str, int] = Field(
        description="How many examples have each sequence of roles (`system > user > assistant`)."
    )
    findings: list[DataReportFinding] = Field(
        description="The problems found, each with its first lines; empty when none."
    )
    estimate: DataReportEstimate = Field(description="Trained tokens and time for `n_epochs`.")
