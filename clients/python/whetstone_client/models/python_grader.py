from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PythonGrader")


@_attrs_define
class PythonGrader:
    """A PythonGrader object that runs a python script on the input.

    Attributes:
        type_ (Literal['python']): The object type, always `python`.
        name (str): The name of the grader.
        source (str): Source defining `grade(sample: dict, item: dict) -> float`.
        image_tag (None | str | Unset): Accepted and echoed; every grader runs on the server's own Python.
    """

    type_: Literal["python"]
    name: str
    source: str
    image_tag: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        name = self.name

        source = self.source

        image_tag: None | str | Unset
        if isinstance(self.image_tag, Unset):
            image_tag = UNSET
        else:
            image_tag = self.image_tag

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "name": name,
                "source": source,
            }
        )
        if image_tag is not UNSET:
            field_dict["image_tag"] = image_tag

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["python"], d.pop("type"))
        if type_ != "python":
            raise ValueError(f"type must match const 'python', got '{type_}'")

        name = d.pop("name")

        source = d.pop("source")

        def _parse_image_tag(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image_tag = _parse_image_tag(d.pop("image_tag", UNSET))

        python_grader = cls(
            type_=type_,
            name=name,
            source=source,
            image_tag=image_tag,
        )

        return python_grader
