"""Tinker checkpoints REST routes: training runs, checkpoints, weights info and downloads."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
