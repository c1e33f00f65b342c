from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fine_tuning_job_status import FineTuningJobStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.fine_tune_method import FineTuneMethod
    from ..models.fine_tuning_integration import FineTuningIntegration
    from ..models.fine_tuning_job_error import FineTuningJobError
    from ..models.fine_tuning_job_hyperparameters import FineTuningJobHyperparameters
    from ..models.fine_tuning_job_metadata_type_0 import FineTuningJobMetadataType0


T = TypeVar("T", bound="FineTuningJob")


@_attrs_define
class FineTuningJob:
    """A fine-tuning job (OpenAI's `FineTuningJob`).

    Attributes:
        id (str): The job identifier, `ftjob-...`.
        created_at (int): Unix seconds when the job was created.
        error (FineTuningJobError | None): Why the job failed; null otherwise.
        fine_tuned_model (None | str): The `ft:` name of the trained model; null until the job succeeds.
        finished_at (int | None): Unix seconds when the job finished, if it has.
        hyperparameters (FineTuningJobHyperparameters): The job's OpenAI hyperparameters: as requested, then resolved
            once files validate.
        model (str): The base model being fine-tuned, as requested.
        organization_id (str): The organization that owns the job.
        result_files (list[str]): Ids of the results files (step metrics CSV).
        status (FineTuningJobStatus): Where the job is in its lifecycle.
        trained_tokens (int | None): Tokens trained on; null until the job succeeds.
        training_file (str): Id of the training file.
        validation_file (None | str): Id of the validation file, if any.
        seed (int): The seed of the job.
        method (FineTuneMethod): The method used for fine-tuning: `supervised`, `dpo` or `reinforcement`.
        object_ (Literal['fine_tuning.job'] | Unset): Always `fine_tuning.job`. Default: 'fine_tuning.job'.
        integrations (list[FineTuningIntegration] | None | Unset): The integrations enabled for the job.
        estimated_finish (int | None | Unset): Unix seconds when a running job is expected to finish.
        metadata (FineTuningJobMetadataType0 | None | Unset): The job's key-value pairs.
    """

    id: str
    created_at: int
    error: FineTuningJobError | None
    fine_tuned_model: None | str
    finished_at: int | None
    hyperparameters: FineTuningJobHyperparameters
    model: str
    organization_id: str
    result_files: list[str]
    status: FineTuningJobStatus
    trained_tokens: int | None
    training_file: str
    validation_file: None | str
    seed: int
    method: FineTuneMethod
    object_: Literal["fine_tuning.job"] | Unset = "fine_tuning.job"
    integrations: list[FineTuningIntegration] | None | Unset = UNSET
    estimated_finish: int | None | Unset = UNSET
    metadata: FineTuningJobMetadataType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fine_tuning_job_error import FineTuningJobError  # noqa: PLC0415
        from ..models.fine_tuning_job_metadata_type_0 import FineTuningJobMetadataType0  # noqa: PLC0415

        id = self.id

        created_at = self.created_at

        error: dict[str, Any] | None
        if isinstance(self.error, FineTuningJobError):
            error = self.error.to_dict()
        else:
            error = self.error

        fine_tuned_model: None | str
        fine_tuned_model = self.fine_tuned_model

        finished_at: int | None
        finished_at = self.finished_at

        hyperparameters = self.hyperparameters.to_dict()

        model = self.model

        organization_id = self.organization_id

        result_files = self.result_files

        status = self.status.value

        trained_tokens: int | None
        trained_tokens = self.trained_tokens

        training_file = self.training_file

        validation_file: None | str
        validation_file = self.validation_file

        seed = self.seed

        method = self.method.to_dict()

        object_ = self.object_

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

        estimated_finish: int | None | Unset
        if isinstance(self.estimated_finish, Unset):
            estimated_finish = UNSET
        else:
            estimated_finish = self.estimated_finish

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, FineTuningJobMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "error": error,
                "fine_tuned_model": fine_tuned_model,
                "finished_at": finished_at,
                "hyperparameters": hyperparameters,
                "model": model,
                "organization_id": organization_id,
                "result_files": result_files,
                "status": status,
                "trained_tokens": trained_tokens,
                "training_file": training_file,
                "validation_file": validation_file,
                "seed": seed,
                "method": method,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if integrations is not UNSET:
            field_dict["integrations"] = integrations
        if estimated_finish is not UNSET:
            field_dict["estimated_finish"] = estimated_finish
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.fine_tune_method import FineTuneMethod  # noqa: PLC0415
        from ..models.fine_tuning_integration import FineTuningIntegration  # noqa: PLC0415
        from ..models.fine_tuning_job_error import FineTuningJobError  # noqa: PLC0415
        from ..models.fine_tuning_job_hyperparameters import FineTuningJobHyperparameters  # noqa: PLC0415
        from ..models.fine_tuning_job_metadata_type_0 import FineTuningJobMetadataType0  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        created_at = d.pop("created_at")

        def _parse_error(data: object) -> FineTuningJobError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = FineTuningJobError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuningJobError | None, data)

        error = _parse_error(d.pop("error"))

        def _parse_fine_tuned_model(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        fine_tuned_model = _parse_fine_tuned_model(d.pop("fine_tuned_model"))

        def _parse_finished_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        hyperparameters = FineTuningJobHyperparameters.from_dict(d.pop("hyperparameters"))

        model = d.pop("model")

        organization_id = d.pop("organization_id")

        result_files = cast(list[str], d.pop("result_files"))

        status = FineTuningJobStatus(d.pop("status"))

        def _parse_trained_tokens(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        trained_tokens = _parse_trained_tokens(d.pop("trained_tokens"))

        training_file = d.pop("training_file")

        def _parse_validation_file(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        validation_file = _parse_validation_file(d.pop("validation_file"))

        seed = d.pop("seed")

        method = FineTuneMethod.from_dict(d.pop("method"))

        object_ = cast(Literal["fine_tuning.job"] | Unset, d.pop("object", UNSET))
        if object_ != "fine_tuning.job" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'fine_tuning.job', got '{object_}'")

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

        def _parse_estimated_finish(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        estimated_finish = _parse_estimated_finish(d.pop("estimated_finish", UNSET))

        def _parse_metadata(data: object) -> FineTuningJobMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = FineTuningJobMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuningJobMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        fine_tuning_job = cls(
            id=id,
            created_at=created_at,
            error=error,
            fine_tuned_model=fine_tuned_model,
            finished_at=finished_at,
            hyperparameters=hyperparameters,
            model=model,
            organization_id=organization_id,
            result_files=result_files,
            status=status,
            trained_tokens=trained_tokens,
            training_file=training_file,
            validation_file=validation_file,
            seed=seed,
            method=method,
            object_=object_,
            integrations=integrations,
            estimated_finish=estimated_finish,
            metadata=metadata,
        )

        fine_tuning_job.additional_properties = d
        return fine_tuning_job

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
