"""The protobuf wire against the SDK's own converters: what the SDK encodes we decode, what we
encode the SDK decodes (tinker.proto.request_conv / response_conv)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tinker import types
from tinker.proto.request_conv import forward_backward_request_to_proto
from tinker.proto.response_conv import (
    deserialize_forward_backward_output,
    deserialize_sample_response,
)

from service.core.errors import InvalidRequestError
from service.tinker.protobuf import (
    SampledOutput,
    decode_forward_backward,
    encode_forward_backward_output,
    encode_sample_response,
    peek_forward_backward,
)
from service.training.sessions import ForwardBackwardResult


def _request(
    data: list[types.Datum],
    loss_fn: str = "cross_entropy",
    config: dict[str, float | str] | None = None,
) -> bytes:
    request = types.ForwardBackwardRequest(
        forward_backward_input=types.ForwardBackwardInput(
            data=data,
            loss_fn=loss_fn,  # type: ignore[arg-type]
            loss_fn_config=config,
        ),
        model_id="sess:train:0",
        seq_id=7,
    )
    message = forward_backward_request_to_proto(request)
    message.forward_only = True
    payload: bytes = message.SerializeToString()
    return payload


def test_a_request_the_sdk_encodes_decodes_to_training_data() -> None:
    datum = types.Datum(
        model_input=types.ModelInput(
            chunks=[
                types.EncodedTextChunk(tokens=[1, 2, 3]),
                types.EncodedTextChunk(tokens=[70_000]),
            ]
        ),
        loss_fn_inputs={
            "target_tokens": types.TensorData.from_numpy(np.array([2, 3, 4, 5])),
            "logprobs": types.TensorData.from_numpy(
                np.array([-0.5, -1.0, -1.5, -2.0], dtype=np.float32)
            ),
            "advantages": types.TensorData(
                data=[1.0, 2.0],
                dtype="float32",
                shape=[2, 2],
                sparse_crow_indices=[0, 1, 2],
                sparse_col_indices=[0, 1],
            ),
        },
    )
    call = decode_forward_backward(_request([datum], "ppo", {"clip_low_threshold": 0.7}))

    assert (call.model_id, call.seq_id, call.loss_fn) == ("sess:train:0", 7, "ppo")
    assert call.forward_only is True
    assert call.loss_fn_config is not None
    assert call.loss_fn_config["clip_low_threshold"] == pytest.approx(0.7)
    [decoded] = call.data
    assert decoded.tokens == [1, 2, 3, 70_000]
    inputs = decoded.loss_fn_inputs
    assert inputs["target_tokens"].dtype == np.int64
    assert inputs["target_tokens"].tolist() == [2, 3, 4, 5]
    assert inputs["logprobs"].dtype == np.float32
    assert inputs["logprobs"].tolist() == [-0.5, -1.0, -1.5, -2.0]
    # A sparse CSR tensor arrives dense, in its declared shape.
    assert inputs["advantages"].tolist() == [[1.0, 0.0], [0.0, 2.0]]
    header = peek_forward_backward(_request([datum]))
    assert (header.model_id, header.seq_id) == ("sess:train:0", 7)


def test_image_chunks_and_garbage_are_refused_by_name() -> None:
    image = types.Datum(
        model_input=types.ModelInput(
            chunks=[types.ImageChunk(data=b"\x89PNG", format="png", expected_tokens=4)]
        ),
        loss_fn_inputs={"target_tokens": types.TensorData.from_numpy(np.array([1]))},
    )
    with pytest.raises(InvalidRequestError, match="image"):
        decode_forward_backward(_request([image]))
    with pytest.raises(InvalidRequestError, match="ForwardBackwardRequest"):
        decode_forward_backward(b"\xff\xff\xff not protobuf")


def test_the_sdk_decodes_our_forward_backward_output() -> None:
    result = ForwardBackwardResult(
        loss_fn_output_type="ArrayRecord",
        outputs=[
            {"logprobs": np.array([-1.0, -2.0, -3.0], dtype=np.float32)},
            {"logprobs": np.array([-0.25], dtype=np.float32)},
        ],
        metrics={"loss:sum": 6.25, "tokens:sum": 4.0},
    )
    output = deserialize_forward_backward_output(encode_forward_backward_output(result))

    assert output.loss_fn_output_type == "ArrayRecord"
    assert output.metrics == {"loss:sum": 6.25, "tokens:sum": 4.0}
    assert [out["logprobs"].tolist() for out in output.loss_fn_outputs] == [
        [-1.0, -2.0, -3.0],
        [-0.25],
    ]
    assert output.loss_fn_outputs[0]["logprobs"].dtype == "float32"


def test_ragged_trailing_shapes_survive_the_round_trip() -> None:
    result = ForwardBackwardResult(
        loss_fn_output_type="ArrayRecord",
        outputs=[
            {"topk": np.arange(6, dtype=np.int64).reshape(3, 2)},
            {"topk": np.arange(3, dtype=np.int64).reshape(1, 3)},
        ],
        metrics={"loss:sum": 0.0},
    )
    output = deserialize_forward_backward_output(encode_forward_backward_output(result))
    assert [out["topk"].shape for out in output.loss_fn_outputs] == [[3, 2], [1, 3]]
    assert output.loss_fn_outputs[1]["topk"].tolist() == [[0, 1, 2]]


def test_the_sdk_decodes_our_sample_response() -> None:
    payload = encode_sample_response(
        [
            SampledOutput(tokens=[5, 6, 7], logprobs=[-0.1, -0.2, -0.3], stop_reason="stop"),
            SampledOutput(
                tokens=[8],
                logprobs=None,
                stop_reason="length",
                topk_logprobs=[[(8, -0.5), (9, -1.5)]],
            ),
        ],
        prompt_logprobs=[None, -2.0, -3.0],
        topk_prompt_logprobs=[[], [(1, -0.5)], [(2, -0.25), (3, -2.0)]],
    )
    response = deserialize_sample_response(payload)

    first, second = response.sequences
    assert (first.tokens, first.stop_reason) == ([5, 6, 7], "stop")
    assert first.logprobs == pytest.approx([-0.1, -0.2, -0.3])
    assert (second.tokens, second.stop_reason, second.logprobs) == ([8], "length", None)
    assert second.topk_logprobs is not None
    assert response.prompt_logprobs is not None
    # NaN on the wire at position 0 (no context): the SDK shows it as None.
    assert response.prompt_logprobs[0] is None or math.isnan(response.prompt_logprobs[0])
    assert response.prompt_logprobs[1:] == pytest.approx([-2.0, -3.0])
    assert response.topk_prompt_logprobs is not None
