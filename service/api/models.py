"""Router for /v1/models (placeholder until its issue lands)."""

from fastapi import APIRouter

router = APIRouter()
