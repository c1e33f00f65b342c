from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fine_tune_supervised_hyperparameters_batch_size_type_0 import (
    FineTuneSupervisedHyperparametersBatchSizeType0,
)
from ..models.fine_tune_supervised_hyperparameters_early_stopping_type_0 import (
    FineTuneSupervisedHyperparametersEarlyStoppingType0,
)
from ..models.fine_tune_supervised_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuneSupervisedHyperparametersLearningRateMultiplierType0,
)
from ..models.fine_tune_supervised_hyperparameters_lora_alpha_type_0 import (
    FineTuneSupervisedHyperparametersLoraAlphaType0,
)
from ..models.fine_tune_supervised_hyperparameters_lora_dropout_type_0 import (
    FineTuneSupervisedHyperparametersLoraDropoutType0,
)
from ..models.fine_tune_supervised_hyperparameters_lora_rank_type_0 import (
    FineTuneSupervisedHyperparametersLoraRankType0,
)
from ..models.fine_tune_supervised_hyperparameters_lora_target_modules_type_0 import (
    FineTuneSupervisedHyperparametersLoraTargetModulesType0,
)
from ..models.fine_tune_supervised_hyperparameters_n_epochs_type_0 import FineTuneSupervisedHyperparametersNEpochsType0
from ..models.fine_tune_supervised_hyperparameters_training_type import FineTuneSupervisedHyperparametersTrainingType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fine_tune_supervised_hyperparameters_early_stopping_type_1_type_1 import (
        FineTuneSupervisedHyperparametersEarlyStoppingType1Type1,
    )


T = TypeVar("T", bound="FineTuneSupervisedHyperparameters")


@_attrs_define
class FineTuneSupervisedHyperparameters:
    """Supervised hyperparameters: OpenAI's three, plus Whetstone's LoRA extensions.

    Attributes:
        batch_size (FineTuneSupervisedHyperparametersBatchSizeType0 | int | Unset): Examples per optimizer step, 1 to
            256, or `auto`. Default: FineTuneSupervisedHyperparametersBatchSizeType0.AUTO.
        learning_rate_multiplier (FineTuneSupervisedHyperparametersLearningRateMultiplierType0 | float | Unset): Scale
            of the base learning rate (> 0, at most 10), or `auto`. Default:
            FineTuneSupervisedHyperparametersLearningRateMultiplierType0.AUTO.
        n_epochs (FineTuneSupervisedHyperparametersNEpochsType0 | int | Unset): Full passes over the training file, 1 to
            50, or `auto`. Default: FineTuneSupervisedHyperparametersNEpochsType0.AUTO.
        early_stopping (bool | FineTuneSupervisedHyperparametersEarlyStoppingType0 |
            FineTuneSupervisedHyperparametersEarlyStoppingType1Type1 | Unset): Extension: stop once the validation loss
            (with a validation file; else a smoothed training loss) has not improved by `min_delta` for `patience` steps;
            `true`, `false`, an object, or `auto`.
        lora_rank (FineTuneSupervisedHyperparametersLoraRankType0 | int | Unset): Extension: LoRA rank r (default: the
            model's).
        lora_alpha (FineTuneSupervisedHyperparametersLoraAlphaType0 | int | Unset): Extension: LoRA alpha (default: the
            model's).
        lora_dropout (FineTuneSupervisedHyperparametersLoraDropoutType0 | float | Unset): Extension: LoRA dropout, from
            0 up to (not including) 1.
        lora_target_modules (FineTuneSupervisedHyperparametersLoraTargetModulesType0 | list[str] | Unset): Extension:
            module names to adapt, or "all-linear".
        reference_file (None | str | Unset): Extension: id of a file of general text (JSONL of `text`, `messages` or
            `prompt`/`completion` lines) the forgetting check measures on.
        training_type (FineTuneSupervisedHyperparametersTrainingType | Unset): Extension: `lora` (default) trains an
            adapter; `full` trains every parameter and saves a whole model, served as a model of its own.
        activation_checkpointing (bool | Unset): Extension: recompute each decoder layer's activations in the backward
            pass rather than keep them: less memory (the pre-flight check counts it), about a third more compute, the same
            loss.
        devices (int | Unset): Extension: devices (GPUs, or processes on the CPU) the job trains on, sharded with FSDP2
            above one; at most the model's `max_devices` in the models file.
    """

    batch_size: FineTuneSupervisedHyperparametersBatchSizeType0 | int | Unset = (
        FineTuneSupervisedHyperparametersBatchSizeType0.AUTO
    )
    learning_rate_multiplier: FineTuneSupervisedHyperparametersLearningRateMultiplierType0 | float | Unset = (
        FineTuneSupervisedHyperparametersLearningRateMultiplierType0.AUTO
    )
    n_epochs: FineTuneSupervisedHyperparametersNEpochsType0 | int | Unset = (
        FineTuneSupervisedHyperparametersNEpochsType0.AUTO
    )
    early_stopping: (
        bool
        | FineTuneSupervisedHyperparametersEarlyStoppingType0
        | FineTuneSupervisedHyperparametersEarlyStoppingType1Type1
        | Unset
    ) = UNSET
    lora_rank: FineTuneSupervisedHyperparametersLoraRankType0 | int | Unset = UNSET
    lora_alpha: FineTuneSupervisedHyperparametersLoraAlphaType0 | int | Unset = UNSET
    lora_dropout: FineTuneSupervisedHyperparametersLoraDropoutType0 | float | Unset = UNSET
    lora_target_modules: FineTuneSupervisedHyperparametersLoraTargetModulesType0 | list[str] | Unset = UNSET
    reference_file: None | str | Unset = UNSET
    training_type: FineTuneSupervisedHyperparametersTrainingType | Unset = UNSET
    activation_checkpointing: bool | Unset = UNSET
    devices: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fine_tune_supervised_hyperparameters_early_stopping_type_1_type_1 import (
            FineTuneSupervisedHyperparametersEarlyStoppingType1Type1,  # noqa: PLC0415
        )

        batch_size: int | str | Unset
        if isinstance(self.batch_size, Unset):
            batch_size = UNSET
        elif isinstance(self.batch_size, FineTuneSupervisedHyperparametersBatchSizeType0):
            batch_size = self.batch_size.value
        else:
            batch_size = self.batch_size

        learning_rate_multiplier: float | str | Unset
        if isinstance(self.learning_rate_multiplier, Unset):
            learning_rate_multiplier = UNSET
        elif isinstance(self.learning_rate_multiplier, FineTuneSupervisedHyperparametersLearningRateMultiplierType0):
            learning_rate_multiplier = self.learning_rate_multiplier.value
        else:
            learning_rate_multiplier = self.learning_rate_multiplier

        n_epochs: int | str | Unset
        if isinstance(self.n_epochs, Unset):
            n_epochs = UNSET
        elif isinstance(self.n_epochs, FineTuneSupervisedHyperparametersNEpochsType0):
            n_epochs = self.n_epochs.value
        else:
            n_epochs = self.n_epochs

        early_stopping: bool | dict[str, Any] | str | Unset
        if isinstance(self.early_stopping, Unset):
            early_stopping = UNSET
        elif isinstance(self.early_stopping, FineTuneSupervisedHyperparametersEarlyStoppingType0):
            early_stopping = self.early_stopping.value
        elif isinstance(self.early_stopping, FineTuneSupervisedHyperparametersEarlyStoppingType1Type1):
            early_stopping = self.early_stopping.to_dict()
        else:
            early_stopping = self.early_stopping

        lora_rank: int | str | Unset
        if isinstance(self.lora_rank, Unset):
            lora_rank = UNSET
        elif isinstance(self.lora_rank, FineTuneSupervisedHyperparametersLoraRankType0):
            lora_rank = self.lora_rank.value
        else:
            lora_rank = self.lora_rank

        lora_alpha: int | str | Unset
        if isinstance(self.lora_alpha, Unset):
            lora_alpha = UNSET
        elif isinstance(self.lora_alpha, FineTuneSupervisedHyperparametersLoraAlphaType0):
            lora_alpha = self.lora_alpha.value
        else:
            lora_alpha = self.lora_alpha

        lora_dropout: float | str | Unset
        if isinstance(self.lora_dropout, Unset):
            lora_dropout = UNSET
        elif isinstance(self.lora_dropout, FineTuneSupervisedHyperparametersLoraDropoutType0):
            lora_dropout = self.lora_dropout.value
        else:
            lora_dropout = self.lora_dropout

        lora_target_modules: list[str] | str | Unset
        if isinstance(self.lora_target_modules, Unset):
            lora_target_modules = UNSET
        elif isinstance(self.lora_target_modules, FineTuneSupervisedHyperparametersLoraTargetModulesType0):
            lora_target_modules = self.lora_target_modules.value
        else:
            lora_target_modules = self.lora_target_modules

        reference_file: None | str | Unset
        if isinstance(self.reference_file, Unset):
            reference_file = UNSET
        else:
            reference_file = self.reference_file

        training_type: str | Unset = UNSET
        if not isinstance(self.training_type, Unset):
            training_type = self.training_type.value

        activation_checkpointing = self.activation_checkpointing

        devices = self.devices

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if learning_rate_multiplier is not UNSET:
            field_dict["learning_rate_multiplier"] = learning_rate_multiplier
        if n_epochs is not UNSET:
            field_dict["n_epochs"] = n_epochs
        if early_stopping is not UNSET:
            field_dict["early_stopping"] = early_stopping
        if lora_rank is not UNSET:
            field_dict["lora_rank"] = lora_rank
        if lora_alpha is not UNSET:
            field_dict["lora_alpha"] = lora_alpha
        if lora_dropout is not UNSET:
            field_dict["lora_dropout"] = lora_dropout
        if lora_target_modules is not UNSET:
            field_dict["lora_target_modules"] = lora_target_modules
        if reference_file is not UNSET:
            field_dict["reference_file"] = reference_file
        if training_type is not UNSET:
            field_dict["training_type"] = training_type
        if activation_checkpointing is not UNSET:
            field_dict["activation_checkpointing"] = activation_checkpointing
        if devices is not UNSET:
            field_dict["devices"] = devices

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fine_tune_supervised_hyperparameters_early_stopping_type_1_type_1 import (
            FineTuneSupervisedHyperparametersEarlyStoppingType1Type1,  # noqa: PLC0415
        )

        d = dict(src_dict)

        def _parse_batch_size(data: object) -> FineTuneSupervisedHyperparametersBatchSizeType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                batch_size_type_0 = FineTuneSupervisedHyperparametersBatchSizeType0(data)

                return batch_size_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneSupervisedHyperparametersBatchSizeType0 | int | Unset, data)

        batch_size = _parse_batch_size(d.pop("batch_size", UNSET))

        def _parse_learning_rate_multiplier(
            data: object,
        ) -> FineTuneSupervisedHyperparametersLearningRateMultiplierType0 | float | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                learning_rate_multiplier_type_0 = FineTuneSupervisedHyperparametersLearningRateMultiplierType0(data)

                return learning_rate_multiplier_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneSupervisedHyperparametersLearningRateMultiplierType0 | float | Unset, data)

        learning_rate_multiplier = _parse_learning_rate_multiplier(d.pop("learning_rate_multiplier", UNSET))

        def _parse_n_epochs(data: object) -> FineTuneSupervisedHyperparametersNEpochsType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                n_epochs_type_0 = FineTuneSupervisedHyperparametersNEpochsType0(data)

                return n_epochs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneSupervisedHyperparametersNEpochsType0 | int | Unset, data)

        n_epochs = _parse_n_epochs(d.pop("n_epochs", UNSET))

        def _parse_early_stopping(
            data: object,
        ) -> (
            bool
            | FineTuneSupervisedHyperparametersEarlyStoppingType0
            | FineTuneSupervisedHyperparametersEarlyStoppingType1Type1
            | Unset
        ):
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                early_stopping_type_0 = FineTuneSupervisedHyperparametersEarlyStoppingType0(data)

                return early_stopping_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                early_stopping_type_1_type_1 = FineTuneSupervisedHyperparametersEarlyStoppingType1Type1.from_dict(data)

                return early_stopping_type_1_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                bool
                | FineTuneSupervisedHyperparametersEarlyStoppingType0
                | FineTuneSupervisedHyperparametersEarlyStoppingType1Type1
                | Unset,
                data,
            )

        early_stopping = _parse_early_stopping(d.pop("early_stopping", UNSET))

        def _parse_lora_rank(data: object) -> FineTuneSupervisedHyperparametersLoraRankType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lora_rank_type_0 = FineTuneSupervisedHyperparametersLoraRankType0(data)

                return lora_rank_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneSupervisedHyperparametersLoraRankType0 | int | Unset, data)

        lora_rank = _parse_lora_rank(d.pop("lora_rank", UNSET))

        def _parse_lora_alpha(data: object) -> FineTuneSupervisedHyperparametersLoraAlphaType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lora_alpha_type_0 = FineTuneSupervisedHyperparametersLoraAlphaType0(data)

                return lora_alpha_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneSupervisedHyperparametersLoraAlphaType0 | int | Unset, data)

        lora_alpha = _parse_lora_alpha(d.pop("lora_alpha", UNSET))

        def _parse_lora_dropout(data: object) -> FineTuneSupervisedHyperparametersLoraDropoutType0 | float | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lora_dropout_type_0 = FineTuneSupervisedHyperparametersLoraDropoutType0(data)

                return lora_dropout_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneSupervisedHyperparametersLoraDropoutType0 | float | Unset, data)

        lora_dropout = _parse_lora_dropout(d.pop("lora_dropout", UNSET))

        def _parse_lora_target_modules(
            data: object,
        ) -> FineTuneSupervisedHyperparametersLoraTargetModulesType0 | list[str] | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lora_target_modules_type_0 = FineTuneSupervisedHyperparametersLoraTargetModulesType0(data)

                return lora_target_modules_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            lora_target_modules_type_1 = cast(list[str], data)

            return lora_target_modules_type_1

        lora_target_modules = _parse_lora_target_modules(d.pop("lora_target_modules", UNSET))

        def _parse_reference_file(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reference_file = _parse_reference_file(d.pop("reference_file", UNSET))

        _training_type = d.pop("training_type", UNSET)
        training_type: FineTuneSupervisedHyperparametersTrainingType | Unset
        if isinstance(_training_type, Unset):
            training_type = UNSET
        else:
            training_type = FineTuneSupervisedHyperparametersTrainingType(_training_type)

        activation_checkpointing = d.pop("activation_checkpointing", UNSET)

        devices = d.pop("devices", UNSET)

        fine_tune_supervised_hyperparameters = cls(
            batch_size=batch_size,
            learning_rate_multiplier=learning_rate_multiplier,
            n_epochs=n_epochs,
            early_stopping=early_stopping,
            lora_rank=lora_rank,
            lora_alpha=lora_alpha,
            lora_dropout=lora_dropout,
            lora_target_modules=lora_target_modules,
            reference_file=reference_file,
            training_type=training_type,
            activation_checkpointing=activation_checkpointing,
            devices=devices,
        )

        fine_tune_supervised_hyperparameters.additional_properties = d
        return fine_tune_supervised_hyperparameters

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
