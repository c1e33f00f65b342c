"""Fault injection for CI: request faults (the chaos API) and job faults (job metadata)."""
