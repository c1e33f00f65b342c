from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fine_tune_dpo_hyperparameters import FineTuneDPOHyperparameters


T = TypeVar("T", bound="FineTuneDPOMethod")


@_attrs_define
class FineTuneDPOMethod:
    """Configuration of the DPO method.

    Attributes:
        hyperparameters (FineTuneDPOHyperparameters | None | Unset): The hyperparameters of the DPO job.
    """

    hyperparameters: FineTuneDPOHyperparameters | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fine_tune_dpo_hyperparameters import FineTuneDPOHyperparameters  # noqa: PLC0415

        hyperparameters: dict[str, Any] | None | Unset
        if isinstance(self.hyperparameters, Unset):
            hyperparameters = UNSET
        elif isinstance(self.hyperparameters, FineTuneDPOHyperparameters):
            hyperparameters = self.hyperparameters.to_dict()
        else:
            hyperparameters = self.hyperparameters

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if hyperparameters is not UNSET:
            field_dict["hyperparameters"] = hyperparameters

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fine_tune_dpo_hyperparameters import FineTuneDPOHyperparameters  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_hyperparameters(data: object) -> FineTuneDPOHyperparameters | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hyperparameters_type_0 = FineTuneDPOHyperparameters.from_dict(data)

                return hyperparameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneDPOHyperparameters | None | Unset, data)

        hyperparameters = _parse_hyperparameters(d.pop("hyperparameters", UNSET))

        fine_tune_dpo_method = cls(
            hyperparameters=hyperparameters,
        )

        fine_tune_dpo_method.additional_properties = d
        return fine_tune_dpo_method

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
