"""Tinker sampling: sampling sessions and `asample` on the serving engines."""
