"""The SQL of checkpoint permissions (grants).

The owner's reads and writes filter on the owner's `project`; a grantee's reads filter on its
own project as `project_id`. A grant names a model; whether that model is still servable is the
fine-tuning repository's to say, on every read.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.core.db import rows_affected
from service.core.errors import NotFoundError
from service.core.ids import new_id, now
from service.core.pagination import cursor_page
from service.core.tables import CheckpointPermissionRow
from service.fine_tuning.permissions.schemas import Order

PERMISSION_ID_PREFIX = "cp_"


def find_permission(
    session: Session, *, project: str, name: str, project_id: str
) -> CheckpointPermissionRow | None:
    """The owner's grant of `name` to `project_id`, if any."""
    return session.scalar(
        select(CheckpointPermissionRow).where(
            CheckpointPermissionRow.project == project,
            CheckpointPermissionRow.fine_tuned_model_checkpoint == name,
            CheckpointPermissionRow.project_id == project_id,
        )
    )


def insert_permission(
    session: Session, *, project: str, job_id: str, name: str, project_id: str
) -> CheckpointPermissionRow:
    """Grant `name` (a model or checkpoint of the owner's job `job_id`) to `project_id`."""
    row = CheckpointPermissionRow(
        id=new_id(PERMISSION_ID_PREFIX),
        project=project,
        job_id=job_id,
        fine_tuned_model_checkpoint=name,
        project_id=project_id,
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def list_permissions(
    session: Session,
    *,
    project: str,
    name: str,
    project_id: str | None,
    limit: int,
    after: str | None,
    order: Order,
) -> tuple[list[CheckpointPermissionRow], bool]:
    """A page of the owner's grants of `name` (to `project_id` only, when given), and whether
    more follow."""
    query = select(CheckpointPermissionRow).where(
        CheckpointPermissionRow.project == project,
        CheckpointPermissionRow.fine_tuned_model_checkpoint == name,
    )
    if project_id is not None:
        query = query.where(CheckpointPermissionRow.project_id == project_id)
    return cursor_page(
        session,
        query,
        seq=CheckpointPermissionRow.seq,
        after=after,
        cursor=select(CheckpointPermissionRow.seq).where(
            CheckpointPermissionRow.id == after,
            CheckpointPermissionRow.project == project,
            CheckpointPermissionRow.fine_tuned_model_checkpoint == name,
        ),
        missing=f"No such permission for 'after': {after}",
        limit=limit,
        ascending=order == "ascending",
    )


def delete_permission(
    session: Session, *, project: str, name: str, permission_id: str
) -> CheckpointPermissionRow:
    """Remove the owner's grant `permission_id` of `name`; NotFoundError when there is none."""
    row = session.scalar(
        select(CheckpointPermissionRow).where(
            CheckpointPermissionRow.id == permission_id,
            CheckpointPermissionRow.project == project,
            CheckpointPermissionRow.fine_tuned_model_checkpoint == name,
        )
    )
    if row is None:
        raise NotFoundError(
            f"No such permission for {name}: {permission_id}", param="permission_id"
        )
    session.delete(row)
    session.flush()
    return row


def delete_job_permissions(session: Session, *, project: str, job_id: str) -> int:
    """Remove every grant of the job's model and checkpoints; how many there were."""
    result = session.execute(
        delete(CheckpointPermissionRow)
        .where(CheckpointPermissionRow.project == project, CheckpointPermissionRow.job_id == job_id)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


def granting_project(session: Session, *, grantee: str, name: str) -> str | None:
    """The other project that granted `name` to `grantee`, if one did (an owner's grant to
    itself grants nothing)."""
    return session.scalar(
        select(CheckpointPermissionRow.project).where(
            CheckpointPermissionRow.fine_tuned_model_checkpoint == name,
            CheckpointPermissionRow.project_id == grantee,
            CheckpointPermissionRow.project != grantee,
        )
    )


def granted_to(session: Session, *, grantee: str) -> list[tuple[str, str]]:
    """Every `(owner project, name)` other projects granted to `grantee`, newest first."""
    query = (
        select(CheckpointPermissionRow.project, CheckpointPermissionRow.fine_tuned_model_checkpoint)
        .where(
            CheckpointPermissionRow.project_id == grantee,
            CheckpointPermissionRow.project != grantee,  # an owner's grant to itself
        )
        .order_by(CheckpointPermissionRow.seq.desc())
    )
    return [(project, name) for project, name in session.execute(query)]
