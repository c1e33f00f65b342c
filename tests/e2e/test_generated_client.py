"""The generated client (clients/python, `whetstone_client`) runs the workflow against a server.

`make install` installs it into .venv; it is regenerated with `make openapi client`, never edited.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from whetstone_client import AuthenticatedClient
from whetstone_client.api.chat import chat_completions_create
from whetstone_client.api.files import files_create, files_retrieve
from whetstone_client.api.fine_tuning import (
    fine_tuning_jobs_create,
    fine_tuning_jobs_events_list,
    fine_tuning_jobs_retrieve,
)
from whetstone_client.models import (
    BodyFilesCreate,
    BodyFilesCreatePurpose,
    ChatCompletion,
    ChatCompletionRequestMessage,
    ChatCompletionRequestMessageRole,
    CreateChatCompletionRequest,
    CreateFineTuningJobRequest,
    ErrorResponse,
    FineTuneMethod,
    FineTuningJob,
    FineTuningJobEvent,
    OpenAIFile,
)
from whetstone_client.types import UNSET, File

from tests.contract.workflow import (
    BASE_MODEL,
    FAST_METHOD,
    training_jsonl,
    wait_for,
)
from tests.harness import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Its assertions are about its own jobs, files and models: the worker's shared server will do.
SHARES_SERVER = True


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[AuthenticatedClient]:
    """The generated client; a status the document does not list raises."""
    with AuthenticatedClient(
        base_url=server.base_url, token="sk-generated", raise_on_unexpected_status=True
    ) as client:
        yield client


def all_events(
    client: AuthenticatedClient, job_id: str, page_size: int
) -> list[FineTuningJobEvent]:
    """Every event of the job, newest first, following `after` from page to page."""
    events: list[FineTuningJobEvent] = []
    after: str | None = None
    while True:
        page = fine_tuning_jobs_events_list.sync(
            job_id, client=client, limit=page_size, after=after if after else UNSET
        )
        assert not isinstance(page, ErrorResponse) and page is not None
        events.extend(page.data)
        if not page.has_more:
            return events
        after = page.data[-1].id


def test_the_generated_client_runs_the_whole_workflow(client: AuthenticatedClient) -> None:
    uploaded = files_create.sync(
        client=client,
        body=BodyFilesCreate(
            file=File(payload=training_jsonl(), file_name="train.jsonl"),
            purpose=BodyFilesCreatePurpose.FINE_TUNE,
        ),
    )
    assert isinstance(uploaded, OpenAIFile)
    assert uploaded.bytes_ == len(training_jsonl())

    created = fine_tuning_jobs_create.sync(
        client=client,
        body=CreateFineTuningJobRequest(
            model=BASE_MODEL,
            training_file=uploaded.id,
            suffix="generated",
            method=FineTuneMethod.from_dict(FAST_METHOD),
        ),
    )
    assert isinstance(created, FineTuningJob)
    job = wait_for(lambda: fine_tuning_jobs_retrieve.sync(created.id, client=client))
    assert job.status == "succeeded"
    assert isinstance(job.fine_tuned_model, str)
    assert job.fine_tuned_model.startswith(f"ft:{BASE_MODEL}:")

    events = all_events(client, job.id, page_size=3)
    assert events[0].message == "The job has successfully completed"
    assert events[-1].message == f"Created fine-tuning job: {job.id}"
    assert len({event.id for event in events}) == len(events)

    reply = chat_completions_create.sync(
        client=client,
        body=CreateChatCompletionRequest(
            model=job.fine_tuned_model,
            messages=[
                ChatCompletionRequestMessage(
                    role=ChatCompletionRequestMessageRole.USER,
                    content="Tell me about tool number 3.",
                )
            ],
            temperature=0,
            max_tokens=16,
        ),
    )
    assert isinstance(reply, ChatCompletion)
    content = reply.choices[0].message.content
    assert isinstance(content, str) and content


def test_documented_errors_parse_as_the_envelope(client: AuthenticatedClient) -> None:
    response = files_retrieve.sync_detailed("file-does-not-exist", client=client)
    assert response.status_code == 404
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.error.type_ == "invalid_request_error"
