"""Wire models shared by every resource: errors and list pages."""

from __future__ import annotations

from typing import Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Error(BaseModel):
    """The body of OpenAI's error envelope."""

    message: str = Field(description="Human-readable description of what went wrong.")
    type: str = Field(description="Error class, e.g. invalid_request_error or server_error.")
    param: str | None = Field(None, description="The request field at fault, if any.")
    code: str | None = Field(None, description="Machine-readable error code, if any.")


class ErrorResponse(BaseModel):
    """OpenAI's error envelope."""

    error: Error = Field(description="What went wrong.")


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


def error_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting OpenAI's error envelope for each status."""
    return {
        status: {"model": ErrorResponse, "description": description}
        for status, description in descriptions.items()
    }
