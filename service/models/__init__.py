"""The Models API: /v1/models, and what a model name means for a caller."""
