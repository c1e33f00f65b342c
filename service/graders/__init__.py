"""Graders: the grader types, template rendering, similarity metrics, calculate_output, the
python sandbox, and /v1/fine_tuning/alpha/graders/{run,validate}."""
