"""whetstone_webhook_deliveries_total counts each attempt's outcome as the sender records it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from service.core.db import Database
from service.observability.metrics import Metrics
from service.webhooks.sender import http_client, send_due
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_sender import emit, endpoint, settings_for


def test_a_retried_then_delivered_event_counts_one_of_each(
    database: Database, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    metrics = Metrics(database)

    async def poll() -> int:
        async with http_client(settings.webhook_timeout_seconds) as client:
            return await send_due(
                database, settings, client, owner="test", on_outcome=metrics.webhook_outcome
            )

    with Receiver() as receiver:
        receiver.statuses = [500]
        endpoint(database, settings, receiver.url)
        emit(database)
        assert asyncio.run(poll()) == 1
        deadline = time.monotonic() + 10
        while asyncio.run(poll()) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # the retry is due within milliseconds here
    (family,) = [
        f
        for f in text_string_to_metric_families(metrics.render().decode())
        if f.name == "whetstone_webhook_deliveries"
    ]
    counts = {s.labels["outcome"]: s.value for s in family.samples if s.name.endswith("_total")}
    assert counts == {"delivered": 1, "retried": 1, "failed": 0}
