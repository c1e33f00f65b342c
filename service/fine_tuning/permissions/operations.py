"""Checkpoint permissions: an owner grants one of its fine-tuned models or checkpoints to other
projects of its organization, which may then serve it, fine-tune from it and list it.

OpenAI grants checkpoints (`ft:...:ckpt-step-N`); a grant of a job's final `ft:` model through
the same endpoint is Whetstone's extension. A grant names exactly one model: the final model's
checkpoints are not granted with it.

What a grant lets a project do is decided by service/fine_tuning/operations.py, which reads the
grants through this module's session functions on every request: a revoke is seen at once by
every replica, with no cache to invalidate. Since those operations build on this module, it
reads the models it grants through the fine-tuning repository (it is a part of that slice)
rather than through them.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.core.auth import Principal, require_admin
from service.core.db import Database
from service.core.errors import ConflictError, InvalidRequestError, NotFoundError
from service.core.tables import CheckpointPermissionRow, JobRow
from service.fine_tuning import repository as models
from service.fine_tuning.permissions import repository
from service.fine_tuning.permissions.schemas import (
    DeleteFineTuningCheckpointPermissionResponse,
    FineTuningCheckpointPermission,
    ListFineTuningCheckpointPermissionResponse,
    Order,
)

MAX_PROJECT_IDS = 100
PARAM = "fine_tuned_model_checkpoint"


def create_permissions(
    db: Database,
    *,
    principal: Principal,
    known_projects: frozenset[str] | None,
    name: str,
    project_ids: list[str],
) -> ListFineTuningCheckpointPermissionResponse:
    """Grant the caller's model or checkpoint `name` to each project (an admin key's act);
    a project granted it already keeps its grant, which is answered again. A grant to the
    owner's own project (the only project of a server with no keys file) is a no-op that is
    stored, listed and deleted like a grant.

    `known_projects` are the organization's projects from the keys file (None: no keys file,
    no list to check against).
    """
    try:
        with db.session() as session:
            job = _owned_job(session, principal=principal, name=name)
            wanted = _grantees(project_ids, owner=principal.project, known=known_projects)
            rows = [
                repository.find_permission(
                    session, project=principal.project, name=name, project_id=project_id
                )
                or repository.insert_permission(
                    session,
                    project=principal.project,
                    job_id=job.id,
                    name=name,
                    project_id=project_id,
                )
                for project_id in wanted
            ]
            granted = [as_permission(row) for row in rows]
    except IntegrityError as exc:
        # Two grants of one project at once race on the unique index: the loser's 409 is one
        # the SDKs retry, and the retry answers the winner's permission.
        raise ConflictError(
            f"The permissions of {name} changed meanwhile; retry.", param=PARAM
        ) from exc
    return ListFineTuningCheckpointPermissionResponse.page(granted, has_more=False)


def list_permissions(
    db: Database,
    *,
    principal: Principal,
    name: str,
    project_id: str | None,
    after: str | None,
    limit: int,
    order: Order,
) -> ListFineTuningCheckpointPermissionResponse:
    """A page of the grants of the caller's model or checkpoint `name` (an admin key's read)."""
    with db.session() as session:
        _owned_job(session, principal=principal, name=name)
        rows, has_more = repository.list_permissions(
            session,
            project=principal.project,
            name=name,
            project_id=project_id,
            limit=limit,
            after=after,
            order=order,
        )
        page = [as_permission(row) for row in rows]
    return ListFineTuningCheckpointPermissionResponse.page(page, has_more=has_more)


def delete_permission(
    db: Database, *, principal: Principal, name: str, permission_id: str
) -> DeleteFineTuningCheckpointPermissionResponse:
    """Revoke one grant of the caller's `name` (an admin key's act); the grantee loses it on
    its next request. Its jobs that started from the model keep what they trained."""
    with db.session() as session:
        _owned_job(session, principal=principal, name=name)
        row = repository.delete_permission(
            session, project=principal.project, name=name, permission_id=permission_id
        )
    return DeleteFineTuningCheckpointPermissionResponse(id=row.id, deleted=True)


# -- for the fine-tuning operations ------------------------------------------------------------


def granting_project(session: Session, *, grantee: str, name: str) -> str | None:
    """The project that granted the model or checkpoint `name` to `grantee`, if any (whether
    that model is still servable is the caller's to check)."""
    return repository.granting_project(session, grantee=grantee, name=name)


def granted_to(session: Session, *, grantee: str) -> list[tuple[str, str]]:
    """Every `(owner project, name)` granted to `grantee`, newest grant first."""
    return repository.granted_to(session, grantee=grantee)


def revoke_job(session: Session, *, project: str, job_id: str) -> int:
    """Remove every grant of the job's model and checkpoints (its model is being deleted)."""
    return repository.delete_job_permissions(session, project=project, job_id=job_id)


# -- checks ------------------------------------------------------------------------------------


def _owned_job(session: Session, *, principal: Principal, name: str) -> JobRow:
    """The job whose servable model or checkpoint `name` is the caller's; then the admin check.

    Another project's model is a 404 whatever the key's role, so a member learns nothing of
    it; only on its own project's models does a member key get the 403.
    """
    project = principal.project
    job = models.find_fine_tuned_model(session, project=project, name=name)
    if job is None or not job.adapter_key:
        found = models.find_checkpoint_model(session, project=project, name=name)
        job = found[1] if found is not None else None
    if job is None:
        raise NotFoundError(
            f"The fine-tuned model checkpoint '{name}' does not exist or you do not have "
            "access to it.",
            param=PARAM,
            code="model_not_found",
        )
    require_admin(principal, "managing checkpoint permissions")
    return job


def _grantees(project_ids: list[str], *, owner: str, known: frozenset[str] | None) -> list[str]:
    """The distinct projects to grant to, in the order given; a 400 naming `project_ids` for
    an empty list, an empty id, or a project the keys file does not give the owner's
    organization. The owner's own project is granted as OpenAI grants it: the grant lists and
    deletes like any other and changes nothing (the repository's grantee reads skip it)."""

    def refuse(message: str) -> InvalidRequestError:
        return InvalidRequestError(message, param="project_ids", code="invalid_value")

    if not project_ids:
        raise refuse("'project_ids' must name at least one project.")
    if len(project_ids) > MAX_PROJECT_IDS:
        raise refuse(f"'project_ids' may name at most {MAX_PROJECT_IDS} projects at once.")
    wanted = list(dict.fromkeys(project_ids))
    for project_id in wanted:
        if not project_id:
            raise refuse("'project_ids' holds an empty project id.")
        if known is not None and project_id not in known:
            raise refuse(f"No project {project_id} in your organization.")
    return wanted


def as_permission(row: CheckpointPermissionRow) -> FineTuningCheckpointPermission:
    """The wire object for a permission row."""
    return FineTuningCheckpointPermission(
        id=row.id, created_at=row.created_at, project_id=row.project_id
    )
