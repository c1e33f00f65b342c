"""SQL of the Bedrock front door: its records beside jobs, and deployments. Every query filters
on the caller's project."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.core.ids import new_id, now
from service.core.tables import BedrockDeploymentRow, BedrockJobRow

DEPLOYMENT_ID_LENGTH = 12


def add_job(
    session: Session,
    *,
    job_id: str,
    project: str,
    job_name: str,
    custom_model_name: str,
    client_request_token: str | None,
    request: dict[str, Any],
) -> BedrockJobRow:
    """Record what CreateModelCustomizationJob said about a job just created."""
    row = BedrockJobRow(
        job_id=job_id,
        project=project,
        job_name=job_name,
        custom_model_name=custom_model_name,
        client_request_token=client_request_token,
        request=request,
        created_at=now(),
        outputs_written=False,
        model_deleted=False,
    )
    session.add(row)
    session.flush()
    return row


def job_by_token(session: Session, *, project: str, token: str) -> BedrockJobRow | None:
    """The job an earlier request with this clientRequestToken created, if any."""
    return session.scalars(
        select(BedrockJobRow).where(
            BedrockJobRow.project == project, BedrockJobRow.client_request_token == token
        )
    ).first()


def find_job(session: Session, *, project: str, identifier: str) -> BedrockJobRow | None:
    """The project's Bedrock job with this id or job name."""
    return session.scalars(
        select(BedrockJobRow).where(
            BedrockJobRow.project == project,
            (BedrockJobRow.job_id == identifier) | (BedrockJobRow.job_name == identifier),
        )
    ).first()


def find_model(session: Session, *, project: str, identifier: str) -> BedrockJobRow | None:
    """The project's undeleted custom model with this job id or custom model name."""
    return session.scalars(
        select(BedrockJobRow).where(
            BedrockJobRow.project == project,
            BedrockJobRow.model_deleted.is_(False),
            (BedrockJobRow.job_id == identifier) | (BedrockJobRow.custom_model_name == identifier),
        )
    ).first()


def list_jobs(session: Session, *, project: str) -> list[BedrockJobRow]:
    """The project's Bedrock jobs, newest first."""
    return list(
        session.scalars(
            select(BedrockJobRow)
            .where(BedrockJobRow.project == project)
            .order_by(BedrockJobRow.seq.desc())
        )
    )


def mark(session: Session, *, project: str, job_id: str, **values: bool) -> None:
    """Set `outputs_written` or `model_deleted` on a job's record."""
    session.execute(
        update(BedrockJobRow)
        .where(BedrockJobRow.project == project, BedrockJobRow.job_id == job_id)
        .values(**values)
    )


def add_deployment(
    session: Session,
    *,
    project: str,
    name: str,
    job_id: str,
    description: str | None,
    client_request_token: str | None,
) -> BedrockDeploymentRow:
    """A new deployment of a job's model."""
    row = BedrockDeploymentRow(
        id=new_id("", DEPLOYMENT_ID_LENGTH).lower(),
        project=project,
        name=name,
        job_id=job_id,
        description=description,
        client_request_token=client_request_token,
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def find_deployment(
    session: Session, *, project: str, identifier: str
) -> BedrockDeploymentRow | None:
    """The project's deployment with this id or name."""
    return session.scalars(
        select(BedrockDeploymentRow).where(
            BedrockDeploymentRow.project == project,
            (BedrockDeploymentRow.id == identifier) | (BedrockDeploymentRow.name == identifier),
        )
    ).first()


def deployment_by_token(
    session: Session, *, project: str, token: str
) -> BedrockDeploymentRow | None:
    """The deployment an earlier request with this clientRequestToken created, if any."""
    return session.scalars(
        select(BedrockDeploymentRow).where(
            BedrockDeploymentRow.project == project,
            BedrockDeploymentRow.client_request_token == token,
        )
    ).first()


def list_deployments(session: Session, *, project: str) -> list[BedrockDeploymentRow]:
    """The project's deployments, newest first."""
    return list(
        session.scalars(
            select(BedrockDeploymentRow)
            .where(BedrockDeploymentRow.project == project)
            .order_by(BedrockDeploymentRow.seq.desc())
        )
    )


def delete_deployment(session: Session, *, project: str, deployment_id: str) -> None:
    """Remove one deployment."""
    row = find_deployment(session, project=project, identifier=deployment_id)
    if row is not None:
        session.delete(row)
