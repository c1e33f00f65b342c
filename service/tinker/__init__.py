"""Thinking Machines' Tinker API: the training primitives on a LoRA model Whetstone holds.

The routes live under `/api/v1` of the app (TINKER_BASE_URL is the server's root) and stay out
of the OpenAPI document; their client is the `tinker` SDK, >=0.38.0,<0.39.
"""
