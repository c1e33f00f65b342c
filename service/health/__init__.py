"""Liveness and readiness probes: /healthz and /readyz."""
