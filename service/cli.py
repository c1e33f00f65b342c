"""`whetstone serve | db upgrade | openapi | tokenizer`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Literal, TypedDict

from pydantic import ValidationError

from service.catalog.emulator import EMULATOR_NAME
from service.core.config import Settings
from service.core.errors import WhetstoneError
from service.observability.logs import configure_logging


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn

    from service.app import create_app
    from service.container import Container

    try:
        container = Container.build(settings)
    except (WhetstoneError, ValueError, OSError) as exc:
        print(f"whetstone: cannot start: {exc}", file=sys.stderr)
        return 1
    uvicorn.run(
        create_app(settings, container),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        # One process: the scheduler and the inference engine live in it.
        workers=1,
        timeout_graceful_shutdown=5,
        **http_options(settings),
        **log_options(settings),
    )
    return 0


# h11 buffers a request's head up to this much past WHETSTONE_MAX_HEADER_BYTES, so that heads
# over our limit still reach RequestContextMiddleware and get its 431 envelope; a head past
# both gets uvicorn's own plain-text 400 and a closed connection.
H11_HEADROOM_BYTES = 1024 * 1024


class HTTPOptions(TypedDict):
    """uvicorn.run's HTTP protocol arguments."""

    http: Literal["h11"]
    h11_max_incomplete_event_size: int


class LogOptions(TypedDict, total=False):
    """uvicorn.run's logging arguments."""

    log_config: None
    access_log: bool


def http_options(settings: Settings) -> HTTPOptions:
    """uvicorn's HTTP protocol options: h11, with its head buffer above our header limit."""
    return {
        # Named, not "auto": httptools (picked when installed) has no such buffer setting, and
        # the 431 above depends on it.
        "http": "h11",
        "h11_max_incomplete_event_size": settings.max_header_bytes + H11_HEADROOM_BYTES,
    }


def log_options(settings: Settings) -> LogOptions:
    """uvicorn's logging options: its own text setup, or, for JSON logs, none (its records
    go to the root JSON handler) and no access line (the metrics middleware writes one with
    the request id, project and duration)."""
    if settings.log_format == "json":
        return {"log_config": None, "access_log": False}
    return {}


def _db_upgrade(settings: Settings) -> int:
    from service.core.db import Database
    from service.migrations import upgrade_database

    db = Database.from_settings(settings)
    try:
        upgrade_database(db)
    except WhetstoneError as exc:
        print(f"whetstone: cannot upgrade the database: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def _openapi() -> int:
    from service.app import create_app

    document = create_app(Settings()).openapi()
    print(json.dumps(document, indent=2, sort_keys=False))
    return 0


def _tokenizer(settings: Settings, model: str, directory: Path) -> int:
    from service.catalog import Catalog

    try:
        catalog = Catalog.load(data_dir=settings.data_dir, models_file=settings.models_file)
        entry = catalog.resolve(model)
    except (ValueError, WhetstoneError) as exc:  # ValueError: an unreadable models file
        print(f"whetstone: {exc}", file=sys.stderr)
        return 1
    from transformers import AutoTokenizer

    # Loaded and saved rather than copied: a hub model's directory also holds its weights, and
    # tinker-cookbook's register_tokenizer needs only what AutoTokenizer reads back.
    tokenizer = AutoTokenizer.from_pretrained(catalog.tokenizer_path(entry))
    tokenizer.save_pretrained(directory)
    print(directory)
    return 0


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `whetstone` console script."""
    parser = argparse.ArgumentParser(prog="whetstone", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API server, scheduler and engine")
    serve.add_argument("--host", help="bind address (default WHETSTONE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default WHETSTONE_PORT or 8000)")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every pending schema migration, then exit")
    commands.add_parser("openapi", help="print the OpenAPI document of the app")
    tokenizer = commands.add_parser(
        "tokenizer",
        help="write a base model's tokenizer into a directory, offline (for tinker-cookbook's "
        "register_tokenizer in CI)",
    )
    tokenizer.add_argument("directory", type=Path, help="where to write the tokenizer files")
    tokenizer.add_argument(
        "--model", default=EMULATOR_NAME, help=f"a catalog name or alias (default {EMULATOR_NAME})"
    )
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValidationError as exc:
        # A model validator's message reads on its own, without pydantic's "Value error, ".
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        print(f"whetstone: invalid settings: {message}", file=sys.stderr)
        sys.exit(2)
    configure_logging(settings)
    if args.command == "serve":
        sys.exit(_serve(settings, args.host, args.port))
    if args.command == "db":
        sys.exit(_db_upgrade(settings))
    if args.command == "tokenizer":
        sys.exit(_tokenizer(settings, args.model, args.directory))
    sys.exit(_openapi())
