"""The pre-flight memory check of full fine-tuning, on figures rather than allocations."""

from __future__ import annotations

import pytest

from service.training.memory import (
    BYTES_PER_PARAMETER,
    MIN_MARGIN_BYTES,
    InsufficientMemoryError,
    available_bytes,
    check_fits,
    parameter_count,
    required_bytes,
)
from tests.training.conftest import Emulator

GIB = 1024**3


def test_fp32_full_training_needs_sixteen_bytes_a_parameter_plus_a_margin() -> None:
    assert BYTES_PER_PARAMETER["float32"] == 16
    seven_billion = 7_000_000_000
    assert required_bytes(seven_billion) == round(seven_billion * 16 * 1.2)
    # A tiny model still gets the fixed margin (CUDA context, activations).
    assert required_bytes(1_000) == 16_000 + MIN_MARGIN_BYTES


def test_a_model_that_cannot_fit_is_refused_naming_both_figures() -> None:
    needed = required_bytes(7_000_000_000)
    with pytest.raises(InsufficientMemoryError) as caught:
        check_fits(7_000_000_000, available=80 * GIB, device="cuda:0")
    message = caught.value.message
    assert caught.value.code == "insufficient_memory"
    assert str(needed) in message and str(80 * GIB) in message
    assert "cuda:0" in message and "7,000,000,000 parameters" in message
    assert 'training_type "lora"' in message


def test_a_model_that_fits_is_accepted() -> None:
    check_fits(500_000_000, available=80 * GIB, device="cuda:0")
    check_fits(1_000, available=required_bytes(1_000), device="cpu")


def test_the_parameter_count_comes_from_the_config_without_loading(emulator: Emulator) -> None:
    from service.catalog.loading import load_model

    model = load_model(emulator.model_dir, device="cpu")
    assert parameter_count(emulator.model_dir) == sum(p.numel() for p in model.parameters())


def test_the_cpu_reports_the_memory_available_now() -> None:
    available = available_bytes("cpu")
    assert 0 < available < 1024 * GIB
