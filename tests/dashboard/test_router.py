"""/dashboard in-process: the pages and assets come from the package with a same-origin-only
policy, and config.json tells the page whether to ask for a key."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from service.core.config import Settings
from service.dashboard.router import STATIC


def app_client(data_dir: Path, **settings: object) -> TestClient:
    """The app with the scheduler off."""
    return TestClient(create_app(Settings(data_dir=data_dir, scheduler_enabled=False, **settings)))


def test_every_page_is_html_that_loads_only_this_origins_assets(data_dir: Path) -> None:
    pages = ["/dashboard/", "/dashboard/jobs/ftjob-a", "/dashboard/playground"]
    with app_client(data_dir) as client:
        for path in [*pages, "/dashboard/evals/eval_a/runs/evalrun_a"]:
            page = client.get(path)
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            policy = page.headers["content-security-policy"]
            assert "default-src 'none'" in policy and "connect-src 'self'" in policy
            linked = re.findall(r'(?:src|href)="([^"]+)"', page.text)
            assert linked, page.text
            for url in linked:
                assert url.startswith("/dashboard/"), url  # never another origin
                assert client.get(url).status_code == 200, url


def test_every_script_imports_only_local_modules() -> None:
    for script in STATIC.glob("*.js"):
        for target in re.findall(r'from\s+"([^"]+)"', script.read_text()):
            assert target.startswith("./") and (STATIC / target).exists(), (script, target)
        assert "http://" not in script.read_text().replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in script.read_text()


def test_dashboard_redirects_to_its_trailing_slash(data_dir: Path) -> None:
    with app_client(data_dir) as client:
        response = client.get("/dashboard", follow_redirects=False)
        assert response.status_code == 307 and response.headers["location"] == "/dashboard/"


def test_config_says_whether_a_key_is_needed_without_one(data_dir: Path, tmp_path: Path) -> None:
    with app_client(data_dir) as client:
        assert client.get("/dashboard/config.json").json() == {"keys_required": False}
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"sk-a": {"project": "proj_a"}}))
    with app_client(data_dir, api_keys_file=keys) as client:
        assert client.get("/dashboard/config.json").json() == {"keys_required": True}
        # The page itself holds no data; the API behind it still wants the key.
        assert client.get("/dashboard/jobs/x").status_code == 200
        assert client.get("/v1/fine_tuning/jobs").status_code == 401


def test_an_unknown_asset_is_a_404(data_dir: Path) -> None:
    with app_client(data_dir) as client:
        assert client.get("/dashboard/static/nope.js").status_code == 404
        assert client.get("/dashboard/static/../router.py").status_code == 404
