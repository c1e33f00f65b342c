"""The supported SDK range: tinker >=0.38.0,<0.39, read from the body and the header."""

from __future__ import annotations

import pytest

from service.tinker.errors import SUPPORTED_SDK_RANGE, UnsupportedSdkError, check_sdk_version


@pytest.mark.parametrize("version", ["0.38.0", "0.38.7", "0.38.1rc1"])
def test_the_pinned_minor_is_accepted(version: str) -> None:
    check_sdk_version(version)


@pytest.mark.parametrize("version", ["0.37.9", "0.24.1", "0.39.0", "1.0.0", "not-a-version"])
def test_other_versions_are_refused_naming_the_range(version: str) -> None:
    with pytest.raises(UnsupportedSdkError) as refused:
        check_sdk_version(version)
    assert SUPPORTED_SDK_RANGE in refused.value.message
    assert repr(version) in refused.value.message
    assert refused.value.status_code == 400
