"""The metrics middleware's route templates: FastAPI's, worked out one route at a time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import RouteContext, iter_route_contexts

from service.app import create_app
from service.core.config import Settings
from service.observability.middleware import UNMATCHED, RouteTemplates


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The whole app, never started: only its routes are read."""
    data_dir = Path(tmp_path_factory.mktemp("data"))
    return create_app(Settings(data_dir=data_dir, scheduler_enabled=False))


def contexts(app: FastAPI) -> list[RouteContext]:
    """Every route of the app with the full template FastAPI gives it."""
    return [c for c in iter_route_contexts(app.router.routes) if c.path_format or c.path]


def concrete(template: str) -> str:
    """A path that `template` matches, each parameter filled in."""
    return re.sub(r"\{[^}]+\}", "ftjob-abc123", template)


@pytest.mark.parametrize("root_path", ["", "/behind-a-proxy"])
def test_each_route_gets_fastapis_full_template_from_its_first_request(
    app: FastAPI, root_path: str
) -> None:
    expected = [(c.original_route, c.path_format or c.path) for c in contexts(app)]
    assert "/v1/fine_tuning/jobs/{fine_tuning_job_id}/events" in [t for _, t in expected]
    templates = RouteTemplates(app.router.routes)
    for route, template in expected:
        scope = {"route": route, "path": root_path + concrete(template), "root_path": root_path}
        assert templates.of(scope) == template
        # The second request of a route reads the same template.
        assert templates.of(scope) == template


def test_a_first_request_builds_no_route_it_did_not_reach(app: FastAPI) -> None:
    files = next(c for c in contexts(app) if c.path_format == "/v1/files/{file_id}")
    templates = RouteTemplates(app.router.routes)
    scope = {"route": files.original_route, "path": "/v1/files/file-1", "root_path": ""}
    assert templates.of(scope) == "/v1/files/{file_id}"
    assert templates._patterns is None  # FastAPI's contexts were not walked


def test_a_request_no_route_handled_is_matched_against_every_template(app: FastAPI) -> None:
    templates = RouteTemplates(app.router.routes)
    # A 413 or 431 refused before routing has no route in its scope.
    refused = {"path": "/v1/files/file-1/content", "root_path": ""}
    assert templates.of(refused) == "/v1/files/{file_id}/content"
    assert templates.of({"path": "/v1/no/such/thing", "root_path": ""}) == UNMATCHED
