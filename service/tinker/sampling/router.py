"""Tinker sampling routes: create a sampling session and `asample` on the serving engines."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
