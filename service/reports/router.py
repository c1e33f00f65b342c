"""Router for GET /_whetstone/files/{file_id}/report, the data report of a training file.

Left out of the OpenAPI document, as every /_whetstone/ extension is: that document is the
OpenAI-shaped contract the clients are generated from. docs/extensions.md documents it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.deps import CatalogDep, DatabaseDep, PrincipalDep, StoreDep
from service.reports import operations
from service.reports.schemas import FileDataReport

router = APIRouter(prefix="/_whetstone/files", tags=["reports"], include_in_schema=False)


@router.get("/{file_id}/report", response_model=FileDataReport)
def file_report(
    principal: PrincipalDep,
    db: DatabaseDep,
    store: StoreDep,
    catalog: CatalogDep,
    file_id: str,
    model: Annotated[
        str | None, Query(description="The base model whose tokenizer counts; the emulator.")
    ] = None,
    n_epochs: Annotated[
        int | None, Query(ge=1, le=50, description="Epochs to estimate for; OpenAI's auto rule.")
    ] = None,
) -> FileDataReport:
    """The report of the caller's file; 404 when it is not theirs."""
    # A sync endpoint: FastAPI runs it in the threadpool, so streaming and tokenizing a large
    # file never blocks the event loop.
    return operations.file_report(
        db,
        store,
        catalog,
        project=principal.project,
        file_id=file_id,
        model=model,
        n_epochs=n_epochs,
    )
