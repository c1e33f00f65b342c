"""Router for /v1/chat (placeholder until its issue lands)."""

from fastapi import APIRouter

router = APIRouter()
