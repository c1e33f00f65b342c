from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_completion_chunk_choice import ChatCompletionChunkChoice
    from ..models.completion_usage import CompletionUsage


T = TypeVar("T", bound="ChatCompletionChunk")


@_attrs_define
class ChatCompletionChunk:
    """One server-sent event of a streamed chat completion.

    Attributes:
        id (str): Identifier of the completion, shared by its chunks.
        created (int): Unix seconds when the completion was created.
        model (str): The model as requested.
        system_fingerprint (str): Identifies the serving configuration.
        choices (list[ChatCompletionChunkChoice]): The choices this chunk adds to; empty on the usage chunk.
        object_ (Literal['chat.completion.chunk'] | Unset): Always `chat.completion.chunk`. Default:
            'chat.completion.chunk'.
        service_tier (str | Unset): Always `default`. Default: 'default'.
        usage (CompletionUsage | None | Unset): Token counts: null, except on the last chunk with include_usage.
    """

    id: str
    created: int
    model: str
    system_fingerprint: str
    choices: list[ChatCompletionChunkChoice]
    object_: Literal["chat.completion.chunk"] | Unset = "chat.completion.chunk"
    service_tier: str | Unset = "default"
    usage: CompletionUsage | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.completion_usage import CompletionUsage  # noqa: PLC0415

        id = self.id

        created = self.created

        model = self.model

        system_fingerprint = self.system_fingerprint

        choices = []
        for choices_item_data in self.choices:
            choices_item = choices_item_data.to_dict()
            choices.append(choices_item)

        object_ = self.object_

        service_tier = self.service_tier

        usage: dict[str, Any] | None | Unset
        if isinstance(self.usage, Unset):
            usage = UNSET
        elif isinstance(self.usage, CompletionUsage):
            usage = self.usage.to_dict()
        else:
            usage = self.usage

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created": created,
                "model": model,
                "system_fingerprint": system_fingerprint,
                "choices": choices,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if service_tier is not UNSET:
            field_dict["service_tier"] = service_tier
        if usage is not UNSET:
            field_dict["usage"] = usage

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_chunk_choice import ChatCompletionChunkChoice  # noqa: PLC0415
        from ..models.completion_usage import CompletionUsage  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        created = d.pop("created")

        model = d.pop("model")

        system_fingerprint = d.pop("system_fingerprint")

        choices = []
        _choices = d.pop("choices")
        for choices_item_data in _choices:
            choices_item = ChatCompletionChunkChoice.from_dict(choices_item_data)

            choices.append(choices_item)

        object_ = cast(Literal["chat.completion.chunk"] | Unset, d.pop("object", UNSET))
        if object_ != "chat.completion.chunk" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'chat.completion.chunk', got '{object_}'")

        service_tier = d.pop("service_tier", UNSET)

        def _parse_usage(data: object) -> CompletionUsage | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                usage_type_0 = CompletionUsage.from_dict(data)

                return usage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompletionUsage | None | Unset, data)

        usage = _parse_usage(d.pop("usage", UNSET))

        chat_completion_chunk = cls(
            id=id,
            created=created,
            model=model,
            system_fingerprint=system_fingerprint,
            choices=choices,
            object_=object_,
            service_tier=service_tier,
            usage=usage,
        )

        chat_completion_chunk.additional_properties = d
        return chat_completion_chunk

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
