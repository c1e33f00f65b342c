from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.completion_logprobs_top_logprobs_type_0_item import CompletionLogprobsTopLogprobsType0Item


T = TypeVar("T", bound="CompletionLogprobs")


@_attrs_define
class CompletionLogprobs:
    """Logprobs of a completion choice, in the legacy layout.

    Attributes:
        text_offset (list[int]): Character offset of each token in the text.
        token_logprobs (list[float | None]): Logprob of each chosen token.
        tokens (list[str]): Each chosen token's text.
        top_logprobs (list[CompletionLogprobsTopLogprobsType0Item] | None): Per token, the most likely tokens and their
            logprobs.
    """

    text_offset: list[int]
    token_logprobs: list[float | None]
    tokens: list[str]
    top_logprobs: list[CompletionLogprobsTopLogprobsType0Item] | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text_offset = self.text_offset

        token_logprobs = []
        for token_logprobs_item_data in self.token_logprobs:
            token_logprobs_item: float | None
            token_logprobs_item = token_logprobs_item_data
            token_logprobs.append(token_logprobs_item)

        tokens = self.tokens

        top_logprobs: list[dict[str, Any]] | None
        if isinstance(self.top_logprobs, list):
            top_logprobs = []
            for top_logprobs_type_0_item_data in self.top_logprobs:
                top_logprobs_type_0_item = top_logprobs_type_0_item_data.to_dict()
                top_logprobs.append(top_logprobs_type_0_item)

        else:
            top_logprobs = self.top_logprobs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "text_offset": text_offset,
                "token_logprobs": token_logprobs,
                "tokens": tokens,
                "top_logprobs": top_logprobs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.completion_logprobs_top_logprobs_type_0_item import CompletionLogprobsTopLogprobsType0Item  # noqa: PLC0415

        d = dict(src_dict)
        text_offset = cast(list[int], d.pop("text_offset"))

        token_logprobs = []
        _token_logprobs = d.pop("token_logprobs")
        for token_logprobs_item_data in _token_logprobs:

            def _parse_token_logprobs_item(data: object) -> float | None:
                if data is None:
                    return data
                return cast(float | None, data)

            token_logprobs_item = _parse_token_logprobs_item(token_logprobs_item_data)

            token_logprobs.append(token_logprobs_item)

        tokens = cast(list[str], d.pop("tokens"))

        def _parse_top_logprobs(data: object) -> list[CompletionLogprobsTopLogprobsType0Item] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                top_logprobs_type_0 = []
                _top_logprobs_type_0 = data
                for top_logprobs_type_0_item_data in _top_logprobs_type_0:
                    top_logprobs_type_0_item = CompletionLogprobsTopLogprobsType0Item.from_dict(
                        top_logprobs_type_0_item_data
                    )

                    top_logprobs_type_0.append(top_logprobs_type_0_item)

                return top_logprobs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CompletionLogprobsTopLogprobsType0Item] | None, data)

        top_logprobs = _parse_top_logprobs(d.pop("top_logprobs"))

        completion_logprobs = cls(
            text_offset=text_offset,
            token_logprobs=token_logprobs,
            tokens=tokens,
            top_logprobs=top_logprobs,
        )

        completion_logprobs.additional_properties = d
        return completion_logprobs

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
