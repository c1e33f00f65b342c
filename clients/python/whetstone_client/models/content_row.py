from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.content_row_item import ContentRowItem
    from ..models.content_row_sample_type_0 import ContentRowSampleType0


T = TypeVar("T", bound="ContentRow")


@_attrs_define
class ContentRow:
    """One item, and optionally a ready-made sample.

    Attributes:
        item (ContentRowItem): The `item` namespace.
        sample (ContentRowSampleType0 | None | Unset): The `sample` namespace (`output_text`, ...), when already made.
    """

    item: ContentRowItem
    sample: ContentRowSampleType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.content_row_sample_type_0 import ContentRowSampleType0  # noqa: PLC0415

        item = self.item.to_dict()

        sample: dict[str, Any] | None | Unset
        if isinstance(self.sample, Unset):
            sample = UNSET
        elif isinstance(self.sample, ContentRowSampleType0):
            sample = self.sample.to_dict()
        else:
            sample = self.sample

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "item": item,
            }
        )
        if sample is not UNSET:
            field_dict["sample"] = sample

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.content_row_item import ContentRowItem  # noqa: PLC0415
        from ..models.content_row_sample_type_0 import ContentRowSampleType0  # noqa: PLC0415

        d = dict(src_dict)
        item = ContentRowItem.from_dict(d.pop("item"))

        def _parse_sample(data: object) -> ContentRowSampleType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sample_type_0 = ContentRowSampleType0.from_dict(data)

                return sample_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContentRowSampleType0 | None | Unset, data)

        sample = _parse_sample(d.pop("sample", UNSET))

        content_row = cls(
            item=item,
            sample=sample,
        )

        return content_row
