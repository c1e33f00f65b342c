"""Whetstone: a self-hosted service that speaks the OpenAI fine-tuning API."""
