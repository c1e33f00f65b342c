"""Wire models of /v1/fine_tuning/checkpoints/{checkpoint}/permissions, named after OpenAI's."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.core.pagination import ListPage
from service.core.wire import JsonBody

# The `order` of the list: by creation, oldest or newest first.
Order = Literal["ascending", "descending"]


class CreateFineTuningCheckpointPermissionRequest(JsonBody):
    """Grant a fine-tuned model checkpoint to other projects."""

    project_ids: list[str] = Field(description="The project identifiers to grant access to.")


class FineTuningCheckpointPermission(BaseModel):
    """A permission for a fine-tuned model checkpoint: one project it is granted to."""

    id: str = Field(description="The permission identifier (`cp_...`).")
    object: Literal["checkpoint.permission"] = Field(
        "checkpoint.permission", description="Always `checkpoint.permission`."
    )
    created_at: int = Field(description="Unix seconds when the permission was created.")
    project_id: str = Field(description="The project the permission is for.")


class ListFineTuningCheckpointPermissionResponse(ListPage[FineTuningCheckpointPermission]):
    """A page of a checkpoint's permissions."""


class DeleteFineTuningCheckpointPermissionResponse(BaseModel):
    """The answer to deleting a checkpoint permission."""

    id: str = Field(description="The deleted permission's identifier.")
    object: Literal["checkpoint.permission"] = Field(
        "checkpoint.permission", description="Always `checkpoint.permission`."
    )
    deleted: bool = Field(description="Whether the permission was deleted.")
