"""Router for /v1/completions (placeholder until its issue lands)."""

from fastapi import APIRouter

router = APIRouter()
