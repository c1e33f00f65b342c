from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_fine_tuning_job_request_metadata_type_0 import CreateFineTuningJobRequestMetadataType0
    from ..models.fine_tune_method import FineTuneMethod
    from ..models.fine_tuning_integration import FineTuningIntegration
    from ..models.legacy_hyperparameters import LegacyHyperparameters


T = TypeVar("T", bound="CreateFineTuningJobRequest")


@_attrs_define
class CreateFineTuningJobRequest:
    """The body of POST /v1/fine_tuning/jobs.

    Attributes:
        model (str): The base model to fine-tune, e.g. `gpt-4o-mini-2024-07-18`.
        training_file (str): Id of an uploaded file of purpose `fine-tune`.
        hyperparameters (LegacyHyperparameters | None | Unset): Deprecated: the hyperparameters; use `method` instead.
        suffix (None | str | Unset): Up to 64 characters added to the fine-tuned model's name.
        validation_file (None | str | Unset): Id of an uploaded file of purpose `fine-tune` to validate on.
        integrations (list[FineTuningIntegration] | None | Unset): Integrations to enable (only `wandb`, stored as
            given).
        seed (int | None | Unset): Seed for reproducibility; random when unset.
        method (FineTuneMethod | None | Unset): The fine-tuning method.
        metadata (CreateFineTuningJobRequestMetadataType0 | None | Unset): Up to 16 key-value pairs (keys <= 64, values
            <= 512 characters).
    """

    model: str
    training_file: str
    hyperparameters: LegacyHyperparameters | None | Unset = UNSET
    suffix: None | str | Unset = UNSET
    validation_file: None | str | Unset = UNSET
    integrations: list[FineTuningIntegration] | None | Unset = UNSET
    seed: int | None | Unset = UNSET
    method: FineTuneMethod | None | Unset = UNSET
    metadata: CreateFineTuningJobRequestMetadataType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_fine_tuning_job_request_metadata_type_0 import CreateFineTuningJobRequestMetadataType0  # noqa: PLC0415
        from ..models.fine_tune_method import FineTuneMethod  # noqa: PLC0415
        from ..models.legacy_hyperparameters import LegacyHyperparameters  # noqa: PLC0415

        model = self.model

        training_file = self.training_file

        hyperparameters: dict[str, Any] | None | Unset
        if isinstance(self.hyperparameters, Unset):
            hyperparameters = UNSET
        elif isinstance(self.hyperparameters, LegacyHyperparameters):
            hyperparameters = self.hyperparameters.to_dict()
        else:
            hyperparameters = self.hyperparameters

        suffix: None | str | Unset
        if isinstance(self.suffix, Unset):
            suffix = UNSET
        else:
            suffix = self.suffix

        validation_file: None | str | Unset
        if isinstance(self.validation_file, Unset):
            validation_file = UNSET
        else:
            validation_file = self.validation_file

        integrations: list[dict[str, Any]] | None | Unset
        if isinstance(self.integrations, Unset):
            integrations = UNSET
        elif isinstance(self.integrations, list):
            integrations = []
            for integrations_type_0_item_data in self.integrations:
                integrations_type_0_item = integrations_type_0_item_data.to_dict()
                integrations.append(integrations_type_0_item)

        else:
            integrations = self.integrations

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        method: dict[str, Any] | None | Unset
        if isinstance(self.method, Unset):
            method = UNSET
        elif isinstance(self.method, FineTuneMethod):
            method = self.method.to_dict()
        else:
            method = self.method

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateFineTuningJobRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model": model,
                "training_file": training_file,
            }
        )
        if hyperparameters is not UNSET:
            field_dict["hyperparameters"] = hyperparameters
        if suffix is not UNSET:
            field_dict["suffix"] = suffix
        if validation_file is not UNSET:
            field_dict["validation_file"] = validation_file
        if integrations is not UNSET:
            field_dict["integrations"] = integrations
        if seed is not UNSET:
            field_dict["seed"] = seed
        if method is not UNSET:
            field_dict["method"] = method
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_fine_tuning_job_request_metadata_type_0 import CreateFineTuningJobRequestMetadataType0  # noqa: PLC0415
        from ..models.fine_tune_method import FineTuneMethod  # noqa: PLC0415
        from ..models.fine_tuning_integration import FineTuningIntegration  # noqa: PLC0415
        from ..models.legacy_hyperparameters import LegacyHyperparameters  # noqa: PLC0415

        d = dict(src_dict)
        model = d.pop("model")

        training_file = d.pop("training_file")

        def _parse_hyperparameters(data: object) -> LegacyHyperparameters | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hyperparameters_type_0 = LegacyHyperparameters.from_dict(data)

                return hyperparameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyHyperparameters | None | Unset, data)

        hyperparameters = _parse_hyperparameters(d.pop("hyperparameters", UNSET))

        def _parse_suffix(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        suffix = _parse_suffix(d.pop("suffix", UNSET))

        def _parse_validation_file(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        validation_file = _parse_validation_file(d.pop("validation_file", UNSET))

        def _parse_integrations(data: object) -> list[FineTuningIntegration] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                integrations_type_0 = []
                _integrations_type_0 = data
                for integrations_type_0_item_data in _integrations_type_0:
                    integrations_type_0_item = FineTuningIntegration.from_dict(integrations_type_0_item_data)

                    integrations_type_0.append(integrations_type_0_item)

                return integrations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[FineTuningIntegration] | None | Unset, data)

        integrations = _parse_integrations(d.pop("integrations", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_method(data: object) -> FineTuneMethod | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                method_type_0 = FineTuneMethod.from_dict(data)

                return method_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneMethod | None | Unset, data)

        method = _parse_method(d.pop("method", UNSET))

        def _parse_metadata(data: object) -> CreateFineTuningJobRequestMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateFineTuningJobRequestMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateFineTuningJobRequestMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        create_fine_tuning_job_request = cls(
            model=model,
            training_file=training_file,
            hyperparameters=hyperparameters,
            suffix=suffix,
            validation_file=validation_file,
            integrations=integrations,
            seed=seed,
            method=method,
            metadata=metadata,
        )

        return create_fine_tuning_job_request
