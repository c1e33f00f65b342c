from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fine_tuning_job_event_level import FineTuningJobEventLevel
from ..models.fine_tuning_job_event_type import FineTuningJobEventType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fine_tuning_job_event_data import FineTuningJobEventData


T = TypeVar("T", bound="FineTuningJobEvent")


@_attrs_define
class FineTuningJobEvent:
    """One event of a job (OpenAI's `FineTuningJobEvent`).

    Attributes:
        id (str): The event identifier, `ftevent-...`.
        created_at (int): Unix seconds when the event happened.
        level (FineTuningJobEventLevel): The severity of the event.
        message (str): What happened, in OpenAI's wording.
        object_ (Literal['fine_tuning.job.event'] | Unset): Always `fine_tuning.job.event`. Default:
            'fine_tuning.job.event'.
        type_ (FineTuningJobEventType | Unset): `metrics` for a training step's metrics, else `message`. Default:
            FineTuningJobEventType.MESSAGE.
        data (FineTuningJobEventData | Unset): The step's metrics for `metrics` events, else `{}`.
    """

    id: str
    created_at: int
    level: FineTuningJobEventLevel
    message: str
    object_: Literal["fine_tuning.job.event"] | Unset = "fine_tuning.job.event"
    type_: FineTuningJobEventType | Unset = FineTuningJobEventType.MESSAGE
    data: FineTuningJobEventData | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created_at = self.created_at

        level = self.level.value

        message = self.message

        object_ = self.object_

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "level": level,
                "message": message,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if type_ is not UNSET:
            field_dict["type"] = type_
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fine_tuning_job_event_data import FineTuningJobEventData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        created_at = d.pop("created_at")

        level = FineTuningJobEventLevel(d.pop("level"))

        message = d.pop("message")

        object_ = cast(Literal["fine_tuning.job.event"] | Unset, d.pop("object", UNSET))
        if object_ != "fine_tuning.job.event" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'fine_tuning.job.event', got '{object_}'")

        _type_ = d.pop("type", UNSET)
        type_: FineTuningJobEventType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = FineTuningJobEventType(_type_)

        _data = d.pop("data", UNSET)
        data: FineTuningJobEventData | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = FineTuningJobEventData.from_dict(_data)

        fine_tuning_job_event = cls(
            id=id,
            created_at=created_at,
            level=level,
            message=message,
            object_=object_,
            type_=type_,
            data=data,
        )

        fine_tuning_job_event.additional_properties = d
        return fine_tuning_job_event

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
