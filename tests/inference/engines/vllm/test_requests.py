"""What Whetstone asks of vLLM: the server's command line and each completion's body."""

from __future__ import annotations

import json
from pathlib import Path

import llguidance
import pytest

from service.catalog import Catalog
from service.core.config import Settings
from service.core.errors import InvalidRequestError
from service.inference.engines.vllm.client import completion_body, grammar_as_lark
from service.inference.engines.vllm.launch import (
    served_dtype,
    vllm_arguments,
    vllm_command,
    vllm_environment,
)
from service.inference.grammar import Grammar, json_schema_grammar
from service.inference.types import SamplingParams


def entry(tmp_path: Path, extra: str = "") -> object:
    models_file = tmp_path / "models.yaml"
    models_file.write_text(
        f"models:\n  tiny:\n    emulator: true\n    engine: vllm\n    max_lora_rank: 8\n{extra}"
    )
    return Catalog.load(data_dir=tmp_path, models_file=models_file).resolve("tiny")


def test_the_server_gets_the_entrys_keys_under_vllms_flags(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"dtype": "float32"}))
    served = entry(tmp_path, "    vllm_args: {enforce_eager: true, enable_prefix_caching: false}\n")
    arguments = vllm_arguments(served, model, port=8123)  # type: ignore[arg-type]
    joined = " ".join(arguments)
    assert f"--model {model} --served-model-name base --host 127.0.0.1 --port 8123" in joined
    assert "--enable-lora --max-loras 8 --max-lora-rank 8 --max-model-len 1024" in joined
    # A float32 model stays float32 (vLLM's "auto" would halve it).
    assert "--dtype float32" in joined
    assert "--structured-outputs-config.backend guidance" in joined
    assert "--enforce-eager" in arguments and "--no-enable-prefix-caching" in arguments


def test_a_half_precision_model_is_left_to_vllms_auto(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"torch_dtype": "bfloat16"}))
    assert served_dtype(tmp_path) == "auto"


def test_the_command_and_environment_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        vllm_command="/opt/vllm/bin/vllm serve-ish --x",
        vllm_cpu_kvcache_gib=3,
        host="0.0.0.0",
        port=8123,
        internal_token="a-token-of-sixteen-chars",
    )
    assert vllm_command(settings) == ["/opt/vllm/bin/vllm", "serve-ish", "--x"]
    default = vllm_command(Settings(data_dir=tmp_path))
    assert default[0].endswith(".venv-vllm/bin/python") and default[-1].endswith("api_server")
    env = vllm_environment(settings)
    assert env["VLLM_CPU_KVCACHE_SPACE"] == "3"
    assert env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "True"
    assert "PYTHONPATH" not in env
    # The resolver plugin, where installed, reaches this server with its token.
    assert env["WHETSTONE_URL"] == "http://127.0.0.1:8123"
    assert env["WHETSTONE_INTERNAL_TOKEN"] == "a-token-of-sixteen-chars"


def test_every_sampling_parameter_reaches_vllm() -> None:
    grammar = json_schema_grammar({"type": "object", "properties": {"a": {"type": "integer"}}})
    params = SamplingParams(
        max_tokens=50,
        temperature=0.7,
        top_p=0.9,
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        seed=3,
        logit_bias={12: -100.0, 7: 5.0},
        top_logprobs=2,
        stop=("\n\n", "END"),
        grammar=grammar,
    )
    body = completion_body((1, 2, 3), params, model="jobs/x/adapter", n=2, context_length=20)
    assert body == {
        "model": "jobs/x/adapter",
        "prompt": [1, 2, 3],
        "n": 2,
        "stream": True,
        # No more than the context leaves, as the builtin engine stops at the context's end.
        "max_tokens": 17,
        "temperature": 0.7,
        "top_p": 0.9,
        "presence_penalty": 0.5,
        "frequency_penalty": -0.5,
        "seed": 3,
        "logit_bias": {"12": -100.0, "7": 5.0},
        "logprobs": 2,
        "stop": ["\n\n", "END"],
        "return_token_ids": True,
        "return_tokens_as_token_ids": True,
        "structured_outputs": {"grammar": grammar_as_lark(grammar)},
    }


def test_tinkers_sampling_controls_reach_vllm() -> None:
    params = SamplingParams(max_tokens=4, top_k=20, stop_token_ids=(7, 9), ignore_eos=True)
    body = completion_body((1, 2, 3), params, model="m", n=1, context_length=20)
    assert (body["top_k"], body["stop_token_ids"], body["ignore_eos"]) == (20, [7, 9], True)
    defaults = completion_body((1,), SamplingParams(max_tokens=4), model="m", n=1, context_length=9)
    assert not {"top_k", "stop_token_ids", "ignore_eos"} & set(defaults)


def test_a_json_schema_grammar_reaches_vllm_as_lark_llguidance_compiles() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    lark = grammar_as_lark(json_schema_grammar(schema))
    assert lark.startswith("start: %json {")
    embedded = json.loads(lark.removeprefix("start: %json "))
    # The schema with Whetstone's llguidance options (compact JSON) kept.
    assert embedded["properties"] == schema["properties"]
    assert embedded["x-guidance"] == {"whitespace_flexible": False}
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(
        llguidance.LLMatcher.grammar_from_lark(lark)
    )
    assert not is_error, messages
    assert grammar_as_lark(Grammar(source='start: "yes" | "no"')) == 'start: "yes" | "no"'


def test_a_grammar_of_several_parts_is_a_400() -> None:
    two = Grammar(source=json.dumps({"grammars": [{"lark_grammar": "a"}, {"lark_grammar": "b"}]}))
    with pytest.raises(InvalidRequestError):
        grammar_as_lark(two)
