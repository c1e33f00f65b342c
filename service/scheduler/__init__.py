"""The training scheduler: job queue, device slots, worker processes, recovery."""

from __future__ import annotations

from service.scheduler.scheduler import Scheduler

__all__ = ["Scheduler"]
