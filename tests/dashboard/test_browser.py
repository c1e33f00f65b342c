"""The dashboard in a real Chromium (Debian's, driven by Playwright) against `whetstone serve`.

One server and one browser for the module. The job page is opened while the job is still
being validated or trained, so the status, the events and the loss chart it ends with arrive
through its polling. Every request the pages make must go to the server's own origin.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openai
import pytest

from tests.e2e.conftest import openai_client
from tests.e2e.test_fine_tuning import BASE, chat_file, upload, wait_status
from tests.harness import ServerProcess

pytestmark = pytest.mark.e2e

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# Playwright's own browser downloads are impossible here: use the system Chromium.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FINISHED = ("succeeded", "failed", "cancelled")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The system Chromium, headless; the module skips where there is none."""
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium; .ci/run tries)")
    with playwright_api.sync_playwright() as playwright:
        # Chromium's sandbox refuses to start as root (CI containers run as root).
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server with embedded defaults (no keys file: the page asks for no key)."""
    process = ServerProcess(Path(tmp_path_factory.mktemp("server"))).start()
    yield process
    process.stop()


class Recorder:
    """Every request a page made, and the bytes of the response bodies it received, split into
    the dashboard's own files (pages, scripts, styles) and the API's answers."""

    def __init__(self, page: Any) -> None:
        self.urls: list[str] = []
        self.pending: list[Any] = []
        self.asset_bytes = 0
        self.api_bytes = 0
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("response", lambda response: self.pending.append(response))

    def count(self) -> None:
        """Add up the bodies received so far; call it before each navigation, after which
        Chromium no longer has them."""
        for response in self.pending:
            if not response.ok:
                continue
            size = len(response.body())
            if urlsplit(response.url).path.startswith("/v1/"):
                self.api_bytes += size
            else:
                self.asset_bytes += size
        self.pending.clear()


def eval_run(client: openai.OpenAI, model: str) -> Any:
    """A finished run of a one-criterion eval over three items on `model`."""
    evaluation = client.evals.create(
        name="dashboard",
        data_source_config={
            "type": "custom",
            "item_schema": {"type": "object", "properties": {"question": {"type": "string"}}},
            "include_sample_schema": True,
        },
        testing_criteria=[
            {
                "type": "string_check",
                "name": "the owl",
                "input": "{{sample.output_text}}",
                "reference": "The owl flies at midnight.",
                "operation": "eq",
            }
        ],
    )
    items = [{"item": {"question": f"Tell me something, please ({i})."}} for i in range(3)]
    run = client.evals.runs.create(
        evaluation.id,
        data_source={
            "type": "completions",
            "model": model,
            "input_messages": {
                "type": "template",
                "template": [{"role": "user", "content": "{{item.question}}"}],
            },
            "sampling_params": {"temperature": 0, "max_completion_tokens": 8},
            "source": {"type": "file_content", "content": items},
        },
    )
    deadline = time.monotonic() + 120
    while run.status in ("queued", "in_progress") and time.monotonic() < deadline:
        time.sleep(0.1)
        run = client.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert run.status == "completed", run
    return run


def test_jobs_list_and_a_live_job_page_with_its_loss_chart(
    browser: Any, server: ServerProcess, tmp_path: Path
) -> None:
    client: openai.OpenAI = openai_client(server)
    job = client.fine_tuning.jobs.create(
        model=BASE,
        training_file=upload(client),
        validation_file=upload(client, chat_file(4)),
        hyperparameters={"batch_size": 4, "n_epochs": 1},
        suffix="dash",
        seed=3,
    )
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    recorder = Recorder(page)
    expect = playwright_api.expect

    page.goto(f"{server.base_url}/dashboard/jobs/{job.id}")
    expect(page.get_by_test_id("status").first).to_have_text("succeeded", timeout=120_000)
    done = wait_status(client, job.id, FINISHED)
    assert done.status == "succeeded", done.error
    expect(page.get_by_test_id("model")).to_have_text(BASE)
    expect(page.get_by_test_id("fine-tuned-model")).to_have_text(done.fine_tuned_model)

    events = list(client.fine_tuning.jobs.list_events(job.id, limit=100))
    metrics = [event for event in events if event.type == "metrics"]
    assert len(metrics) == 5  # 20 examples in batches of 4, one epoch
    chart = page.get_by_test_id("loss-chart")
    train = chart.locator('polyline[data-series="train_loss"]')
    expect(train).to_have_count(1)
    # The last metrics event arrives with the final status: wait for its point too.
    page.wait_for_function(
        "n => document.querySelector('polyline[data-series=train_loss]')"
        ".getAttribute('points').trim().split(/\\s+/).length === n",
        arg=len(metrics),
    )
    full_valid = chart.locator('polyline[data-series="full_valid_loss"]')
    checkpoints = list(client.fine_tuning.jobs.checkpoints.list(job.id))
    assert full_valid.get_attribute("points").count(",") >= 1
    expect(page.get_by_test_id("checkpoint-row")).to_have_count(len(checkpoints))
    expect(page.get_by_test_id("event-row")).to_have_count(len(events))
    expect(page.locator("#cancel")).to_be_disabled()
    screenshot = tmp_path / "job-page.png"
    page.screenshot(path=str(screenshot), full_page=True)
    recorder.count()
    job_page = (recorder.asset_bytes, recorder.api_bytes)

    # The playground, opened from the job page's link: one prompt, two models, two answers.
    page.get_by_role("link", name="Open in the playground").click()
    expect(page.locator("#base-model")).to_have_value(BASE)
    page.locator("#prompt").fill("Tell me something, please (3).")
    page.locator("#max-tokens").fill("8")
    page.get_by_role("button", name="Send to both").click()
    for side in ("tuned", "base"):
        expect(page.get_by_test_id(f"{side}-output")).to_contain_text(" s, ", timeout=60_000)
    expect(page.locator("#tuned-title")).to_have_text(done.fine_tuned_model)
    recorder.count()

    # An eval run's report_url is its dashboard page.
    run = eval_run(client, done.fine_tuned_model)
    assert run.report_url.startswith(f"{server.base_url}/dashboard/")
    page.goto(run.report_url)
    expect(page.get_by_test_id("status")).to_have_text("completed")
    counts = page.get_by_test_id("result-counts")
    expect(counts).to_contain_text("total")
    expect(counts.locator("dd").first).to_have_text(str(run.result_counts.total))
    expect(page.get_by_test_id("output-item")).to_have_count(3)
    recorder.count()

    page.goto(f"{server.base_url}/dashboard/")
    row = page.locator(f'[data-job-id="{job.id}"]')
    expect(row.get_by_test_id("status")).to_have_text("succeeded")
    expect(row.get_by_test_id("fine-tuned-model")).to_have_text(done.fine_tuned_model)
    expect(row).to_contain_text(BASE)
    expect(row).to_contain_text(f"{done.trained_tokens:,}")
    recorder.count()

    origin = urlsplit(server.base_url)
    foreign = [url for url in recorder.urls if urlsplit(url)[:2] != origin[:2]]
    assert foreign == [], foreign
    assert any("/dashboard/static/chart.js" in url for url in recorder.urls)
    print(
        f"\ndashboard screenshot: {screenshot}\n"
        f"job page: {job_page[0]} bytes of assets, {job_page[1]} of API answers; the four "
        f"pages: {recorder.asset_bytes} + {recorder.api_bytes}; {len(recorder.urls)} requests, "
        f"all to {server.base_url}"
    )
    page.close()
