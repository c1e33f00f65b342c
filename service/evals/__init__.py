"""The Evals API: /v1/evals, runs and output items, and the run executor."""
