from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EvalPythonGrader")


@_attrs_define
class EvalPythonGrader:
    """A python criterion.

    Attributes:
        type_ (Literal['python']): The object type, always `python`.
        name (str): The name of the grader.
        source (str): Source defining `grade(sample: dict, item: dict) -> float`.
        image_tag (None | str | Unset): Accepted and echoed; every grader runs on the server's own Python.
        pass_threshold (float | None | Unset): The passing score (default 1).
    """

    type_: Literal["python"]
    name: str
    source: str
    image_tag: None | str | Unset = UNSET
    pass_threshold: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        name = self.name

        source = self.source

        image_tag: None | str | Unset
        if isinstance(self.image_tag, Unset):
            image_tag = UNSET
        else:
            image_tag = self.image_tag

        pass_threshold: float | None | Unset
        if isinstance(self.pass_threshold, Unset):
            pass_threshold = UNSET
        else:
            pass_threshold = self.pass_threshold

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
        if pass_threshold is not UNSET:
            field_dict["pass_threshold"] = pass_threshold

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

        def _parse_pass_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        pass_threshold = _parse_pass_threshold(d.pop("pass_threshold", UNSET))

        eval_python_grader = cls(
            type_=type_,
            name=name,
            source=source,
            image_tag=image_tag,
            pass_threshold=pass_threshold,
        )

        return eval_python_grader
