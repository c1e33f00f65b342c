"""The `application/vnd.amazon.eventstream` encoding of ConverseStream's events.

Each message: a prelude (total length, headers length: big-endian u32), the prelude's CRC32,
the headers (name length u8, name, type 7 = string, value length u16, value), the payload, and
the CRC32 of everything before it. botocore decodes it (botocore.eventstream); no library on
PyPI encodes it without pulling an SDK of its own, and the format is these few lines.
"""

from __future__ import annotations

import json
import struct
import zlib

from service.core.wire import JSONObject

_STRING_HEADER = 7
_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")


def _headers(headers: dict[str, str]) -> bytes:
    encoded = bytearray()
    for name, value in headers.items():
        name_bytes, value_bytes = name.encode(), value.encode()
        encoded += struct.pack(">B", len(name_bytes)) + name_bytes
        encoded += struct.pack(">BH", _STRING_HEADER, len(value_bytes)) + value_bytes
    return bytes(encoded)


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message with its prelude and both CRC32s."""
    header_bytes = _headers(headers)
    total = _PRELUDE.size + _CRC.size + len(header_bytes) + len(payload) + _CRC.size
    prelude = _PRELUDE.pack(total, len(header_bytes))
    head = prelude + _CRC.pack(zlib.crc32(prelude)) + header_bytes + payload
    return head + _CRC.pack(zlib.crc32(head))


def event(event_type: str, payload: JSONObject) -> bytes:
    """An event message (`messageStart`, `contentBlockDelta`, ...) with a JSON payload."""
    return encode_message(
        {
            ":event-type": event_type,
            ":content-type": "application/json",
            ":message-type": "event",
        },
        json.dumps(payload).encode(),
    )


def exception(exception_type: str, message: str) -> bytes:
    """An exception message (`modelStreamErrorException`, ...): boto3 raises EventStreamError."""
    return encode_message(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": message}).encode(),
    )
