"""List pages: the one cursor-page shape every list endpoint answers with, and the one query
that cuts it (`cursor_page`): rows after the `after` cursor, in `seq` order, one more than the
limit asked for, so that `has_more` needs no count."""

from __future__ import annotations

from typing import Generic, Literal, Self, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy.orm import QueryableAttribute, Session

from service.core.errors import InvalidRequestError

T = TypeVar("T")
RowT = TypeVar("RowT")


class ListPage(BaseModel, Generic[T]):
    """A cursor page of objects, newest first; page on with `after=<last_id>`."""

    object: Literal["list"] = Field("list", description="Always `list`.")
    data: list[T] = Field(description="The objects of this page.")
    first_id: str | None = Field(None, description="Id of the first object of the page.")
    last_id: str | None = Field(None, description="Id of the last object of the page.")
    has_more: bool = Field(False, description="Whether a further page exists.")

    @classmethod
    def page(cls, items: list[T], *, has_more: bool) -> Self:
        """The page of `items`, already ordered and cut to the limit."""
        return cls(
            data=items,
            first_id=getattr(items[0], "id") if items else None,  # noqa: B009
            last_id=getattr(items[-1], "id") if items else None,  # noqa: B009
            has_more=has_more,
        )


def split_page(rows: list[T], limit: int) -> tuple[list[T], bool]:
    """`rows`, fetched with a limit of `limit + 1`, cut to `limit`; and whether more follow."""
    return rows[:limit], len(rows) > limit


def cursor_page(
    session: Session,
    query: Select[RowT],
    *,
    seq: QueryableAttribute[int],
    after: str | None,
    cursor: Select[int],
    missing: str,
    limit: int,
    ascending: bool = False,
    param: str = "after",
) -> tuple[list[RowT], bool]:
    """One page of `query` in `seq` order (newest first unless `ascending`), and whether more
    follow.

    `cursor` selects the `seq` of the object `after` names, within the caller's tenancy; it
    runs only when `after` is given, and finding nothing is a 400 (`missing`, on `param`).
    """
    if after is not None:
        position = session.scalar(cursor)
        if position is None:
            raise InvalidRequestError(missing, param=param)
        query = query.where(seq > position if ascending else seq < position)
    query = query.order_by(seq.asc() if ascending else seq.desc())
    return split_page(list(session.scalars(query.limit(limit + 1))), limit)
