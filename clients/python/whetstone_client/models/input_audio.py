from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.input_audio_data import InputAudioData


T = TypeVar("T", bound="InputAudio")


@_attrs_define
class InputAudio:
    """An audio input (refused: the served models read text only).

    Attributes:
        type_ (Literal['input_audio']): Always `input_audio`.
        input_audio (InputAudioData): Base64-encoded audio and its format.
    """

    type_: Literal["input_audio"]
    input_audio: InputAudioData

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        input_audio = self.input_audio.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "input_audio": input_audio,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.input_audio_data import InputAudioData  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["input_audio"], d.pop("type"))
        if type_ != "input_audio":
            raise ValueError(f"type must match const 'input_audio', got '{type_}'")

        input_audio = InputAudioData.from_dict(d.pop("input_audio"))

        input_audio = cls(
            type_=type_,
            input_audio=input_audio,
        )

        return input_audio
