"""Router for /v1/files (placeholder until its issue lands)."""

from fastapi import APIRouter

router = APIRouter()
