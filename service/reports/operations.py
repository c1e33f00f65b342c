"""The data report of a file: computed once per (file, base model), cached in the artifact store.

No table holds reports: each is a JSON object in the store under a key derived from the file
(`report_key`), removed with the file (files.operations.delete_file). The training estimate is not
cached, since it depends on the server's latest jobs: it is added to each answer.

Blocking (it streams and tokenizes the file), so callers run it off the event loop.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

from service.catalog import EMULATOR_NAME, BaseModelEntry, Catalog
from service.catalog.loading import load_fast_tokenizer
from service.core.db import Database
from service.core.errors import InvalidRequestError, NotFoundError
from service.files import operations as files
from service.fine_tuning import operations as fine_tuning
from service.reports.analysis import DataReport, ReportFormat, ReportTokenizer, build_report
from service.reports.schemas import DataReportEstimate, FileDataReport
from service.storage import ArtifactStore
from service.training.hyperparameters import resolve

logger = logging.getLogger("whetstone.reports")

# Bumped whenever DataReport changes shape or meaning, so that older cached reports are redone.
REPORT_VERSION = 1
# The succeeded jobs whose throughput the time estimate averages.
THROUGHPUT_JOBS = 5
_METHODS: dict[ReportFormat, str] = {"preference": "dpo", "reinforcement": "reinforcement"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
# One lock per report: a report asked for twice at once is computed once (the second waiter
# finds it cached). Locks of finished reports stay: a few bytes per report ever asked for.
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def report_key(project: str, file_id: str, model: str) -> str:
    """Where the cached report of a file, counted with `model`'s tokenizer, lives."""
    return f"{files.report_prefix(project, file_id)}{_UNSAFE.sub('_', model)}.json"


def file_report(
    db: Database,
    store: ArtifactStore,
    catalog: Catalog,
    *,
    project: str,
    file_id: str,
    model: str | None,
    n_epochs: int | None,
) -> FileDataReport:
    """The caller's file's report with a training estimate; 404 when the file is not theirs."""
    entry = catalog.resolve(model or EMULATOR_NAME)
    report = data_report(db, store, catalog, project=project, file_id=file_id, entry=entry)
    assert report is not None  # no size limit: always computed
    return as_data_report(file_id, report, estimate=_estimate(db, report, entry, n_epochs))


def data_report(
    db: Database,
    store: ArtifactStore,
    catalog: Catalog,
    *,
    project: str,
    file_id: str,
    entry: BaseModelEntry,
    max_bytes: int | None = None,
) -> DataReport | None:
    """The cached report of the file for `entry`'s tokenizer, computed and cached if absent;
    None when it is absent and the file is larger than `max_bytes`."""
    file = files.get_file(db, project=project, file_id=file_id)
    key = report_key(project, file_id, entry.name)
    cached = _cached(store, key)
    if cached is not None:
        return cached
    if max_bytes is not None and file.bytes > max_bytes:
        return None
    model_dir = catalog.tokenizer_path(entry)
    with _lock(key):
        cached = _cached(store, key)
        if cached is not None:
            return cached
        report = build_report(
            store.iter_chunks(files.storage_key_of(db, project=project, file_id=file_id)),
            _tokenizer(model_dir),
            model=entry.name,
            context_length=entry.context_length,
        )
        store.put_bytes(key, json.dumps({"version": REPORT_VERSION, **report.to_json()}).encode())
    return report


def as_data_report(
    file_id: str, report: DataReport, *, estimate: DataReportEstimate
) -> FileDataReport:
    """The wire object of a report."""
    data = report.to_json()
    return FileDataReport.model_validate({"file_id": file_id, **data, "estimate": estimate})


def _estimate(
    db: Database, report: DataReport, entry: BaseModelEntry, n_epochs: int | None
) -> DataReportEstimate:
    # The epochs a job would train: the query's, else OpenAI's auto rule on this file's size.
    epochs = resolve(
        {"n_epochs": n_epochs if n_epochs is not None else "auto"},
        n_examples=max(report.n_examples, 1),
        entry=entry,
        method=_METHODS.get(report.format, "supervised"),
    ).n_epochs
    trained = report.n_tokens * epochs
    throughput = fine_tuning.measured_throughput(db, last=THROUGHPUT_JOBS)
    if throughput is None:
        return DataReportEstimate(
            n_epochs=epochs,
            trained_tokens=trained,
            tokens_per_second=None,
            seconds=None,
            basis="unknown",
        )
    return DataReportEstimate(
        n_epochs=epochs,
        trained_tokens=trained,
        tokens_per_second=round(throughput, 1),
        seconds=round(trained / throughput, 1),
        basis=f"the trained tokens per second of this server's last {THROUGHPUT_JOBS} "
        "succeeded jobs (any model), from start to finish",
    )


def _cached(store: ArtifactStore, key: str) -> DataReport | None:
    try:
        data = json.loads(store.get_bytes(key))
    except NotFoundError:
        return None
    if data.pop("version", None) != REPORT_VERSION:
        return None
    try:
        return DataReport.from_json(data)
    except (TypeError, KeyError):
        logger.warning("cached data report %s is unreadable; computing it again", key)
        return None


def _lock(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


class _Serialised:
    """A tokenizer shared by concurrent reports, one call at a time.

    A fast tokenizer's Rust state must not be borrowed by two threads at once ("Already
    borrowed"); locking each call rather than each report lets a report on a small file
    proceed while one on a large file runs, their batches interleaved.
    """

    def __init__(self, tokenizer: ReportTokenizer):
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    @property
    def eos_token_id(self) -> int | None:
        """The tokenizer's end-of-sequence token."""
        return self._tokenizer.eos_token_id

    def __call__(
        self, texts: list[str], *, add_special_tokens: bool, return_attention_mask: bool
    ) -> Mapping[str, list[list[int]]]:
        """The tokenizer's encode."""
        with self._lock:
            return self._tokenizer(
                texts,
                add_special_tokens=add_special_tokens,
                return_attention_mask=return_attention_mask,
            )

    def apply_chat_template(
        self,
        conversation: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None,
        tokenize: Literal[False],
        add_generation_prompt: bool,
    ) -> str:
        """The tokenizer's chat template."""
        with self._lock:
            return self._tokenizer.apply_chat_template(
                conversation,
                tools=tools,
                tokenize=tokenize,
                add_generation_prompt=add_generation_prompt,
            )


# Loading a tokenizer takes about a second; a handful of models covers every catalog in use.
@lru_cache(maxsize=4)
def _tokenizer(model_dir: Path) -> _Serialised:
    try:
        tokenizer = load_fast_tokenizer(model_dir)
    except (OSError, ValueError) as exc:
        raise InvalidRequestError(
            f"The model's tokenizer in {model_dir.name} has no tokenizer.json to count with.",
            param="model",
        ) from exc
    # Over-long examples are what the report looks for: no warning per one in the server log.
    tokenizer.model_max_length = sys.maxsize
    # transformers annotates encode and apply_chat_template with the union of every mode's
    # result; with the arguments the report passes, a fast tokenizer returns what the
    # protocol says.
    return _Serialised(cast(ReportTokenizer, tokenizer))
