"""The run executor: samples and grades each item of an eval run in the API process.

Each run is an asyncio task; every item of every run waits for one of `eval_concurrency`
slots, so that a 200-item run never holds the event loop or the engine's batch for long, and
the API keeps answering. Sampling goes through the caller's own chat completions
(service/completions/operations.py), which share the engine's batches with every other request.

Resumable by construction: each graded item is one row, written as soon as it is graded, and a
run's items are stored in the run. A resumed run grades only the items that have no row yet. A
cancel (or a delete) cancels the task, so an item in flight stops where it is; one whose row is
not written is simply not counted.

One owner per run, whatever the number of API replicas: a runner claims a run in one UPDATE
(`runner`, `heartbeat_at`), renews the heartbeat of its runs every `heartbeat_seconds`, and
stops a run the moment it finds another owner on it. At start-up and at every beat it takes the
unfinished runs nobody owns, or whose owner's heartbeat is older than `stale_seconds` (a replica
that died); a replica that stops cleanly gives its runs up at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.catalog import Catalog
from service.completions import operations as completions
from service.completions.sampler import ServedModelSampler
from service.completions.schemas import CreateChatCompletionRequest
from service.core.auth import Principal
from service.core.config import Settings
from service.core.db import Database
from service.core.errors import EngineOverloadedError, ServiceUnavailableError, WhetstoneError
from service.core.ids import random_token
from service.core.tables import EvalRow, EvalRunRow
from service.core.wire import JSONObject, JSONValue, as_object
from service.evals import operations, repository
from service.evals.schemas import AnyTestingCriterion, TestingCriterion
from service.graders import grading
from service.graders.operations import python_sandbox
from service.graders.templates import Sample, TemplateError, parse_variable, render
from service.inference import InferenceService

logger = logging.getLogger("whetstone.evals")

DEFAULT_TEMPERATURE = 1.0
DEFAULT_TOP_P = 1.0
DEFAULT_SEED = 42
DEFAULT_MAX_COMPLETION_TOKENS = 256
# A sample the engine refused for a full queue is retried, not counted as an error: the
# eval's own slots are what should bound the load.
OVERLOAD_RETRIES = 5
# After a database or store outage the run is picked up again after this pause.
OUTAGE_PAUSE_SECONDS = 2.0
# A runner renews its runs' heartbeat this often, and takes over runs whose heartbeat is older
# than STALE_SECONDS: several missed beats, not one slow database call.
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 30.0

_CRITERION: TypeAdapter[AnyTestingCriterion] = TypeAdapter(TestingCriterion)


class RunStopped(Exception):
    """The run ended (canceled, deleted) while its items were being graded."""


@dataclass
class ItemOutcome:
    """What grading one item produced: the output item's fields."""

    status: str
    results: list[JSONObject]
    sample: JSONObject
    usage: dict[str, dict[str, int]] = field(default_factory=dict)


class EvalRunner:
    """Runs eval runs in the background of the API process."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        catalog: Catalog,
        inference: InferenceService,
        *,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        stale_seconds: float = STALE_SECONDS,
    ):
        self.settings, self.db, self.catalog, self.inference = settings, db, catalog, inference
        self.name = f"evals-{os.getpid()}-{random_token(8)}"
        self.heartbeat_seconds, self.stale_seconds = heartbeat_seconds, stale_seconds
        self._slots = asyncio.Semaphore(settings.eval_concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._beating: asyncio.Task[None] | None = None
        self._started = False

    async def start(self) -> None:
        """Take the runs nobody runs (left by a previous process), then keep beating."""
        self._started = True
        await self._adopt()
        self._beating = asyncio.create_task(self._beat_forever(), name="eval-runner-heartbeat")

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                await asyncio.to_thread(self._beat)
                await self._adopt()
            except ServiceUnavailableError as exc:  # an outage: the next beat tries again
                logger.warning("eval runner %s: heartbeat skipped: %s", self.name, exc.message)
            except Exception:  # the loop must outlive any one failure
                logger.exception("eval runner %s: heartbeat failed", self.name)

    def _beat(self) -> None:
        with self.db.session() as session:
            repository.beat(session, runner=self.name, now=int(time.time()))

    async def _adopt(self) -> None:
        for run_id in await asyncio.to_thread(self._adoptable):
            self.submit(run_id)

    def _adoptable(self) -> list[str]:
        with self.db.session() as session:
            return repository.adoptable_run_ids(
                session, runner=self.name, stale_before=self._stale_before()
            )

    def _stale_before(self) -> int:
        return int(time.time() - self.stale_seconds)

    def submit(self, run_id: str) -> None:
        """Start the run's task, unless it runs already."""
        if not self._started or run_id in self._tasks:
            return
        task = asyncio.create_task(self._run(run_id), name=f"eval-run-{run_id}")
        self._tasks[run_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(run_id, None))

    def cancel(self, run_id: str) -> None:
        """Stop the run's task where it is (the caller has written its status already)."""
        task = self._tasks.get(run_id)
        if task is not None:
            task.cancel()

    async def stop(self) -> None:
        """Cancel every task and give their runs up, unfinished, for any replica to resume."""
        if self._beating is not None:
            self._beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beating
            self._beating = None
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self._started = False
        with contextlib.suppress(Exception):  # a database outage: the runs go stale instead
            await asyncio.to_thread(self._release)

    def _release(self) -> None:
        with self.db.session() as session:
            repository.release_runs(session, runner=self.name)

    # one run

    async def _run(self, run_id: str) -> None:
        while True:
            try:
                await self._execute(run_id)
                return
            except RunStopped:
                return
            except ServiceUnavailableError as exc:
                logger.warning("eval run %s waits out an outage: %s", run_id, exc)
                await asyncio.sleep(OUTAGE_PAUSE_SECONDS)
            except Exception as exc:
                logger.exception("eval run %s failed", run_id)
                await asyncio.to_thread(self._fail, run_id, exc)
                return

    async def _execute(self, run_id: str) -> None:
        run, criteria, pending = await asyncio.to_thread(self._begin, run_id)
        principal = Principal(project=run.project, organization=run.organization)
        context = grading.GradingContext(
            sampler=ServedModelSampler(self.db, self.catalog, self.inference, principal),
            python=python_sandbox(self.settings),
        )

        async def one(index: int) -> None:
            async with self._slots:
                outcome = await self._grade_item(run, criteria, index, principal, context)
                await asyncio.to_thread(self._write_item, run, index, outcome)

        tasks = [asyncio.ensure_future(one(index)) for index in pending]
        try:
            await asyncio.gather(*tasks)
        finally:
            # The first item that stops the run (a cancel seen in the database, an outage)
            # stops its siblings too, rather than leaving them to sample for nothing.
            for task in tasks:
                task.cancel()
        await asyncio.to_thread(self._complete, run)

    def _begin(self, run_id: str) -> tuple[EvalRunRow, list[AnyTestingCriterion], list[int]]:
        with self.db.session() as session:
            run = repository.find_run(session, run_id=run_id)
            if run is None or not repository.claim_run(
                session,
                run_id=run_id,
                runner=self.name,
                now=int(time.time()),
                stale_before=self._stale_before(),
            ):
                raise RunStopped  # finished, or another replica's
            graded = repository.graded_item_ids(session, run_id=run_id)
            criteria = _criteria(session, run.eval_id)
            session.expunge(run)
        pending = [index for index in range(len(run.items)) if index not in graded]
        return run, criteria, pending

    def _write_item(self, run: EvalRunRow, index: int, outcome: ItemOutcome) -> None:
        with self.db.session() as session:
            current = repository.find_run(session, run_id=run.id)
            if current is None or current.status != "in_progress" or current.runner != self.name:
                raise RunStopped  # cancelled, deleted, or taken over by another replica
            repository.add_output_item(
                session,
                run=run,
                status=outcome.status,
                datasource_item_id=index,
                datasource_item=as_object(run.items[index]["item"]),
                results=outcome.results,
                sample=outcome.sample,
                usage=outcome.usage,
            )

    def _complete(self, run: EvalRunRow) -> None:
        with self.db.session() as session:
            operations.finish_run(session, run, "completed", sources=("in_progress",))

    def _fail(self, run_id: str, exc: BaseException) -> None:
        with self.db.session() as session:
            run = repository.find_run(session, run_id=run_id)
            if run is not None:
                message = exc.message if isinstance(exc, WhetstoneError) else "internal error"
                operations.finish_run(
                    session,
                    run,
                    "failed",
                    error={"code": "internal_error", "message": f"The run failed: {message}"},
                )

    # one item

    async def _grade_item(
        self,
        run: EvalRunRow,
        criteria: list[AnyTestingCriterion],
        index: int,
        principal: Principal,
        context: grading.GradingContext,
    ) -> ItemOutcome:
        row = run.items[index]
        item = as_object(row["item"])
        usage: dict[str, dict[str, int]] = {}
        # A completions run samples, and so does a responses run given a model; the others
        # grade the samples their items carry (a stored response's own output).
        if run.data_source.get("model"):
            sample_wire, sample, error = await self._sample(run.data_source, item, principal)
            if sample_wire["model"]:
                _add_usage(
                    usage,
                    sample_wire["model"],
                    sample_wire["usage"]["prompt_tokens"],
                    sample_wire["usage"]["completion_tokens"],
                )
        else:
            given = row.get("sample")
            sample_wire, sample, error = _given_sample(as_object(given) if given else {})
        if error:
            return ItemOutcome("error", [], sample_wire, usage)
        results: list[JSONObject] = []
        errored = False
        for criterion in criteria:
            result = await grading.grade(criterion, sample, item, context)
            for model, tokens in result.usage.items():
                _add_usage(usage, model, tokens.prompt_tokens, tokens.completion_tokens)
            flags = {
                key: value
                for key, value in result.errors.model_dump().items()
                if value not in (None, False)
            }
            passed = not flags and result.reward >= _threshold(criterion)
            errored = errored or bool(flags)
            results.append(
                {
                    "name": criterion.name,
                    "type": criterion.type,
                    "score": result.reward,
                    "passed": passed,
                    "sample": {"errors": flags} if flags else None,
                }
            )
        status = "error" if errored else "pass" if all(r["passed"] for r in results) else "fail"
        return ItemOutcome(status, results, sample_wire, usage)

    async def _sample(
        self, data_source: JSONObject, item: JSONObject, principal: Principal
    ) -> tuple[dict[str, Any], Sample, bool]:
        params = data_source.get("sampling_params")
        if not isinstance(params, dict):
            params = {}
        temperature = params.get("temperature", DEFAULT_TEMPERATURE)
        top_p = params.get("top_p", DEFAULT_TOP_P)
        seed = params.get("seed", DEFAULT_SEED)
        max_tokens = params.get("max_completion_tokens", DEFAULT_MAX_COMPLETION_TOKENS)
        wire: dict[str, Any] = {
            "input": [],
            "output": [],
            "finish_reason": "",
            "model": data_source["model"],
            "usage": _usage(0, 0),
            "error": None,
            "temperature": temperature,
            "max_completion_tokens": max_tokens,
            "top_p": top_p,
            "seed": seed,
        }
        try:
            messages = _input_messages(as_object(data_source["input_messages"]), item)
        except TemplateError as exc:
            wire["error"] = {"code": exc.flag, "message": exc.message}
            return wire, Sample.from_text(""), True
        wire["input"] = messages
        body_fields = {
            "model": data_source["model"],
            "messages": messages,
            "temperature": temperature,
            "top_p": top_p,
            "seed": seed,
            "max_completion_tokens": max_tokens,
        }
        body_fields.update(
            operations.chat_sampling_fields(
                params, responses_form=data_source["type"] == "responses"
            )
        )
        try:
            body = CreateChatCompletionRequest.model_validate(body_fields)
            for attempt in range(OVERLOAD_RETRIES + 1):
                try:
                    prepared = await completions.prepare_chat(
                        self.db, self.catalog, self.inference, principal, body
                    )
                    completion = await completions.create_chat_completion(
                        self.inference, prepared, body
                    )
                    break
                except EngineOverloadedError:
                    if attempt == OVERLOAD_RETRIES:
                        raise
                    await asyncio.sleep(0.5 * (attempt + 1))
        except (WhetstoneError, ValidationError) as exc:
            message = exc.message if isinstance(exc, WhetstoneError) else str(exc)
            code = getattr(exc, "code", None) or "sampling_error"
            wire["error"] = {"code": code, "message": message}
            return wire, Sample.from_text(""), True
        choice = completion.choices[0]
        text = choice.message.content or ""
        tools = [call.model_dump(mode="json") for call in choice.message.tool_calls or []]
        wire["output"] = [{"role": "assistant", "content": text}]
        wire["finish_reason"] = choice.finish_reason
        wire["usage"] = _usage(completion.usage.prompt_tokens, completion.usage.completion_tokens)
        return wire, Sample.from_text(text, tools), False


def _criteria(session: Session, eval_id: str) -> list[AnyTestingCriterion]:
    stored = session.scalar(select(EvalRow.testing_criteria).where(EvalRow.id == eval_id))
    if stored is None:
        raise RunStopped  # the eval was deleted
    return [_CRITERION.validate_python(criterion) for criterion in stored]


def _threshold(criterion: AnyTestingCriterion) -> float:
    """The reward at which a criterion passes: 1 for string_check and label_model (their
    rewards are 1 or 0), else its pass_threshold, 1 when it names none."""
    threshold = getattr(criterion, "pass_threshold", None)
    return 1.0 if threshold is None else float(threshold)


def _given_sample(given: JSONObject) -> tuple[dict[str, Any], Sample, bool]:
    """A ready-made sample of a jsonl run: its text is `output_text` (or the first choice's
    message, as stored completions write it)."""
    text = given.get("output_text")
    if not isinstance(text, str):
        choices = given.get("choices")
        first = choices[0] if isinstance(choices, list) and choices else None
        message = first.get("message") if isinstance(first, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        text = content if isinstance(content, str) else ""
    output_tools = given.get("output_tools")
    tools = output_tools if isinstance(output_tools, list) else []
    usage = given.get("usage")
    if not isinstance(usage, dict):
        usage = {}
    # A stored response's sample says how it was made; a jsonl sample usually does not.
    asked = given.get("input")
    finish_reason = given.get("finish_reason")
    wire = {
        "input": asked if isinstance(asked, list) else [],
        "output": [{"role": "assistant", "content": text}] if given else [],
        "finish_reason": finish_reason
        if isinstance(finish_reason, str)
        else "stop"
        if given
        else "",
        "model": given.get("model", "") if isinstance(given.get("model"), str) else "",
        "usage": _usage(_tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens")),
        "error": None,
        "temperature": _number(given, "temperature", DEFAULT_TEMPERATURE),
        "max_completion_tokens": _number(
            given, "max_completion_tokens", DEFAULT_MAX_COMPLETION_TOKENS
        ),
        "top_p": _number(given, "top_p", DEFAULT_TOP_P),
        "seed": DEFAULT_SEED,
    }
    return wire, Sample.from_text(text, tools), False


def _number(given: JSONObject, key: str, default: float) -> float:
    """A sampling figure of a given sample (`default` when absent or null)."""
    value = given.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return default


def _tokens(usage: JSONObject, key: str) -> int:
    """A token count of a given sample's `usage` (0 when absent)."""
    value = usage.get(key, 0)
    if not isinstance(value, str | int | float):
        raise TypeError(f"usage.{key} is {type(value).__name__}, not a number")
    return int(value)


def _input_messages(input_messages: dict[str, Any], item: JSONObject) -> list[dict[str, str]]:
    """The chat messages for one item: the template rendered with `{{item.*}}`, or the list
    the item_reference names."""
    if input_messages["type"] == "item_reference":
        reference = input_messages["item_reference"]
        path = parse_variable(reference) or []
        node: JSONValue = item
        for part in path[1:]:
            if isinstance(node, dict) and str(part) in node:
                node = node[str(part)]
            elif isinstance(node, list) and str(part).isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise TemplateError("invalid_variable_error", f"'{reference}' names nothing.")
        not_chat = TemplateError(
            "invalid_variable_error", f"'{reference}' is not a list of chat messages."
        )
        if not isinstance(node, list):
            raise not_chat
        chat: list[dict[str, str]] = []
        for m in node:
            said = m.get("content") if isinstance(m, dict) else None
            if not isinstance(m, dict) or not isinstance(said, str):
                raise not_chat
            chat.append({"role": str(m.get("role", "user")), "content": said})
        return chat
    empty = Sample.from_text("")
    messages = []
    for message in input_messages["template"]:
        content = message["content"]
        parts = content if isinstance(content, list) else [content]
        text = "".join(
            render(part if isinstance(part, str) else part.get("text", ""), empty, item)
            for part in parts
        )
        messages.append({"role": message["role"], "content": text})
    return messages


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "total_tokens": prompt + completion,
        "completion_tokens": completion,
        "prompt_tokens": prompt,
        "cached_tokens": 0,
    }


def _add_usage(usage: dict[str, dict[str, int]], model: str, prompt: int, completion: int) -> None:
    figures = usage.setdefault(
        model, {"invocation_count": 0, "prompt_tokens": 0, "completion_tokens": 0}
    )
    figures["invocation_count"] += 1
    figures["prompt_tokens"] += prompt
    figures["completion_tokens"] += completion
