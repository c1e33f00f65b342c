from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="StreamOptions")


@_attrs_define
class StreamOptions:
    """Options of a streamed response.

    Attributes:
        include_usage (bool | None | Unset): Send a last chunk with `usage` and no choices before [DONE].
        include_obfuscation (bool | None | Unset): Accepted; Whetstone never pads chunks with obfuscation text.
    """

    include_usage: bool | None | Unset = UNSET
    include_obfuscation: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        include_usage: bool | None | Unset
        if isinstance(self.include_usage, Unset):
            include_usage = UNSET
        else:
            include_usage = self.include_usage

        include_obfuscation: bool | None | Unset
        if isinstance(self.include_obfuscation, Unset):
            include_obfuscation = UNSET
        else:
            include_obfuscation = self.include_obfuscation

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if include_usage is not UNSET:
            field_dict["include_usage"] = include_usage
        if include_obfuscation is not UNSET:
            field_dict["include_obfuscation"] = include_obfuscation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_include_usage(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        include_usage = _parse_include_usage(d.pop("include_usage", UNSET))

        def _parse_include_obfuscation(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        include_obfuscation = _parse_include_obfuscation(d.pop("include_obfuscation", UNSET))

        stream_options = cls(
            include_usage=include_usage,
            include_obfuscation=include_obfuscation,
        )

        return stream_options
