from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.input_audio_data_format import InputAudioDataFormat

T = TypeVar("T", bound="InputAudioData")


@_attrs_define
class InputAudioData:
    """Base64-encoded audio and its format.

    Attributes:
        data (str): Base64-encoded audio data.
        format_ (InputAudioDataFormat): `mp3` or `wav`.
    """

    data: str
    format_: InputAudioDataFormat

    def to_dict(self) -> dict[str, Any]:
        data = self.data

        format_ = self.format_.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data": data,
                "format": format_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        data = d.pop("data")

        format_ = InputAudioDataFormat(d.pop("format"))

        input_audio_data = cls(
            data=data,
            format_=format_,
        )

        return input_audio_data
