"""The request-fault rules of one server process, per project, in memory (as LocalStack keeps
its chaos rules): nothing survives a restart, and each replica has its own."""

from __future__ import annotations

import builtins
import random
import threading
from dataclasses import dataclass
from fnmatch import fnmatchcase

from service.chaos.schemas import FaultRule


@dataclass
class _Stored:
    rule: FaultRule
    # Strikes left; None: unlimited.
    remaining: int | None


class FaultRuleStore:
    """Rules keyed by project. Sync routes run in threads and the middleware on the event loop,
    so every access takes the lock; none of them blocks."""

    def __init__(self, *, rng: random.Random):
        self._rng = rng
        self._lock = threading.Lock()
        self._rules: dict[str, list[_Stored]] = {}

    def is_empty(self) -> bool:
        """Whether no project has a rule (the middleware then skips authenticating)."""
        with self._lock:
            return not any(self._rules.values())

    def list(self, *, project: str) -> list[FaultRule]:
        """The project's rules in matching order, `count` being the strikes left."""
        with self._lock:
            return [_shown(stored) for stored in self._rules.get(project, [])]

    def replace(self, *, project: str, rules: builtins.list[FaultRule]) -> builtins.list[FaultRule]:
        """Make `rules` the project's only rules."""
        with self._lock:
            self._rules[project] = [_Stored(rule, rule.count) for rule in rules]
        return self.list(project=project)

    def add(self, *, project: str, rules: builtins.list[FaultRule]) -> builtins.list[FaultRule]:
        """Append `rules` to the project's rules."""
        with self._lock:
            self._rules.setdefault(project, []).extend(_Stored(rule, rule.count) for rule in rules)
        return self.list(project=project)

    def remove(
        self, *, project: str, patterns: builtins.list[FaultRule] | None
    ) -> builtins.list[FaultRule]:
        """Drop every rule that equals a pattern in each field the pattern sets; all of them
        when `patterns` is None."""
        with self._lock:
            if patterns is None:
                self._rules.pop(project, None)
            else:
                kept = [
                    stored
                    for stored in self._rules.get(project, [])
                    if not any(_fits(stored.rule, pattern) for pattern in patterns)
                ]
                self._rules[project] = kept
        return self.list(project=project)

    def strike(self, *, project: str, method: str, path: str) -> FaultRule | None:
        """The first of the project's rules that matches the request and whose draw strikes;
        its count goes down by one, and a spent rule is removed."""
        with self._lock:
            rules = self._rules.get(project, [])
            for index, stored in enumerate(rules):
                rule = stored.rule
                if rule.method is not None and rule.method != method.upper():
                    continue
                if rule.path != path and not fnmatchcase(path, rule.path):
                    continue
                if rule.probability < 1 and self._rng.random() >= rule.probability:
                    continue
                if stored.remaining is not None:
                    stored.remaining -= 1
                    if stored.remaining == 0:
                        del rules[index]
                return rule
        return None


def _shown(stored: _Stored) -> FaultRule:
    return stored.rule.model_copy(update={"count": stored.remaining})


def _fits(rule: FaultRule, pattern: FaultRule) -> bool:
    given = pattern.model_dump(exclude_unset=True)
    actual = rule.model_dump()
    return all(actual.get(name) == value for name, value in given.items())
