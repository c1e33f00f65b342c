"""Repository of evals, runs and output items. Every query filters on the caller's project,
except the ones the run executor makes to pick unfinished runs up again."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.core.db import rows_affected
from service.core.errors import NotFoundError
from service.core.ids import new_id, now
from service.core.pagination import cursor_page
from service.core.tables import EvalRow, EvalRunOutputItemRow, EvalRunRow
from service.core.wire import JSONObject

Order = Literal["asc", "desc"]
UNFINISHED = ("queued", "in_progress")


def create_eval(
    session: Session,
    *,
    project: str,
    name: str,
    data_source_config: JSONObject,
    testing_criteria: list[JSONObject],
    metadata: dict[str, str] | None,
) -> EvalRow:
    """Insert an eval."""
    row = EvalRow(
        id=new_id("eval_", 32),
        project=project,
        name=name,
        data_source_config=data_source_config,
        testing_criteria=testing_criteria,
        metadata_=metadata,
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def get_eval(session: Session, *, project: str, eval_id: str) -> EvalRow:
    """The eval `eval_id` of `project`; NotFoundError otherwise."""
    row = session.scalar(select(EvalRow).where(EvalRow.id == eval_id, EvalRow.project == project))
    if row is None:
        raise NotFoundError(f"No such Eval object: {eval_id}", param="eval_id")
    return row


def list_evals(
    session: Session, *, project: str, after: str | None, limit: int, order: Order
) -> tuple[list[EvalRow], bool]:
    """One page of the project's evals and whether more follow."""
    return cursor_page(
        session,
        select(EvalRow).where(EvalRow.project == project),
        seq=EvalRow.seq,
        after=after,
        cursor=select(EvalRow.seq).where(EvalRow.id == after, EvalRow.project == project),
        missing=f"No such object for 'after': {after}",
        limit=limit,
        ascending=order == "asc",
    )


def update_eval(
    session: Session,
    *,
    project: str,
    eval_id: str,
    name: str | None,
    metadata: dict[str, str] | None,
) -> EvalRow:
    """Rename the eval and/or replace its metadata."""
    row = get_eval(session, project=project, eval_id=eval_id)
    if name is not None:
        row.name = name
    if metadata is not None:
        row.metadata_ = metadata
    session.flush()
    return row


def delete_eval(session: Session, *, project: str, eval_id: str) -> None:
    """Remove the eval with its runs and their output items."""
    get_eval(session, project=project, eval_id=eval_id)
    run_ids = select(EvalRunRow.id).where(EvalRunRow.eval_id == eval_id)
    session.execute(delete(EvalRunOutputItemRow).where(EvalRunOutputItemRow.run_id.in_(run_ids)))
    session.execute(delete(EvalRunRow).where(EvalRunRow.eval_id == eval_id))
    session.execute(delete(EvalRow).where(EvalRow.id == eval_id))


def create_run(
    session: Session,
    *,
    project: str,
    organization: str,
    eval_id: str,
    name: str,
    model: str,
    data_source: JSONObject,
    items: list[JSONObject],
    metadata: dict[str, str] | None,
) -> EvalRunRow:
    """Insert a queued run."""
    row = EvalRunRow(
        id=new_id("evalrun_", 32),
        eval_id=eval_id,
        project=project,
        organization=organization,
        name=name,
        model=model,
        status="queued",
        data_source=data_source,
        items=items,
        metadata_=metadata,
        error=None,
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def get_run(session: Session, *, project: str, eval_id: str, run_id: str) -> EvalRunRow:
    """The run `run_id` of the eval; NotFoundError otherwise."""
    row = session.scalar(
        select(EvalRunRow).where(
            EvalRunRow.id == run_id, EvalRunRow.eval_id == eval_id, EvalRunRow.project == project
        )
    )
    if row is None:
        raise NotFoundError(f"No such EvalRun object: {run_id}", param="run_id")
    return row


def find_run(session: Session, *, run_id: str) -> EvalRunRow | None:
    """Any project's run (the executor's own reads)."""
    return session.scalar(select(EvalRunRow).where(EvalRunRow.id == run_id))


def list_runs(
    session: Session,
    *,
    project: str,
    eval_id: str,
    status: str | None,
    after: str | None,
    limit: int,
    order: Order,
) -> tuple[list[EvalRunRow], bool]:
    """One page of the eval's runs and whether more follow."""
    query = select(EvalRunRow).where(EvalRunRow.project == project, EvalRunRow.eval_id == eval_id)
    if status is not None:
        query = query.where(EvalRunRow.status == status)
    return cursor_page(
        session,
        query,
        seq=EvalRunRow.seq,
        after=after,
        cursor=select(EvalRunRow.seq).where(EvalRunRow.id == after, EvalRunRow.project == project),
        missing=f"No such object for 'after': {after}",
        limit=limit,
        ascending=order == "asc",
    )


def _ownerless(runner: str, stale_before: int) -> ColumnElement[bool]:
    """Runs that `runner` may take: nobody's, its own, or a runner's that stopped beating."""
    return or_(
        EvalRunRow.runner.is_(None),
        EvalRunRow.runner == runner,
        EvalRunRow.heartbeat_at < stale_before,
    )


def adoptable_run_ids(session: Session, *, runner: str, stale_before: int) -> list[str]:
    """Every project's unfinished runs that `runner` may take, oldest first."""
    query = select(EvalRunRow.id).where(
        EvalRunRow.status.in_(UNFINISHED), _ownerless(runner, stale_before)
    )
    return list(session.scalars(query.order_by(EvalRunRow.seq)))


def claim_run(session: Session, *, run_id: str, runner: str, now: int, stale_before: int) -> bool:
    """Make `runner` the run's owner and the run `in_progress`, in one UPDATE; False when it
    is finished or another live runner owns it."""
    result = session.execute(
        update(EvalRunRow)
        .where(
            EvalRunRow.id == run_id,
            EvalRunRow.status.in_(UNFINISHED),
            _ownerless(runner, stale_before),
        )
        .values(status="in_progress", runner=runner, heartbeat_at=now)
    )
    # Session.execute is typed to return a Result; a DML statement's is a CursorResult.
    return bool(rows_affected(result))


def beat(session: Session, *, runner: str, now: int) -> None:
    """Renew the heartbeat of every unfinished run `runner` owns."""
    session.execute(
        update(EvalRunRow)
        .where(EvalRunRow.runner == runner, EvalRunRow.status.in_(UNFINISHED))
        .values(heartbeat_at=now)
    )


def release_runs(session: Session, *, runner: str) -> None:
    """Give up `runner`'s unfinished runs, so that any replica may take them at once."""
    session.execute(
        update(EvalRunRow)
        .where(EvalRunRow.runner == runner, EvalRunRow.status.in_(UNFINISHED))
        .values(runner=None, heartbeat_at=None)
    )


def set_run_status(
    session: Session,
    *,
    run_id: str,
    status: str,
    sources: tuple[str, ...],
    error: dict[str, str] | None = None,
) -> bool:
    """Move the run from one of `sources` to `status` in one UPDATE; False when it was not in
    one of them (another writer, a cancel, won the row first)."""
    values: dict[str, str | dict[str, str]] = {"status": status}
    if error is not None:
        values["error"] = error
    result = session.execute(
        update(EvalRunRow)
        .where(EvalRunRow.id == run_id, EvalRunRow.status.in_(sources))
        .values(**values)
    )
    # Session.execute is typed to return a Result; a DML statement's is a CursorResult.
    return bool(rows_affected(result))


def delete_run(session: Session, *, project: str, eval_id: str, run_id: str) -> None:
    """Remove the run and its output items."""
    get_run(session, project=project, eval_id=eval_id, run_id=run_id)
    session.execute(delete(EvalRunOutputItemRow).where(EvalRunOutputItemRow.run_id == run_id))
    session.execute(delete(EvalRunRow).where(EvalRunRow.id == run_id))


def add_output_item(
    session: Session,
    *,
    run: EvalRunRow,
    status: str,
    datasource_item_id: int,
    datasource_item: JSONObject,
    results: list[JSONObject],
    sample: JSONObject,
    usage: dict[str, dict[str, int]],
) -> bool:
    """Insert one graded item; False when the item was already written (a racing resume)."""
    row = EvalRunOutputItemRow(
        id=new_id("outputitem_", 32),
        run_id=run.id,
        eval_id=run.eval_id,
        project=run.project,
        created_at=now(),
        status=status,
        datasource_item_id=datasource_item_id,
        datasource_item=datasource_item,
        results=results,
        sample=sample,
        usage=usage,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def graded_item_ids(session: Session, *, run_id: str) -> set[int]:
    """The data source indexes of the run's items already graded."""
    query = select(EvalRunOutputItemRow.datasource_item_id).where(
        EvalRunOutputItemRow.run_id == run_id
    )
    return set(session.scalars(query))


def output_item_summaries(
    session: Session, *, run_id: str
) -> list[tuple[str, list[JSONObject], dict[str, dict[str, int]]]]:
    """(status, results, usage) of every graded item of the run, for its counters."""
    query = select(
        EvalRunOutputItemRow.status, EvalRunOutputItemRow.results, EvalRunOutputItemRow.usage
    ).where(EvalRunOutputItemRow.run_id == run_id)
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def list_output_items(
    session: Session,
    *,
    project: str,
    run_id: str,
    status: str | None,
    after: str | None,
    limit: int,
    order: Order,
) -> tuple[list[EvalRunOutputItemRow], bool]:
    """One page of the run's output items, in data source order, and whether more follow."""
    query = select(EvalRunOutputItemRow).where(
        EvalRunOutputItemRow.project == project, EvalRunOutputItemRow.run_id == run_id
    )
    if status is not None:
        query = query.where(EvalRunOutputItemRow.status == status)
    return cursor_page(
        session,
        query,
        seq=EvalRunOutputItemRow.seq,
        after=after,
        cursor=select(EvalRunOutputItemRow.seq).where(
            EvalRunOutputItemRow.id == after, EvalRunOutputItemRow.run_id == run_id
        ),
        missing=f"No such object for 'after': {after}",
        limit=limit,
        ascending=order == "asc",
    )


def get_output_item(
    session: Session, *, project: str, run_id: str, output_item_id: str
) -> EvalRunOutputItemRow:
    """One output item of the run; NotFoundError otherwise."""
    row = session.scalar(
        select(EvalRunOutputItemRow).where(
            EvalRunOutputItemRow.id == output_item_id,
            EvalRunOutputItemRow.run_id == run_id,
            EvalRunOutputItemRow.project == project,
        )
    )
    if row is None:
        raise NotFoundError(
            f"No such EvalRunOutputItem object: {output_item_id}", param="output_item_id"
        )
    return row
