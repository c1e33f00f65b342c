"""Conformance helpers: Whetstone's responses checked against OpenAI's published schemas."""
