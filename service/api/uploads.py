"""Router for /v1/uploads (placeholder until its issue lands)."""

from fastapi import APIRouter

router = APIRouter()
