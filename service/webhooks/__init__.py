"""Webhooks: endpoints, signing, and the delivery outbox with its sender."""
