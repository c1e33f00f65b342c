"""Bedrock's runtime (Converse, ConverseStream, InvokeModel) translated to our chat
completions: the same engines, prompts and sampling as /v1/chat/completions."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator

from pydantic import JsonValue, ValidationError

from service.bedrock import eventstream
from service.bedrock import operations as control
from service.bedrock.schemas import (
    ConverseMetrics,
    ConverseOutput,
    ConverseRequest,
    ConverseResponse,
    OutputMessage,
    StopReason,
    TokenUsage,
)
from service.catalog import Catalog
from service.completions import operations as completions
from service.completions.schemas import CreateChatCompletionRequest
from service.core.auth import Principal
from service.core.db import Database
from service.core.errors import InvalidRequestError, WhetstoneError
from service.core.wire import JSONObject
from service.inference import InferenceService

logger = logging.getLogger("whetstone.bedrock")

# Fields of Converse that would change the answer and that Whetstone does not emulate.
_REFUSED = ("toolConfig", "guardrailConfig", "promptVariables", "outputConfig")
_STOP_REASONS: dict[str, StopReason] = {"stop": "end_turn", "length": "max_tokens"}


def _text(blocks: list[object], where: str) -> str:
    texts = []
    for index, block in enumerate(blocks):
        text = getattr(block, "text", None)
        extra = [key for key in (getattr(block, "model_extra", None) or {})]
        if text is None or extra:
            kinds = ", ".join(extra) or "an empty block"
            raise InvalidRequestError(
                f"{where}[{index}]: only text content is served here, got {kinds}."
            )
        texts.append(text)
    return "".join(texts)


def chat_request(model: str, body: ConverseRequest, *, stream: bool) -> CreateChatCompletionRequest:
    """The chat completion request a Converse request stands for."""
    for name in _REFUSED:
        if getattr(body, name) is not None:
            raise InvalidRequestError(f"{name} is not supported by this server.")
    if not body.messages:
        raise InvalidRequestError("messages: at least one message is required.")
    messages: list[JsonValue] = []
    if body.system:
        messages.append({"role": "system", "content": _text(list(body.system), "system")})
    for index, message in enumerate(body.messages):
        messages.append(
            {
                "role": message.role,
                "content": _text(list(message.content), f"messages[{index}].content"),
            }
        )
    config = body.inferenceConfig
    payload: JSONObject = {"model": model, "messages": messages, "stream": stream}
    if stream:
        payload["stream_options"] = {"include_usage": True}
    if config is not None:
        if config.maxTokens is not None:
            payload["max_completion_tokens"] = config.maxTokens
        if config.temperature is not None:
            payload["temperature"] = config.temperature
        if config.topP is not None:
            payload["top_p"] = config.topP
        if config.stopSequences:
            payload["stop"] = list(config.stopSequences)
    try:
        return CreateChatCompletionRequest.model_validate(payload)
    except ValidationError as exc:
        raise InvalidRequestError(
            f"The request cannot be served: {exc.errors()[0]['msg']}"
        ) from exc


async def _model(db: Database, principal: Principal, model_id: str) -> str:
    return await asyncio.to_thread(
        control.served_model_name, db, project=principal.project, identifier=model_id
    )


async def converse(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    principal: Principal,
    *,
    model_id: str,
    body: ConverseRequest,
) -> ConverseResponse:
    """Converse: one whole reply."""
    started = time.monotonic()
    request = chat_request(await _model(db, principal, model_id), body, stream=False)
    prepared = await completions.prepare_chat(db, catalog, inference, principal, request)
    answer = await completions.create_chat_completion(inference, prepared, request)
    choice = answer.choices[0]
    usage = answer.usage
    assert usage is not None
    return ConverseResponse(
        output=ConverseOutput(
            message=OutputMessage(content=[{"text": choice.message.content or ""}])
        ),
        stopReason=_STOP_REASONS.get(choice.finish_reason, "end_turn"),
        usage=TokenUsage(
            inputTokens=usage.prompt_tokens,
            outputTokens=usage.completion_tokens,
            totalTokens=usage.total_tokens,
        ),
        metrics=ConverseMetrics(latencyMs=round((time.monotonic() - started) * 1000)),
    )


async def converse_stream(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    principal: Principal,
    *,
    model_id: str,
    body: ConverseRequest,
) -> AsyncIterator[bytes]:
    """ConverseStream: refusals before the first byte are HTTP errors; a failure later is a
    `modelStreamErrorException` frame, which boto3 raises as EventStreamError."""
    started = time.monotonic()
    request = chat_request(await _model(db, principal, model_id), body, stream=True)
    prepared = await completions.prepare_chat(db, catalog, inference, principal, request)
    chunks = await completions.stream_chat_completion(inference, prepared, request)

    async def frames() -> AsyncIterator[bytes]:
        yield eventstream.event("messageStart", {"role": "assistant"})
        stop: StopReason = "end_turn"
        usage: JSONObject = {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0}
        try:
            async for chunk in chunks:
                choices = chunk.get("choices")
                for choice in choices if isinstance(choices, list) else []:
                    assert isinstance(choice, dict)
                    delta = choice.get("delta")
                    text = delta.get("content") if isinstance(delta, dict) else None
                    if isinstance(text, str) and text:
                        yield eventstream.event(
                            "contentBlockDelta", {"delta": {"text": text}, "contentBlockIndex": 0}
                        )
                    finish = choice.get("finish_reason")
                    if isinstance(finish, str):
                        stop = _STOP_REASONS.get(finish, "end_turn")
                counted = chunk.get("usage")
                if isinstance(counted, dict):
                    usage = {
                        "inputTokens": counted["prompt_tokens"],
                        "outputTokens": counted["completion_tokens"],
                        "totalTokens": counted["total_tokens"],
                    }
        except Exception as exc:
            message = exc.message if isinstance(exc, WhetstoneError) else "The model failed."
            logger.warning("ConverseStream failed mid-stream: %s", exc, exc_info=True)
            yield eventstream.exception("modelStreamErrorException", message)
            return
        yield eventstream.event("contentBlockStop", {"contentBlockIndex": 0})
        yield eventstream.event("messageStop", {"stopReason": stop})
        latency = round((time.monotonic() - started) * 1000)
        yield eventstream.event("metadata", {"usage": usage, "metrics": {"latencyMs": latency}})

    return frames()


async def invoke_model(
    db: Database,
    catalog: Catalog,
    inference: InferenceService,
    principal: Principal,
    *,
    model_id: str,
    body: bytes,
) -> bytes:
    """InvokeModel with the Amazon Nova messages body (`messages`, `system`,
    `inferenceConfig`), answered in Nova's shape."""
    try:
        native = json.loads(body or b"{}")
        if not isinstance(native, dict):
            raise ValueError("not an object")
        native.pop("schemaVersion", None)
        config = native.get("inferenceConfig")
        if isinstance(config, dict) and "max_new_tokens" in config:
            # Nova's native name of Converse's maxTokens.
            config["maxTokens"] = config.pop("max_new_tokens")
        for name in ("top_p", "top_k"):
            if isinstance(config, dict) and name in config:
                value = config.pop(name)
                if name == "top_p":
                    config["topP"] = value
        request = ConverseRequest.model_validate(native)
    except (ValueError, ValidationError) as exc:
        raise InvalidRequestError(
            "InvokeModel expects the Amazon Nova messages body "
            '{"messages": [{"role", "content": [{"text"}]}], "system", "inferenceConfig"}: '
            f"{exc}"
        ) from exc
    answer = await converse(db, catalog, inference, principal, model_id=model_id, body=request)
    return json.dumps(
        {
            "output": answer.output.model_dump(),
            "stopReason": answer.stopReason,
            "usage": answer.usage.model_dump(),
        }
    ).encode()
