from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fine_tune_method_type import FineTuneMethodType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fine_tune_dpo_method import FineTuneDPOMethod
    from ..models.fine_tune_reinforcement_method import FineTuneReinforcementMethod
    from ..models.fine_tune_supervised_method import FineTuneSupervisedMethod


T = TypeVar("T", bound="FineTuneMethod")


@_attrs_define
class FineTuneMethod:
    """The method used for fine-tuning: `supervised`, `dpo` or `reinforcement`.

    Attributes:
        type_ (FineTuneMethodType): The method: `supervised`, `dpo` or `reinforcement`.
        supervised (FineTuneSupervisedMethod | None | Unset): Configuration of the supervised method.
        dpo (FineTuneDPOMethod | None | Unset): Configuration of the DPO method.
        reinforcement (FineTuneReinforcementMethod | None | Unset): Configuration of the reinforcement method.
    """

    type_: FineTuneMethodType
    supervised: FineTuneSupervisedMethod | None | Unset = UNSET
    dpo: FineTuneDPOMethod | None | Unset = UNSET
    reinforcement: FineTuneReinforcementMethod | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fine_tune_dpo_method import FineTuneDPOMethod  # noqa: PLC0415
        from ..models.fine_tune_reinforcement_method import FineTuneReinforcementMethod  # noqa: PLC0415
        from ..models.fine_tune_supervised_method import FineTuneSupervisedMethod  # noqa: PLC0415

        type_ = self.type_.value

        supervised: dict[str, Any] | None | Unset
        if isinstance(self.supervised, Unset):
            supervised = UNSET
        elif isinstance(self.supervised, FineTuneSupervisedMethod):
            supervised = self.supervised.to_dict()
        else:
            supervised = self.supervised

        dpo: dict[str, Any] | None | Unset
        if isinstance(self.dpo, Unset):
            dpo = UNSET
        elif isinstance(self.dpo, FineTuneDPOMethod):
            dpo = self.dpo.to_dict()
        else:
            dpo = self.dpo

        reinforcement: dict[str, Any] | None | Unset
        if isinstance(self.reinforcement, Unset):
            reinforcement = UNSET
        elif isinstance(self.reinforcement, FineTuneReinforcementMethod):
            reinforcement = self.reinforcement.to_dict()
        else:
            reinforcement = self.reinforcement

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if supervised is not UNSET:
            field_dict["supervised"] = supervised
        if dpo is not UNSET:
            field_dict["dpo"] = dpo
        if reinforcement is not UNSET:
            field_dict["reinforcement"] = reinforcement

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fine_tune_dpo_method import FineTuneDPOMethod  # noqa: PLC0415
        from ..models.fine_tune_reinforcement_method import FineTuneReinforcementMethod  # noqa: PLC0415
        from ..models.fine_tune_supervised_method import FineTuneSupervisedMethod  # noqa: PLC0415

        d = dict(src_dict)
        type_ = FineTuneMethodType(d.pop("type"))

        def _parse_supervised(data: object) -> FineTuneSupervisedMethod | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                supervised_type_0 = FineTuneSupervisedMethod.from_dict(data)

                return supervised_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneSupervisedMethod | None | Unset, data)

        supervised = _parse_supervised(d.pop("supervised", UNSET))

        def _parse_dpo(data: object) -> FineTuneDPOMethod | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                dpo_type_0 = FineTuneDPOMethod.from_dict(data)

                return dpo_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneDPOMethod | None | Unset, data)

        dpo = _parse_dpo(d.pop("dpo", UNSET))

        def _parse_reinforcement(data: object) -> FineTuneReinforcementMethod | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reinforcement_type_0 = FineTuneReinforcementMethod.from_dict(data)

                return reinforcement_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementMethod | None | Unset, data)

        reinforcement = _parse_reinforcement(d.pop("reinforcement", UNSET))

        fine_tune_method = cls(
            type_=type_,
            supervised=supervised,
            dpo=dpo,
            reinforcement=reinforcement,
        )

        fine_tune_method.additional_properties = d
        return fine_tune_method

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
