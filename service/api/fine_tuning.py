"""Router for /v1/fine_tuning (placeholder until its issue lands)."""

from fastapi import APIRouter

router = APIRouter()
