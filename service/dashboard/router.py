"""Router for /dashboard: the HTML pages, their static assets and the page's config.

The pages hold no data: their scripts call the public /v1 API with the key the user entered,
so a page shows exactly what that key may see. Left out of the OpenAPI document, like every
route that is not OpenAI's.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from service.dashboard.schemas import DashboardConfig
from service.deps import SettingsDep

PAGES = Path(__file__).parent / "pages"
STATIC = Path(__file__).parent / "static"
STATIC_PREFIX = "/dashboard/static"

# Everything the page loads comes from this origin ('self'), which also keeps a script that
# slipped into a job's name or event from sending the stored key elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # The pages are shells whose scripts change with a release; always revalidate.
    "Cache-Control": "no-cache",
}

router = APIRouter(prefix="/dashboard", include_in_schema=False)


def assets() -> StaticFiles:
    """The ASGI app serving the pages' scripts and styles, mounted at STATIC_PREFIX."""
    return StaticFiles(directory=STATIC)


def _page(name: str) -> FileResponse:
    return FileResponse(PAGES / name, media_type="text/html", headers=_PAGE_HEADERS)


@router.get("")
def dashboard_root() -> RedirectResponse:
    """/dashboard -> /dashboard/, so relative links resolve the same either way."""
    return RedirectResponse("/dashboard/", status_code=307)


@router.get("/")
def jobs_page() -> FileResponse:
    """The jobs list."""
    return _page("jobs.html")


@router.get("/jobs/{job_id}")
def job_page(job_id: str) -> FileResponse:
    """One job: loss chart, events, checkpoints, hyperparameters and controls."""
    return _page("job.html")


@router.get("/playground")
def playground_page() -> FileResponse:
    """A prompt sent to a fine-tuned model and to its base, side by side."""
    return _page("playground.html")


@router.get("/evals/{eval_id}/runs/{run_id}")
def eval_run_page(eval_id: str, run_id: str) -> FileResponse:
    """An eval run's result counts and output items: what evals' report_url points at."""
    return _page("eval_run.html")


@router.get("/config.json", response_model=DashboardConfig)
def dashboard_config(settings: SettingsDep) -> DashboardConfig:
    """Unauthenticated: whether the page must ask for a key (it holds nothing else)."""
    return DashboardConfig(keys_required=settings.api_keys_file is not None)
