from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.update_eval_request_metadata_type_0 import UpdateEvalRequestMetadataType0


T = TypeVar("T", bound="UpdateEvalRequest")


@_attrs_define
class UpdateEvalRequest:
    """The body of POST /v1/evals/{eval_id}.

    Attributes:
        name (None | str | Unset): Rename the eval.
        metadata (None | Unset | UpdateEvalRequestMetadataType0): Replace the key-value pairs.
    """

    name: None | str | Unset = UNSET
    metadata: None | Unset | UpdateEvalRequestMetadataType0 = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.update_eval_request_metadata_type_0 import UpdateEvalRequestMetadataType0  # noqa: PLC0415

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, UpdateEvalRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.update_eval_request_metadata_type_0 import UpdateEvalRequestMetadataType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_metadata(data: object) -> None | Unset | UpdateEvalRequestMetadataType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = UpdateEvalRequestMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UpdateEvalRequestMetadataType0, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        update_eval_request = cls(
            name=name,
            metadata=metadata,
        )

        return update_eval_request
