"""Observability: Prometheus metrics (GET /metrics) and structured logs."""
