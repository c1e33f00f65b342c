"""Vertex AI requests as each SDK sends them, and their translation to our jobs and chats."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from service.core.errors import InvalidRequestError
from service.vertex.operations import chat_request, parse_filter, requested_method
from service.vertex.schemas import CreateTuningJobRequest, GenerateContentRequest

# What google-genai 2.34 posts for tunings.tune (captured), camelCase with enums by name.
GENAI_BODY = {
    "baseModel": "gemini-2.5-flash",
    "supervisedTuningSpec": {
        "trainingDatasetUri": "gs://b/train.jsonl",
        "validationDatasetUri": "gs://b/val.jsonl",
        "hyperParameters": {
            "epochCount": 2,
            "learningRateMultiplier": 1.5,
            "adapterSize": "ADAPTER_SIZE_FOUR",
        },
    },
    "tunedModelDisplayName": "x",
}
# What google-cloud-aiplatform 2.7's REST transport posts for sft.train (captured): int64 as
# a string, the enum as its number.
AIPLATFORM_BODY = {
    "tunedModelDisplayName": "SupervisedTuningJob 2026-12-06",
    "baseModel": "gemini-2.5-flash",
    "supervisedTuningSpec": {
        "trainingDatasetUri": "gs://b/train.jsonl",
        "hyperParameters": {"epochCount": "2", "learningRateMultiplier": 1.5, "adapterSize": 2},
    },
}
SNAKE_BODY = {
    "base_model": "gemini-2.5-flash",
    "supervised_tuning_spec": {
        "training_dataset_uri": "gs://b/train.jsonl",
        "hyper_parameters": {
            "epoch_count": "2",
            "learning_rate_multiplier": 1.5,
            "adapter_size": "ADAPTER_SIZE_FOUR",
        },
    },
}
EXPECTED = {"n_epochs": 2, "learning_rate_multiplier": 1.5, "lora_rank": 4}


@pytest.mark.parametrize("body", [GENAI_BODY, AIPLATFORM_BODY, SNAKE_BODY])
def test_every_sdks_body_means_the_same_supervised_job(body: dict[str, Any]) -> None:
    assert requested_method(CreateTuningJobRequest.model_validate(body)) == (
        "supervised",
        EXPECTED,
    )


def test_preference_optimization_is_dpo_with_its_beta() -> None:
    body = {
        "baseModel": "gemini-2.5-flash",
        "preferenceOptimizationSpec": {
            "trainingDatasetUri": "gs://b/pref.jsonl",
            "hyperParameters": {"epochCount": 1, "beta": 0.2, "adapterSize": "ADAPTER_SIZE_EIGHT"},
        },
    }
    method = requested_method(CreateTuningJobRequest.model_validate(body))
    assert method == ("dpo", {"n_epochs": 1, "beta": 0.2, "lora_rank": 8})


def test_unset_hyperparameters_stay_auto() -> None:
    body = {
        "baseModel": "gemini-2.5-flash",
        "supervisedTuningSpec": {"trainingDatasetUri": "gs://b/t"},
    }
    assert requested_method(CreateTuningJobRequest.model_validate(body)) == ("supervised", {})


@pytest.mark.parametrize(
    ("change", "param"),
    [
        (lambda b: b.update(distillationSpec={}), "distillationSpec"),
        (
            lambda b: b.update(preferenceOptimizationSpec={"trainingDatasetUri": "gs://b/t"}),
            "supervisedTuningSpec",
        ),
        (
            lambda b: b["supervisedTuningSpec"]["hyperParameters"].update(learningRate=0.1),
            "learningRate",
        ),
        (
            lambda b: b["supervisedTuningSpec"]["hyperParameters"].update(adapterSize="HUGE"),
            "adapterSize",
        ),
        (
            lambda b: b["supervisedTuningSpec"].update(tuningMode="FULL"),
            "supervisedTuningSpec.tuningMode",
        ),
    ],
)
def test_what_has_no_match_is_a_400_naming_the_field(change: Any, param: str) -> None:
    body = copy.deepcopy(GENAI_BODY)
    change(body)
    with pytest.raises(InvalidRequestError) as refused:
        requested_method(CreateTuningJobRequest.model_validate(body))
    assert refused.value.param is not None and refused.value.param.endswith(param)


def test_generate_content_becomes_the_chat_it_means() -> None:
    # google-genai's body for generate_content(contents=..., config=GenerateContentConfig(...)).
    body = GenerateContentRequest.model_validate(
        {
            "contents": [
                {"parts": [{"text": "hello"}], "role": "user"},
                {"parts": [{"text": "hi "}, {"text": "there"}], "role": "model"},
                {"parts": [{"text": "again"}]},
            ],
            "systemInstruction": {"parts": [{"text": "sys"}], "role": "user"},
            "generationConfig": {
                "temperature": 0.0,
                "maxOutputTokens": 10,
                "topP": 0.5,
                "candidateCount": 2,
                "stopSequences": ["."],
                "seed": 7,
            },
            "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        }
    )
    chat = chat_request("ft:model", body, stream=True)
    assert [(m.role, m.content) for m in chat.messages] == [
        ("system", "sys"),
        ("user", "hello"),
        ("assistant", "hi there"),
        ("user", "again"),
    ]
    assert (chat.temperature, chat.max_tokens, chat.top_p, chat.n, chat.stop, chat.seed) == (
        0.0,
        10,
        0.5,
        2,
        ["."],
        7,
    )
    assert chat.stream and chat.stream_options is not None and chat.stream_options.include_usage


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"contents": [{"parts": [{"inlineData": {"data": "x"}}]}]}, "contents[0].parts[0]"),
        ({"contents": [{"role": "tool", "parts": [{"text": "x"}]}]}, "contents[0].role"),
        (
            {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"topK": 3}},
            "generationConfig.topK",
        ),
        ({"contents": [{"parts": [{"text": "x"}]}], "tools": [{}]}, "tools"),
        (
            {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"temperature": 9}},
            "temperature",
        ),
        (
            {
                "contents": [{"parts": [{"text": "x"}]}],
                "generationConfig": {"responseMimeType": "application/json"},
            },
            "generationConfig.responseMimeType",
        ),
    ],
)
def test_what_cannot_be_served_is_a_400_naming_it(body: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        chat_request("m", GenerateContentRequest.model_validate(body), stream=False)
    assert refused.value.param == param


def test_list_filters_on_labels_only() -> None:
    assert parse_filter('labels.team="ml" AND labels.run=3') == {"team": "ml", "run": "3"}
    assert parse_filter(None) == {} and parse_filter(" ") == {}
    with pytest.raises(InvalidRequestError):
        parse_filter('state="JOB_STATE_SUCCEEDED"')
