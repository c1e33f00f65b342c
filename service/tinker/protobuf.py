"""Tinker's protobuf wire (the schema ships in the SDK: tinker/proto/tinker_public_pb2.py).

`forward_backward` bodies arrive as `ForwardBackwardRequest`; the results of forward_backward
and asample go back as `ForwardBackwardOutput` and `SampleResponse`. numpy only: the worker
decodes with this module, and the API process imports it too.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Literal

import numpy as np
from google.protobuf.message import DecodeError

from service.core.errors import InvalidRequestError
from service.training.sessions import ForwardBackwardResult, TrainingDatum


def _load_schema() -> ModuleType:
    """The SDK's generated protobuf module, loaded from its file alone: importing it as
    `tinker.proto...` would run the `tinker` package's __init__, which imports torch, and the
    API process must start without torch."""
    package = importlib.util.find_spec("tinker")  # finds the package without importing it
    if package is None or not package.submodule_search_locations:
        raise ImportError("the tinker SDK (tinker==0.38.0) is not installed")
    path = Path(next(iter(package.submodule_search_locations))) / "proto" / "tinker_public_pb2.py"
    spec = importlib.util.spec_from_file_location("whetstone_tinker_public_pb2", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the Tinker protobuf schema from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from tinker.proto import tinker_public_pb2 as pb
else:
    pb = _load_schema()

_NUMPY_OF_DTYPE: dict[int, np.dtype[np.generic]] = {
    pb.DTYPE_FLOAT32: np.dtype(np.float32),
    pb.DTYPE_INT64: np.dtype(np.int64),
    pb.DTYPE_INT32: np.dtype(np.int32),
}
_DTYPE_OF_KIND: dict[str, int] = {"f": pb.DTYPE_FLOAT32, "i": pb.DTYPE_INT64, "u": pb.DTYPE_INT64}
_STOP_REASONS = {"stop": pb.STOP_REASON_STOP, "length": pb.STOP_REASON_LENGTH}


@dataclass
class ForwardBackwardCall:
    """A decoded `forward_backward` (or `forward`) request."""

    model_id: str
    seq_id: int
    data: list[TrainingDatum]
    loss_fn: str
    loss_fn_config: dict[str, float] | None
    forward_only: bool


def _tensor(name: str, msg: pb.Tensor) -> np.ndarray:
    dtype = _NUMPY_OF_DTYPE.get(msg.dtype)
    if dtype is None:
        raise InvalidRequestError(
            f"loss_fn_inputs[{name!r}] has an unsupported dtype ({pb.DType.Name(msg.dtype)}); "
            "send float32 or int64.",
            param=f"loss_fn_inputs.{name}",
        )
    shape = list(msg.shape)
    if msg.WhichOneof("encoding") == "sparse_csr":
        values = np.frombuffer(msg.sparse_csr.values, dtype=dtype)
        crow = np.frombuffer(msg.sparse_csr.crow_indices, dtype=np.int64)
        cols = np.frombuffer(msg.sparse_csr.col_indices, dtype=np.int64)
        if len(shape) != 2 or len(crow) != shape[0] + 1 or len(cols) != len(values):
            raise InvalidRequestError(
                f"loss_fn_inputs[{name!r}] is a malformed sparse CSR tensor.",
                param=f"loss_fn_inputs.{name}",
            )
        dense = np.zeros(shape, dtype=dtype)
        for row in range(shape[0]):
            start, end = int(crow[row]), int(crow[row + 1])
            dense[row, cols[start:end]] = values[start:end]
        array = dense
    else:
        array = np.frombuffer(msg.dense, dtype=dtype)
        if shape:
            if math.prod(shape) != array.size:
                raise InvalidRequestError(
                    f"loss_fn_inputs[{name!r}] has {array.size} values but shape {shape}.",
                    param=f"loss_fn_inputs.{name}",
                )
            array = array.reshape(shape)
    # The trainer's contract: integers as int64, reals as float32.
    wanted = np.int64 if array.dtype.kind in "iu" else np.float32
    return np.array(array, dtype=wanted)


def _tokens(index: int, datum: pb.Datum) -> list[int]:
    tokens: list[int] = []
    for chunk in datum.model_input:
        kind = chunk.WhichOneof("chunk")
        if kind != "encoded_text":
            # Images and audio (dMel) need a multimodal base model; none is served here.
            raise InvalidRequestError(
                f"data[{index}].model_input has a {kind or 'empty'} chunk: Whetstone's Tinker "
                "API trains on text only (EncodedTextChunk); image and audio chunks are not "
                "supported.",
                param=f"data[{index}].model_input",
                code="unsupported_chunk",
            )
        tokens.extend(int(t) for t in np.frombuffer(chunk.encoded_text.tokens, dtype=np.int32))
    return tokens


def _loss_fn_config(message: pb.ForwardBackwardRequest) -> dict[str, float] | None:
    config: dict[str, float] = {}
    if message.loss_fn_config_v2:
        for key, value in message.loss_fn_config_v2.items():
            if value.WhichOneof("value") != "number":
                raise InvalidRequestError(
                    f"loss_fn_config[{key!r}] is text; the supported losses take numbers only.",
                    param=f"loss_fn_config.{key}",
                )
            config[key] = float(value.number)
    else:
        config = {key: float(value) for key, value in message.loss_fn_config.items()}
    return config or None


def decode_forward_backward(payload: bytes) -> ForwardBackwardCall:
    """Decode a ForwardBackwardRequest body (zstd already removed); InvalidRequestError for a
    body that is no such message, or asks for what is not supported (image chunks)."""
    message = _parse(payload)
    data = [
        TrainingDatum(
            tokens=_tokens(index, datum),
            loss_fn_inputs={name: _tensor(name, t) for name, t in datum.loss_fn_inputs.items()},
        )
        for index, datum in enumerate(message.data)
    ]
    return ForwardBackwardCall(
        model_id=message.model_id,
        seq_id=int(message.seq_id),
        data=data,
        loss_fn=message.loss_fn,
        loss_fn_config=_loss_fn_config(message),
        forward_only=bool(message.forward_only),
    )


@dataclass(frozen=True)
class ForwardBackwardHeader:
    """What the front door reads of a forward_backward body to queue it."""

    model_id: str
    seq_id: int
    forward_only: bool


def _parse(payload: bytes) -> pb.ForwardBackwardRequest:
    message = pb.ForwardBackwardRequest()
    try:
        message.ParseFromString(payload)
    except DecodeError as exc:
        raise InvalidRequestError(
            "The forward_backward body is not a tinker ForwardBackwardRequest protobuf message "
            "(Content-Type: application/x-protobuf)."
        ) from exc
    return message


def peek_forward_backward(payload: bytes) -> ForwardBackwardHeader:
    """The model and seq_id of a ForwardBackwardRequest body; InvalidRequestError when it is
    no such message or names no model."""
    message = _parse(payload)
    if not message.model_id:
        raise InvalidRequestError("The forward_backward body names no model_id.", param="model_id")
    return ForwardBackwardHeader(
        model_id=message.model_id,
        seq_id=int(message.seq_id),
        forward_only=bool(message.forward_only),
    )


def _uniform_runs(outputs: list[dict[str, np.ndarray]]) -> list[list[dict[str, np.ndarray]]]:
    """Consecutive datums whose fields share dtype and trailing shape (one ArrayRecord each)."""

    def signature(output: dict[str, np.ndarray]) -> tuple[tuple[str, str, tuple[int, ...]], ...]:
        return tuple(
            (name, array.dtype.kind, tuple(array.shape[1:]))
            for name, array in sorted(output.items())
        )

    runs: list[list[dict[str, np.ndarray]]] = []
    for output in outputs:
        if runs and signature(runs[-1][-1]) == signature(output):
            runs[-1].append(output)
        else:
            runs.append([output])
    return runs


def encode_forward_backward_output(result: ForwardBackwardResult) -> bytes:
    """The ForwardBackwardOutput bytes of a result: per-datum outputs batched per field."""
    message = pb.ForwardBackwardOutput(loss_fn_output_type=result.loss_fn_output_type)
    for key, value in result.metrics.items():
        message.metrics[key] = float(value)
    for run in _uniform_runs(result.outputs):
        record = message.loss_fn_outputs.add(num_datums=len(run))
        for name in run[0]:
            arrays = [np.asarray(output[name]) for output in run]
            kind = arrays[0].dtype.kind
            dtype = _DTYPE_OF_KIND.get(kind, pb.DTYPE_FLOAT32)
            np_dtype = np.int64 if dtype == pb.DTYPE_INT64 else np.float32
            # A scalar output is one value per datum: the SDK reads shape [1].
            parts = [np.ascontiguousarray(a.reshape(-1), dtype=np_dtype) for a in arrays]
            offsets = np.zeros(len(parts) + 1, dtype=np.int64)
            offsets[1:] = np.cumsum([part.nbytes for part in parts])
            batched = record.fields[name]
            batched.dtype = dtype
            batched.data = b"".join(part.tobytes() for part in parts)
            batched.offsets = offsets.tobytes()
            batched.trailing_shape.extend(arrays[0].shape[1:])
    serialized: bytes = message.SerializeToString()
    return serialized


@dataclass
class SampledOutput:
    """One sampled sequence: its tokens, their logprobs, and why it stopped."""

    tokens: Sequence[int]
    logprobs: Sequence[float] | None
    stop_reason: Literal["stop", "length"]
    # Per sampled token, the top-k (token id, logprob) pairs, when asked for.
    topk_logprobs: Sequence[Sequence[tuple[int, float]]] | None = None


def _topk(rows: Sequence[Sequence[tuple[int, float]]], message: pb.TopkLogprobs) -> None:
    k = max((len(row) for row in rows), default=0)
    # Tinker's convention for an empty cell: token 0, logprob -99999.
    ids = np.zeros((len(rows), k), dtype=np.int32)
    values = np.full((len(rows), k), -99999.0, dtype=np.float32)
    for i, row in enumerate(rows):
        for j, (token, logprob) in enumerate(row):
            ids[i, j] = token
            values[i, j] = logprob
    message.token_ids = ids.tobytes()
    message.logprobs = values.tobytes()
    message.k = k
    message.length = len(rows)


def encode_sample_response(
    sequences: Sequence[SampledOutput],
    *,
    prompt_logprobs: Sequence[float | None] | None = None,
    topk_prompt_logprobs: Sequence[Sequence[tuple[int, float]]] | None = None,
    prompt_cache_hit_tokens: int = 0,
) -> bytes:
    """The SampleResponse bytes of an asample: its sequences, and the prompt's logprobs
    (None or NaN at position 0, which has no context) and top-k when asked for."""
    message = pb.SampleResponse(prompt_cache_hit_tokens=prompt_cache_hit_tokens)
    for sequence in sequences:
        out = message.sequences.add(
            stop_reason=_STOP_REASONS[sequence.stop_reason],
            tokens=np.asarray(list(sequence.tokens), dtype=np.int32).tobytes(),
        )
        if sequence.logprobs is not None:
            out.logprobs = np.asarray(list(sequence.logprobs), dtype=np.float32).tobytes()
        if sequence.topk_logprobs is not None:
            _topk(sequence.topk_logprobs, out.topk_sampled_logprobs)
    if prompt_logprobs is not None:
        values = [math.nan if value is None else value for value in prompt_logprobs]
        message.prompt_logprobs = np.asarray(values, dtype=np.float32).tobytes()
    if topk_prompt_logprobs is not None:
        _topk(topk_prompt_logprobs, message.topk_prompt_logprobs)
    serialized: bytes = message.SerializeToString()
    return serialized
