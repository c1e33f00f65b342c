"""Tables and repositories: the only package that writes SQL."""

from service.db.engine import Database

__all__ = ["Database"]
