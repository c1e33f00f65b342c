from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fine_tune_reinforcement_hyperparameters import FineTuneReinforcementHyperparameters
    from ..models.fine_tune_reinforcement_method_grader_type_0 import FineTuneReinforcementMethodGraderType0


T = TypeVar("T", bound="FineTuneReinforcementMethod")


@_attrs_define
class FineTuneReinforcementMethod:
    """Configuration of the reinforcement method.

    Attributes:
        grader (FineTuneReinforcementMethodGraderType0 | None | Unset): The grader of the reinforcement job (OpenAI
            requires one).
        hyperparameters (FineTuneReinforcementHyperparameters | None | Unset): The hyperparameters of the reinforcement
            job.
    """

    grader: FineTuneReinforcementMethodGraderType0 | None | Unset = UNSET
    hyperparameters: FineTuneReinforcementHyperparameters | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fine_tune_reinforcement_hyperparameters import FineTuneReinforcementHyperparameters  # noqa: PLC0415
        from ..models.fine_tune_reinforcement_method_grader_type_0 import FineTuneReinforcementMethodGraderType0  # noqa: PLC0415

        grader: dict[str, Any] | None | Unset
        if isinstance(self.grader, Unset):
            grader = UNSET
        elif isinstance(self.grader, FineTuneReinforcementMethodGraderType0):
            grader = self.grader.to_dict()
        else:
            grader = self.grader

        hyperparameters: dict[str, Any] | None | Unset
        if isinstance(self.hyperparameters, Unset):
            hyperparameters = UNSET
        elif isinstance(self.hyperparameters, FineTuneReinforcementHyperparameters):
            hyperparameters = self.hyperparameters.to_dict()
        else:
            hyperparameters = self.hyperparameters

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if grader is not UNSET:
            field_dict["grader"] = grader
        if hyperparameters is not UNSET:
            field_dict["hyperparameters"] = hyperparameters

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fine_tune_reinforcement_hyperparameters import FineTuneReinforcementHyperparameters  # noqa: PLC0415
        from ..models.fine_tune_reinforcement_method_grader_type_0 import FineTuneReinforcementMethodGraderType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_grader(data: object) -> FineTuneReinforcementMethodGraderType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grader_type_0 = FineTuneReinforcementMethodGraderType0.from_dict(data)

                return grader_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementMethodGraderType0 | None | Unset, data)

        grader = _parse_grader(d.pop("grader", UNSET))

        def _parse_hyperparameters(data: object) -> FineTuneReinforcementHyperparameters | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hyperparameters_type_0 = FineTuneReinforcementHyperparameters.from_dict(data)

                return hyperparameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparameters | None | Unset, data)

        hyperparameters = _parse_hyperparameters(d.pop("hyperparameters", UNSET))

        fine_tune_reinforcement_method = cls(
            grader=grader,
            hyperparameters=hyperparameters,
        )

        fine_tune_reinforcement_method.additional_properties = d
        return fine_tune_reinforcement_method

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
