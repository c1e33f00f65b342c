"""Fault injection: the server under S3 and PostgreSQL outages."""
