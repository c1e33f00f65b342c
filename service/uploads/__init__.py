"""The Uploads API: /v1/uploads, parts composed into a file."""
