"""Google's error envelope on Google's paths."""

from __future__ import annotations

from service.core.errors import NotFoundError
from service.vertex.envelope import ERROR_DIALECTS, google_error


def test_errors_on_googles_paths_take_googles_envelope() -> None:
    answer = google_error(NotFoundError("no such job"), None, "req-1")
    assert answer.status_code == 404
    assert answer.body == b'{"error":{"code":404,"message":"no such job","status":"NOT_FOUND"}}'
    assert set(ERROR_DIALECTS) == {"/v1beta1/", "/v1/projects/"}
