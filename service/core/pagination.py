"""List pages: the one cursor-page shape every list endpoint answers with."""

from __future__ import annotations

from typing import Generic, Literal, Self, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


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
