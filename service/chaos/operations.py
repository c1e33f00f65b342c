"""Fault injection for CI: the chaos API's rules, and the job faults other slices consult.

The fine-tuning slice checks a new job's `whetstone_fault*` metadata here; the scheduler and
its workers read the fault back with `job_fault` (service/chaos/job_faults.py strikes it).
"""

from __future__ import annotations

from collections.abc import Mapping

from service.chaos.job_faults import InjectedFailure, JobFault, check_job_metadata, job_fault
from service.chaos.rules import FaultRuleStore
from service.chaos.schemas import FaultRule, FaultRules
from service.core.auth import Principal, require_admin
from service.core.errors import InvalidRequestError

__all__ = [
    "InjectedFailure",
    "JobFault",
    "add_rules",
    "check_new_job",
    "job_fault",
    "list_rules",
    "remove_rules",
    "replace_rules",
]

_ACTION = "Setting request faults (/_whetstone/chaos/faults)"


def check_new_job(metadata: Mapping[str, str] | None, *, enabled: bool) -> None:
    """400 naming the key when a new job's fault metadata is invalid, or fault injection is off."""
    check_job_metadata(metadata, enabled=enabled)


def list_rules(store: FaultRuleStore, *, principal: Principal) -> FaultRules:
    """The caller's project's rules."""
    require_admin(principal, _ACTION)
    return FaultRules(store.list(project=principal.project))


def replace_rules(store: FaultRuleStore, *, principal: Principal, rules: FaultRules) -> FaultRules:
    """Replace the caller's project's rules (POST, as LocalStack's)."""
    require_admin(principal, _ACTION)
    return FaultRules(store.replace(project=principal.project, rules=_effective(principal, rules)))


def add_rules(store: FaultRuleStore, *, principal: Principal, rules: FaultRules) -> FaultRules:
    """Append to the caller's project's rules (PATCH)."""
    require_admin(principal, _ACTION)
    return FaultRules(store.add(project=principal.project, rules=_effective(principal, rules)))


def remove_rules(
    store: FaultRuleStore, *, principal: Principal, patterns: FaultRules | None
) -> FaultRules:
    """Remove the caller's rules that fit `patterns`, or every one of them (DELETE)."""
    require_admin(principal, _ACTION)
    chosen = _scoped(principal, patterns) if patterns is not None else None
    return FaultRules(store.remove(project=principal.project, patterns=chosen))


def _effective(principal: Principal, rules: FaultRules) -> list[FaultRule]:
    """Rules to store: scoped, and each doing something. (A DELETE pattern need not.)"""
    for index, rule in enumerate(rules.root):
        if rule.status is None and rule.latency_ms is None:
            raise InvalidRequestError(
                f"Invalid '[{index}]': a fault rule needs a status, a latency_ms, or both.",
                param=f"[{index}].status",
                code="invalid_value",
            )
    return _scoped(principal, rules)


def _scoped(principal: Principal, rules: FaultRules) -> list[FaultRule]:
    """The rules bound to the caller's project: faults never reach another project's requests."""
    scoped = []
    for index, rule in enumerate(rules.root):
        if rule.project is not None and rule.project != principal.project:
            raise InvalidRequestError(
                f"Invalid '[{index}].project': a fault rule can only strike the caller's own "
                f"project ({principal.project}).",
                param=f"[{index}].project",
                code="invalid_value",
            )
        scoped.append(rule.model_copy(update={"project": principal.project}))
    return scoped
