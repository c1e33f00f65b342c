"""Our event-stream frames, read back by botocore's own parser exactly as boto3 reads them."""

from __future__ import annotations

import pytest
from botocore.eventstream import ChecksumMismatch, EventStream, EventStreamBuffer
from botocore.exceptions import EventStreamError
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.parsers import EventStreamJSONParser

from service.bedrock import eventstream


class _RawStream:
    """What botocore reads a response body through."""

    def __init__(self, data: bytes):
        self._data = data

    def stream(self) -> list[bytes]:
        # Split mid-frame, as a network would: the parser must reassemble.
        return [self._data[i : i + 7] for i in range(0, len(self._data), 7)]

    def close(self) -> None:
        """Nothing to release."""


def read_back(data: bytes) -> list[dict[str, object]]:
    """The events boto3's ConverseStream would yield for these bytes."""
    model = ServiceModel(Loader().load_service_model("bedrock-runtime", "service-2"))
    output = model.operation_model("ConverseStream").output_shape.members["stream"]
    return list(EventStream(_RawStream(data), output, EventStreamJSONParser(), "ConverseStream"))


def test_frames_decode_with_their_headers_and_crcs() -> None:
    frame = eventstream.event("messageStart", {"role": "assistant"})
    buffer = EventStreamBuffer()
    buffer.add_data(frame)
    (message,) = list(buffer)
    assert message.headers == {
        ":event-type": "messageStart",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert message.payload == b'{"role": "assistant"}'


def test_boto3_reads_a_whole_converse_stream() -> None:
    data = b"".join(
        [
            eventstream.event("messageStart", {"role": "assistant"}),
            eventstream.event(
                "contentBlockDelta", {"delta": {"text": "Hé"}, "contentBlockIndex": 0}
            ),
            eventstream.event(
                "contentBlockDelta", {"delta": {"text": "llo"}, "contentBlockIndex": 0}
            ),
            eventstream.event("contentBlockStop", {"contentBlockIndex": 0}),
            eventstream.event("messageStop", {"stopReason": "end_turn"}),
            eventstream.event(
                "metadata",
                {
                    "usage": {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5},
                    "metrics": {"latencyMs": 7},
                },
            ),
        ]
    )
    events = read_back(data)
    assert events[0] == {"messageStart": {"role": "assistant"}}
    assert "".join(e["contentBlockDelta"]["delta"]["text"] for e in events[1:3]) == "Héllo"  # type: ignore[index]
    assert events[4] == {"messageStop": {"stopReason": "end_turn"}}
    assert events[5]["metadata"]["usage"]["totalTokens"] == 5  # type: ignore[index]


def test_an_exception_frame_is_raised_as_event_stream_error() -> None:
    data = eventstream.event("messageStart", {"role": "assistant"}) + eventstream.exception(
        "modelStreamErrorException", "the engine stopped"
    )
    with pytest.raises(EventStreamError, match="the engine stopped") as raised:
        read_back(data)
    assert raised.value.response["Error"]["Code"] == "modelStreamErrorException"


def test_a_corrupted_frame_fails_its_crc() -> None:
    frame = bytearray(eventstream.event("messageStart", {"role": "assistant"}))
    frame[-6] ^= 0xFF
    buffer = EventStreamBuffer()
    buffer.add_data(bytes(frame))
    with pytest.raises(ChecksumMismatch):
        list(buffer)
