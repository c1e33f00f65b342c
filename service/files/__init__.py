"""The Files API: /v1/files."""
