"""WHETSTONE_LOG_FORMAT=json: one JSON object per line, with the request's id, project, job
id and duration."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from service.deps import PrincipalDep
from service.observability.logs import log_handler


def test_json_lines_carry_the_request_id_project_job_id_and_duration(
    data_dir: Path, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"sk-alice": {"project": "proj_alice"}}))
    settings = Settings(
        data_dir=data_dir, scheduler_enabled=False, api_keys_file=keys, log_format="json"
    )
    app = create_app(settings)

    def noisy(principal: PrincipalDep) -> dict[str, str]:
        logging.getLogger("whetstone.test").warning("inside the handler")
        return {}

    # A route whose handler logs, in a worker thread as sync routes run.
    app.add_api_route("/_test/noisy", noisy)
    stream = io.StringIO()
    handler = log_handler(settings, stream)
    logger = logging.getLogger("whetstone")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    # Another test in this process may have run `whetstone` in text mode, which turns the
    # access records off (uvicorn writes its own line there); JSON mode wants them.
    access_logger = logging.getLogger("whetstone.access")
    previous_access = access_logger.level
    access_logger.setLevel(logging.NOTSET)
    try:
        with TestClient(app, headers={"Authorization": "Bearer sk-alice"}) as client:
            missing = client.get("/v1/fine_tuning/jobs/ftjob-nope", headers={"x-request-id": "r1"})
            assert missing.status_code == 404
            client.get("/_test/noisy", headers={"x-request-id": "r2"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        access_logger.setLevel(previous_access)

    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [r for r in records if r["logger"] == "whetstone.access"]
    job_line = next(r for r in access if r["request_id"] == "r1")
    assert job_line["project"] == "proj_alice"
    assert job_line["job_id"] == "ftjob-nope"
    assert job_line["route"] == "/v1/fine_tuning/jobs/{fine_tuning_job_id}"
    assert job_line["status"] == 404
    assert job_line["duration_ms"] > 0
    inside = next(r for r in records if r["message"] == "inside the handler")
    assert inside["request_id"] == "r2"
    assert inside["project"] == "proj_alice"
    assert inside["level"] == "WARNING"
