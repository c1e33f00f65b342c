from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FineTuneDPOHyperparametersEarlyStoppingType1Type1")


@_attrs_define
class FineTuneDPOHyperparametersEarlyStoppingType1Type1:
    """
    Attributes:
        patience (int | Unset):
        min_delta (float | Unset):
    """

    patience: int | Unset = UNSET
    min_delta: float | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        patience = self.patience

        min_delta = self.min_delta

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if patience is not UNSET:
            field_dict["patience"] = patience
        if min_delta is not UNSET:
            field_dict["min_delta"] = min_delta

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        patience = d.pop("patience", UNSET)

        min_delta = d.pop("min_delta", UNSET)

        fine_tune_dpo_hyperparameters_early_stopping_type_1_type_1 = cls(
            patience=patience,
            min_delta=min_delta,
        )

        return fine_tune_dpo_hyperparameters_early_stopping_type_1_type_1
