"""Wire model of the dashboard's one JSON route."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DashboardConfig(BaseModel):
    """What the page must know before it calls the API."""

    keys_required: bool = Field(
        description="Whether the server has a keys file, so the page must ask for a key."
    )
