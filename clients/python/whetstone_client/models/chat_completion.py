from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_completion_choice import ChatCompletionChoice
    from ..models.chat_completion_metadata_type_0 import ChatCompletionMetadataType0
    from ..models.completion_usage import CompletionUsage


T = TypeVar("T", bound="ChatCompletion")


@_attrs_define
class ChatCompletion:
    """A chat completion.

    Attributes:
        id (str): Identifier of the completion (`chatcmpl-...`).
        created (int): Unix seconds when the completion was created.
        model (str): The model as requested.
        system_fingerprint (str): Identifies the serving configuration.
        choices (list[ChatCompletionChoice]): The generated replies.
        usage (CompletionUsage): Token counts of a request.
        object_ (Literal['chat.completion'] | Unset): Always `chat.completion`. Default: 'chat.completion'.
        service_tier (str | Unset): Always `default`. Default: 'default'.
        metadata (ChatCompletionMetadataType0 | None | Unset): The request's metadata.
    """

    id: str
    created: int
    model: str
    system_fingerprint: str
    choices: list[ChatCompletionChoice]
    usage: CompletionUsage
    object_: Literal["chat.completion"] | Unset = "chat.completion"
    service_tier: str | Unset = "default"
    metadata: ChatCompletionMetadataType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_completion_metadata_type_0 import ChatCompletionMetadataType0  # noqa: PLC0415

        id = self.id

        created = self.created

        model = self.model

        system_fingerprint = self.system_fingerprint

        choices = []
        for choices_item_data in self.choices:
            choices_item = choices_item_data.to_dict()
            choices.append(choices_item)

        usage = self.usage.to_dict()

        object_ = self.object_

        service_tier = self.service_tier

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, ChatCompletionMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created": created,
                "model": model,
                "system_fingerprint": system_fingerprint,
                "choices": choices,
                "usage": usage,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if service_tier is not UNSET:
            field_dict["service_tier"] = service_tier
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_choice import ChatCompletionChoice  # noqa: PLC0415
        from ..models.chat_completion_metadata_type_0 import ChatCompletionMetadataType0  # noqa: PLC0415
        from ..models.completion_usage import CompletionUsage  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        created = d.pop("created")

        model = d.pop("model")

        system_fingerprint = d.pop("system_fingerprint")

        choices = []
        _choices = d.pop("choices")
        for choices_item_data in _choices:
            choices_item = ChatCompletionChoice.from_dict(choices_item_data)

            choices.append(choices_item)

        usage = CompletionUsage.from_dict(d.pop("usage"))

        object_ = cast(Literal["chat.completion"] | Unset, d.pop("object", UNSET))
        if object_ != "chat.completion" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'chat.completion', got '{object_}'")

        service_tier = d.pop("service_tier", UNSET)

        def _parse_metadata(data: object) -> ChatCompletionMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = ChatCompletionMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatCompletionMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        chat_completion = cls(
            id=id,
            created=created,
            model=model,
            system_fingerprint=system_fingerprint,
            choices=choices,
            usage=usage,
            object_=object_,
            service_tier=service_tier,
            metadata=metadata,
        )

        chat_completion.additional_properties = d
        return chat_completion

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
