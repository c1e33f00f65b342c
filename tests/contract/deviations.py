"""The one list of places where Whetstone's responses may differ from OpenAI's description.

The conformance suite tolerates a schema violation only when a Deviation here names its
operation (`METHOD /openai/path/{template}`; `... stream` for one event of a streamed
response; `error` for the error envelope of any operation), its JSON path (`/data/*/status`:
`*` is one array index or key) and, when given, the exact value allowed there. Anything else
fails the suite. docs/ci.md lists these too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ANY_VALUE: Any = object()


@dataclass(frozen=True)
class Deviation:
    """One tolerated difference from OpenAI's description, and why Whetstone makes it."""

    operation: str
    path: str
    reason: str
    value: Any = ANY_VALUE

    def allows(self, operation: str, path: str, value: Any) -> bool:
        """Whether a violation by `value` at `path` of `operation` is this deviation."""
        pattern = "^" + re.escape(self.path).replace(r"\*", "[^/]+") + "$"
        return (
            self.operation == operation
            and re.match(pattern, path) is not None
            and (self.value is ANY_VALUE or self.value == value)
        )


_PAUSED = (
    "Whetstone can pause a job (POST /fine_tuning/jobs/{id}/pause, which OpenAI also documents), "
    "and reports it as `pausing` until its checkpoint is saved, then `paused`, the statuses of "
    "OpenAI's API reference; the FineTuningJob.status enum of its description lacks both."
)

_STREAMED_COMPLETION = (
    "A streamed legacy completion carries `finish_reason: null` on every event but the last, as "
    "OpenAI's own stream does; OpenAI documents no event schema for /completions, so each event "
    "is checked against the whole response, whose `finish_reason` is never null."
)

_EVAL_NULLS = (
    "An eval run's `error` (and a sample's) is null when nothing failed, and `model` is null "
    "for a `jsonl` run, which samples no model, as OpenAI's own examples answer; its "
    "description makes both required and not nullable."
)
_EVAL_RUN_ONE = (
    "POST /evals/{eval_id}/runs",
    "GET /evals/{eval_id}/runs/{run_id}",
    "POST /evals/{eval_id}/runs/{run_id}",
)

DEVIATIONS: list[Deviation] = [
    Deviation("POST /completions stream", "/choices/*/finish_reason", _STREAMED_COMPLETION, None),
    *(
        Deviation(operation, path, _EVAL_NULLS, None)
        for operation, paths in [
            *((operation, ("/error", "/model")) for operation in _EVAL_RUN_ONE),
            ("GET /evals/{eval_id}/runs", ("/data/*/error", "/data/*/model")),
            ("GET /evals/{eval_id}/runs/{run_id}/output_items", ("/data/*/sample/error",)),
            (
                "GET /evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}",
                ("/sample/error",),
            ),
        ]
        for path in paths
    ),
    *(
        Deviation(operation, path, _PAUSED, value=status)
        for operation, path in [
            ("GET /fine_tuning/jobs/{fine_tuning_job_id}", "/status"),
            ("POST /fine_tuning/jobs/{fine_tuning_job_id}/pause", "/status"),
            ("GET /fine_tuning/jobs", "/data/*/status"),
        ]
        for status in ("pausing", "paused")
    ),
]


@dataclass(frozen=True)
class Acceptance:
    """A request OpenAI's API accepts although its description refuses it; Whetstone behaves
    as OpenAI behaves (tests/e2e/test_notebooks.py sends each, as the notebook does)."""

    operations: tuple[str, ...]
    path: str
    reason: str


_GRADER_OPERATIONS = (
    "POST /fine_tuning/alpha/graders/validate",
    "POST /fine_tuning/alpha/graders/run",
    "POST /fine_tuning/jobs",
)

# Requests beyond OpenAI's description that OpenAI answers, and so Whetstone answers too.
ACCEPTANCES: list[Acceptance] = [
    Acceptance(
        _GRADER_OPERATIONS,
        "grader.pass_threshold (score_model, and a multi grader's score_model)",
        "The description gives `pass_threshold` to eval criteria only (EvalGraderScoreModel); "
        "OpenAI accepts it on any score_model grader, and its RFT cookbook sends it. Echoed; in "
        "evals an item passes when its score reaches it.",
    ),
    Acceptance(
        _GRADER_OPERATIONS,
        "grader.name (type multi)",
        "The description requires a multi grader's `name`; OpenAI accepts one without, as the "
        "RFT cookbook sends it. Whetstone names it `multi`.",
    ),
    Acceptance(
        ("POST /evals/{eval_id}/runs",),
        "data_source.source.limit (type responses)",
        "Neither the description's EvalResponsesSource nor the SDK's types have `limit`; OpenAI "
        "takes it (the newest N stored responses), and its DPO cookbook sends it.",
    ),
    Acceptance(
        ("POST /fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions",),
        "project_ids (the owner's own project)",
        "OpenAI answers a grant to the owner's own project with a permission; Whetstone stores, "
        "lists and deletes it like a grant, and it changes nothing.",
    ),
]


def allowed(operation: str, path: str, value: Any) -> Deviation | None:
    """The deviation that tolerates `value` at `path` of `operation`, if any."""
    return next((d for d in DEVIATIONS if d.allows(operation, path, value)), None)
