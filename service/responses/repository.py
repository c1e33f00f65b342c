"""Repository of stored responses. Every query filters on the caller's project."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from service.core.errors import NotFoundError
from service.core.tables import ResponseRow
from service.core.wire import JSONObject


def _not_found(response_id: str) -> NotFoundError:
    return NotFoundError(
        f"Response with id '{response_id}' not found.", param="response_id", code=None
    )


def create_response(
    session: Session,
    *,
    project: str,
    response: JSONObject,
    input_items: list[JSONObject],
    conversation: list[JSONObject],
) -> ResponseRow:
    """Store a finished response with its input items and whole conversation."""
    row = ResponseRow(
        id=response["id"],
        project=project,
        status=response["status"],
        created_at=response["created_at"],
        response=response,
        input_items=input_items,
        conversation=conversation,
    )
    session.add(row)
    session.flush()
    return row


def finish_response(
    session: Session,
    *,
    project: str,
    response: JSONObject,
    conversation: list[JSONObject] | None,
) -> bool:
    """Record how a background response ended, unless it already has (a cancel won); False
    when it had."""
    statement = (
        update(ResponseRow)
        .where(
            ResponseRow.id == response["id"],
            ResponseRow.project == project,
            ResponseRow.status.in_(("queued", "in_progress")),
        )
        .values(status=response["status"], response=response)
    )
    if conversation is not None:
        statement = statement.values(conversation=conversation)
    result = session.execute(statement)
    assert isinstance(result, CursorResult)  # an UPDATE's result counts its rows
    return bool(result.rowcount)


def get_response(session: Session, *, project: str, response_id: str) -> ResponseRow:
    """The stored response `response_id` of `project`; NotFoundError when absent or foreign."""
    row = session.scalar(
        select(ResponseRow).where(ResponseRow.id == response_id, ResponseRow.project == project)
    )
    if row is None:
        raise _not_found(response_id)
    return row


def delete_response(session: Session, *, project: str, response_id: str) -> None:
    """Delete the stored response; NotFoundError when absent or foreign."""
    result = session.execute(
        delete(ResponseRow).where(ResponseRow.id == response_id, ResponseRow.project == project)
    )
    assert isinstance(result, CursorResult)  # a DELETE's result counts its rows
    if result.rowcount == 0:
        raise _not_found(response_id)


def iter_finished_responses(
    session: Session, *, project: str, created_after: int | None, created_before: int | None
) -> Iterator[ResponseRow]:
    """The project's completed and incomplete responses, newest first, created within the
    bounds (inclusive) when given; read in batches, so a caller may stop early."""
    query = select(ResponseRow).where(
        ResponseRow.project == project, ResponseRow.status.in_(("completed", "incomplete"))
    )
    if created_after is not None:
        query = query.where(ResponseRow.created_at >= created_after)
    if created_before is not None:
        query = query.where(ResponseRow.created_at <= created_before)
    yield from session.scalars(
        query.order_by(ResponseRow.seq.desc()).execution_options(yield_per=100)
    )
