"""Wire models of /v1/webhook_endpoints and of the events delivered, named after openai-python's
types (`openai/types/webhooks/`): OpenAI's published description has the events but not yet
the endpoints, so the official SDK's types are the contract there."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.core.pagination import ListPage
from service.core.wire import JsonBody

# Every event type Whetstone emits; endpoints may subscribe to these alone.
EMITTED_EVENT_TYPES: tuple[str, ...] = (
    "fine_tuning.job.succeeded",
    "fine_tuning.job.failed",
    "fine_tuning.job.cancelled",
    "eval.run.succeeded",
    "eval.run.failed",
    "eval.run.canceled",
)

MAX_NAME_CHARS = 256
MAX_URL_CHARS = 2048


class CreateWebhookEndpointRequest(JsonBody):
    """The body of POST /v1/webhook_endpoints (the SDK's `WebhookCreateParams`)."""

    model_config = ConfigDict(extra="forbid")

    event_types: list[str] = Field(
        min_length=1, description="The event types that trigger deliveries to this endpoint."
    )
    name: str = Field(
        min_length=1,
        max_length=MAX_NAME_CHARS,
        description="A human-readable name for the webhook endpoint.",
    )
    url: str = Field(
        min_length=1,
        max_length=MAX_URL_CHARS,
        description="The http(s) URL that receives webhook deliveries.",
    )


class UpdateWebhookEndpointRequest(JsonBody):
    """The body of POST /v1/webhook_endpoints/{id} (the SDK's `WebhookUpdateParams`)."""

    model_config = ConfigDict(extra="forbid")

    event_types: list[str] | None = Field(
        None,
        min_length=1,
        description="The complete set of event types that should trigger deliveries.",
    )
    name: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_NAME_CHARS,
        description="A new human-readable name for the webhook endpoint.",
    )
    url: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_URL_CHARS,
        description="A new http(s) URL that receives webhook deliveries.",
    )


class RotateWebhookSecretRequest(JsonBody):
    """The body of POST /v1/webhook_endpoints/{id}/rotate_secret."""

    model_config = ConfigDict(extra="forbid")

    keep_old_secret_active_for_24_hours: bool = Field(
        False,
        description="Whether deliveries keep a signature by the previous secret for 24 hours.",
    )


class TestWebhookEndpointRequest(JsonBody):
    """The body of POST /v1/webhook_endpoints/{id}/test (the SDK's `WebhookTestParams`)."""

    model_config = ConfigDict(extra="forbid")

    event_type: str = Field(description="The event type to send as a sample delivery.")


class WebhookEndpoint(BaseModel):
    """A webhook endpoint (the SDK's `WebhookEndpoint`)."""

    id: str = Field(description="The unique ID of the webhook endpoint.")
    object: Literal["webhook_endpoint"] = Field(
        "webhook_endpoint", description="Always `webhook_endpoint`."
    )
    created_at: int = Field(description="The Unix timestamp when the endpoint was created.")
    updated_at: int = Field(
        description="The Unix timestamp of the last configuration or signing-secret change."
    )
    event_types: list[str] = Field(
        description="The event types that trigger deliveries to this endpoint."
    )
    name: str = Field(description="The human-readable name of the endpoint.")
    url: str = Field(description="The URL that receives webhook deliveries.")
    signing_secret_hint: str = Field(description="A masked hint for the endpoint's signing secret.")


class WebhookEndpointWithSecret(WebhookEndpoint):
    """A webhook endpoint with its secret, answered only by create and rotate_secret."""

    signing_secret: str = Field(
        description="The `whsec_` signing secret; shown only at create and rotate."
    )


class WebhookEndpointList(ListPage[WebhookEndpoint]):
    """A page of webhook endpoints, newest first (the SDK's `WebhookEndpointList`)."""


class DeletedWebhookEndpoint(BaseModel):
    """The answer to a delete (the SDK's `DeletedWebhookEndpoint`)."""

    id: str = Field(description="The ID of the deleted webhook endpoint.")
    object: Literal["webhook_endpoint.deleted"] = Field(
        "webhook_endpoint.deleted", description="Always `webhook_endpoint.deleted`."
    )
    deleted: bool = Field(description="Whether the endpoint was deleted.")


class WebhookEndpointTestResult(BaseModel):
    """What the endpoint answered to a sample event (the SDK's `WebhookEndpointTestResult`)."""

    object: Literal["webhook_endpoint.test"] = Field(
        "webhook_endpoint.test", description="Always `webhook_endpoint.test`."
    )
    webhook_endpoint_id: str = Field(description="The ID of the endpoint that got the test.")
    event_type: str = Field(description="The event type sent in the test.")
    status_code: int = Field(description="The HTTP status code the endpoint answered with.")
    success: Literal[True] = Field(
        True, description="Always true: the request completed; see `status_code`."
    )


class WebhookEventTypeList(BaseModel):
    """The event types an endpoint may subscribe to (the SDK's `WebhookEventTypeList`)."""

    object: Literal["list"] = Field("list", description="Always `list`.")
    data: list[str] = Field(description="The webhook event types Whetstone emits.")


class WebhookEventData(BaseModel):
    """The object an event is about."""

    id: str = Field(description="The ID of the object (a fine-tuning job's `ftjob-...`).")


class WebhookEvent(BaseModel):
    """A delivered event, as OpenAI's `webhooks` section describes them."""

    id: str = Field(description="The unique ID of the event, `evt_...`.")
    object: Literal["event"] = Field("event", description="Always `event`.")
    created_at: int = Field(description="Unix seconds when the change the event reports happened.")
    type: str = Field(description="The type of the event, e.g. `fine_tuning.job.succeeded`.")
    data: WebhookEventData = Field(description="Event data payload.")
