from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fine_tune_reinforcement_hyperparameters_batch_size_type_0 import (
    FineTuneReinforcementHyperparametersBatchSizeType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_beta_type_0 import FineTuneReinforcementHyperparametersBetaType0
from ..models.fine_tune_reinforcement_hyperparameters_compute_multiplier_type_0 import (
    FineTuneReinforcementHyperparametersComputeMultiplierType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_epsilon_type_0 import (
    FineTuneReinforcementHyperparametersEpsilonType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_eval_interval_type_0 import (
    FineTuneReinforcementHyperparametersEvalIntervalType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_eval_samples_type_0 import (
    FineTuneReinforcementHyperparametersEvalSamplesType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuneReinforcementHyperparametersLearningRateMultiplierType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_lora_alpha_type_0 import (
    FineTuneReinforcementHyperparametersLoraAlphaType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_lora_dropout_type_0 import (
    FineTuneReinforcementHyperparametersLoraDropoutType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_lora_rank_type_0 import (
    FineTuneReinforcementHyperparametersLoraRankType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_lora_target_modules_type_0 import (
    FineTuneReinforcementHyperparametersLoraTargetModulesType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_max_completion_tokens_type_0 import (
    FineTuneReinforcementHyperparametersMaxCompletionTokensType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_n_epochs_type_0 import (
    FineTuneReinforcementHyperparametersNEpochsType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_num_generations_type_0 import (
    FineTuneReinforcementHyperparametersNumGenerationsType0,
)
from ..models.fine_tune_reinforcement_hyperparameters_reasoning_effort import (
    FineTuneReinforcementHyperparametersReasoningEffort,
)
from ..models.fine_tune_reinforcement_hyperparameters_temperature_type_0 import (
    FineTuneReinforcementHyperparametersTemperatureType0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="FineTuneReinforcementHyperparameters")


@_attrs_define
class FineTuneReinforcementHyperparameters:
    """Reinforcement hyperparameters: OpenAI's seven, plus Whetstone's GRPO and LoRA extensions.

    Attributes:
        batch_size (FineTuneReinforcementHyperparametersBatchSizeType0 | int | Unset): Prompts per optimizer step, 1 to
            256, or `auto`. Default: FineTuneReinforcementHyperparametersBatchSizeType0.AUTO.
        learning_rate_multiplier (FineTuneReinforcementHyperparametersLearningRateMultiplierType0 | float | Unset):
            Scale of the base learning rate (> 0, at most 10), or `auto`. Default:
            FineTuneReinforcementHyperparametersLearningRateMultiplierType0.AUTO.
        n_epochs (FineTuneReinforcementHyperparametersNEpochsType0 | int | Unset): Full passes over the training file's
            prompts, 1 to 50, or `auto`. Default: FineTuneReinforcementHyperparametersNEpochsType0.AUTO.
        reasoning_effort (FineTuneReinforcementHyperparametersReasoningEffort | Unset): Accepted and echoed; the open
            models trained here do not reason. Default: FineTuneReinforcementHyperparametersReasoningEffort.DEFAULT.
        compute_multiplier (FineTuneReinforcementHyperparametersComputeMultiplierType0 | float | Unset): Scales the
            completions sampled per prompt (`num_generations`, 4 at 1.0). Default:
            FineTuneReinforcementHyperparametersComputeMultiplierType0.AUTO.
        eval_interval (FineTuneReinforcementHyperparametersEvalIntervalType0 | int | Unset): Training steps between
            validation rewards (`auto`: a tenth). Default: FineTuneReinforcementHyperparametersEvalIntervalType0.AUTO.
        eval_samples (FineTuneReinforcementHyperparametersEvalSamplesType0 | int | Unset): Validation prompts graded at
            each evaluation (`auto`: 16). Default: FineTuneReinforcementHyperparametersEvalSamplesType0.AUTO.
        num_generations (FineTuneReinforcementHyperparametersNumGenerationsType0 | int | Unset): Extension: completions
            sampled per prompt, the group (overrides compute_multiplier).
        beta (FineTuneReinforcementHyperparametersBetaType0 | float | Unset): Extension: weight of the KL term against
            the starting model (default 0).
        epsilon (FineTuneReinforcementHyperparametersEpsilonType0 | float | Unset): Extension: clip range (default 0.2).
        temperature (FineTuneReinforcementHyperparametersTemperatureType0 | float | Unset): Extension: sampling
            temperature (default 1).
        max_completion_tokens (FineTuneReinforcementHyperparametersMaxCompletionTokensType0 | int | Unset): Extension:
            tokens per sampled completion (64).
        lora_rank (FineTuneReinforcementHyperparametersLoraRankType0 | int | Unset): Extension: LoRA rank r (default:
            the model's).
        lora_alpha (FineTuneReinforcementHyperparametersLoraAlphaType0 | int | Unset): Extension: LoRA alpha (default:
            the model's).
        lora_dropout (FineTuneReinforcementHyperparametersLoraDropoutType0 | float | Unset): Extension: LoRA dropout,
            from 0 up to (not including) 1.
        lora_target_modules (FineTuneReinforcementHyperparametersLoraTargetModulesType0 | list[str] | Unset): Extension:
            module names to adapt, or "all-linear".
    """

    batch_size: FineTuneReinforcementHyperparametersBatchSizeType0 | int | Unset = (
        FineTuneReinforcementHyperparametersBatchSizeType0.AUTO
    )
    learning_rate_multiplier: FineTuneReinforcementHyperparametersLearningRateMultiplierType0 | float | Unset = (
        FineTuneReinforcementHyperparametersLearningRateMultiplierType0.AUTO
    )
    n_epochs: FineTuneReinforcementHyperparametersNEpochsType0 | int | Unset = (
        FineTuneReinforcementHyperparametersNEpochsType0.AUTO
    )
    reasoning_effort: FineTuneReinforcementHyperparametersReasoningEffort | Unset = (
        FineTuneReinforcementHyperparametersReasoningEffort.DEFAULT
    )
    compute_multiplier: FineTuneReinforcementHyperparametersComputeMultiplierType0 | float | Unset = (
        FineTuneReinforcementHyperparametersComputeMultiplierType0.AUTO
    )
    eval_interval: FineTuneReinforcementHyperparametersEvalIntervalType0 | int | Unset = (
        FineTuneReinforcementHyperparametersEvalIntervalType0.AUTO
    )
    eval_samples: FineTuneReinforcementHyperparametersEvalSamplesType0 | int | Unset = (
        FineTuneReinforcementHyperparametersEvalSamplesType0.AUTO
    )
    num_generations: FineTuneReinforcementHyperparametersNumGenerationsType0 | int | Unset = UNSET
    beta: FineTuneReinforcementHyperparametersBetaType0 | float | Unset = UNSET
    epsilon: FineTuneReinforcementHyperparametersEpsilonType0 | float | Unset = UNSET
    temperature: FineTuneReinforcementHyperparametersTemperatureType0 | float | Unset = UNSET
    max_completion_tokens: FineTuneReinforcementHyperparametersMaxCompletionTokensType0 | int | Unset = UNSET
    lora_rank: FineTuneReinforcementHyperparametersLoraRankType0 | int | Unset = UNSET
    lora_alpha: FineTuneReinforcementHyperparametersLoraAlphaType0 | int | Unset = UNSET
    lora_dropout: FineTuneReinforcementHyperparametersLoraDropoutType0 | float | Unset = UNSET
    lora_target_modules: FineTuneReinforcementHyperparametersLoraTargetModulesType0 | list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        batch_size: int | str | Unset
        if isinstance(self.batch_size, Unset):
            batch_size = UNSET
        elif isinstance(self.batch_size, FineTuneReinforcementHyperparametersBatchSizeType0):
            batch_size = self.batch_size.value
        else:
            batch_size = self.batch_size

        learning_rate_multiplier: float | str | Unset
        if isinstance(self.learning_rate_multiplier, Unset):
            learning_rate_multiplier = UNSET
        elif isinstance(self.learning_rate_multiplier, FineTuneReinforcementHyperparametersLearningRateMultiplierType0):
            learning_rate_multiplier = self.learning_rate_multiplier.value
        else:
            learning_rate_multiplier = self.learning_rate_multiplier

        n_epochs: int | str | Unset
        if isinstance(self.n_epochs, Unset):
            n_epochs = UNSET
        elif isinstance(self.n_epochs, FineTuneReinforcementHyperparametersNEpochsType0):
            n_epochs = self.n_epochs.value
        else:
            n_epochs = self.n_epochs

        reasoning_effort: str | Unset = UNSET
        if not isinstance(self.reasoning_effort, Unset):
            reasoning_effort = self.reasoning_effort.value

        compute_multiplier: float | str | Unset
        if isinstance(self.compute_multiplier, Unset):
            compute_multiplier = UNSET
        elif isinstance(self.compute_multiplier, FineTuneReinforcementHyperparametersComputeMultiplierType0):
            compute_multiplier = self.compute_multiplier.value
        else:
            compute_multiplier = self.compute_multiplier

        eval_interval: int | str | Unset
        if isinstance(self.eval_interval, Unset):
            eval_interval = UNSET
        elif isinstance(self.eval_interval, FineTuneReinforcementHyperparametersEvalIntervalType0):
            eval_interval = self.eval_interval.value
        else:
            eval_interval = self.eval_interval

        eval_samples: int | str | Unset
        if isinstance(self.eval_samples, Unset):
            eval_samples = UNSET
        elif isinstance(self.eval_samples, FineTuneReinforcementHyperparametersEvalSamplesType0):
            eval_samples = self.eval_samples.value
        else:
            eval_samples = self.eval_samples

        num_generations: int | str | Unset
        if isinstance(self.num_generations, Unset):
            num_generations = UNSET
        elif isinstance(self.num_generations, FineTuneReinforcementHyperparametersNumGenerationsType0):
            num_generations = self.num_generations.value
        else:
            num_generations = self.num_generations

        beta: float | str | Unset
        if isinstance(self.beta, Unset):
            beta = UNSET
        elif isinstance(self.beta, FineTuneReinforcementHyperparametersBetaType0):
            beta = self.beta.value
        else:
            beta = self.beta

        epsilon: float | str | Unset
        if isinstance(self.epsilon, Unset):
            epsilon = UNSET
        elif isinstance(self.epsilon, FineTuneReinforcementHyperparametersEpsilonType0):
            epsilon = self.epsilon.value
        else:
            epsilon = self.epsilon

        temperature: float | str | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        elif isinstance(self.temperature, FineTuneReinforcementHyperparametersTemperatureType0):
            temperature = self.temperature.value
        else:
            temperature = self.temperature

        max_completion_tokens: int | str | Unset
        if isinstance(self.max_completion_tokens, Unset):
            max_completion_tokens = UNSET
        elif isinstance(self.max_completion_tokens, FineTuneReinforcementHyperparametersMaxCompletionTokensType0):
            max_completion_tokens = self.max_completion_tokens.value
        else:
            max_completion_tokens = self.max_completion_tokens

        lora_rank: int | str | Unset
        if isinstance(self.lora_rank, Unset):
            lora_rank = UNSET
        elif isinstance(self.lora_rank, FineTuneReinforcementHyperparametersLoraRankType0):
            lora_rank = self.lora_rank.value
        else:
            lora_rank = self.lora_rank

        lora_alpha: int | str | Unset
        if isinstance(self.lora_alpha, Unset):
            lora_alpha = UNSET
        elif isinstance(self.lora_alpha, FineTuneReinforcementHyperparametersLoraAlphaType0):
            lora_alpha = self.lora_alpha.value
        else:
            lora_alpha = self.lora_alpha

        lora_dropout: float | str | Unset
        if isinstance(self.lora_dropout, Unset):
            lora_dropout = UNSET
        elif isinstance(self.lora_dropout, FineTuneReinforcementHyperparametersLoraDropoutType0):
            lora_dropout = self.lora_dropout.value
        else:
            lora_dropout = self.lora_dropout

        lora_target_modules: list[str] | str | Unset
        if isinstance(self.lora_target_modules, Unset):
            lora_target_modules = UNSET
        elif isinstance(self.lora_target_modules, FineTuneReinforcementHyperparametersLoraTargetModulesType0):
            lora_target_modules = self.lora_target_modules.value
        else:
            lora_target_modules = self.lora_target_modules

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if learning_rate_multiplier is not UNSET:
            field_dict["learning_rate_multiplier"] = learning_rate_multiplier
        if n_epochs is not UNSET:
            field_dict["n_epochs"] = n_epochs
        if reasoning_effort is not UNSET:
            field_dict["reasoning_effort"] = reasoning_effort
        if compute_multiplier is not UNSET:
            field_dict["compute_multiplier"] = compute_multiplier
        if eval_interval is not UNSET:
            field_dict["eval_interval"] = eval_interval
        if eval_samples is not UNSET:
            field_dict["eval_samples"] = eval_samples
        if num_generations is not UNSET:
            field_dict["num_generations"] = num_generations
        if beta is not UNSET:
            field_dict["beta"] = beta
        if epsilon is not UNSET:
            field_dict["epsilon"] = epsilon
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if max_completion_tokens is not UNSET:
            field_dict["max_completion_tokens"] = max_completion_tokens
        if lora_rank is not UNSET:
            field_dict["lora_rank"] = lora_rank
        if lora_alpha is not UNSET:
            field_dict["lora_alpha"] = lora_alpha
        if lora_dropout is not UNSET:
            field_dict["lora_dropout"] = lora_dropout
        if lora_target_modules is not UNSET:
            field_dict["lora_target_modules"] = lora_target_modules

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_batch_size(data: object) -> FineTuneReinforcementHyperparametersBatchSizeType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                batch_size_type_0 = FineTuneReinforcementHyperparametersBatchSizeType0(data)

                return batch_size_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersBatchSizeType0 | int | Unset, data)

        batch_size = _parse_batch_size(d.pop("batch_size", UNSET))

        def _parse_learning_rate_multiplier(
            data: object,
        ) -> FineTuneReinforcementHyperparametersLearningRateMultiplierType0 | float | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                learning_rate_multiplier_type_0 = FineTuneReinforcementHyperparametersLearningRateMultiplierType0(data)

                return learning_rate_multiplier_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersLearningRateMultiplierType0 | float | Unset, data)

        learning_rate_multiplier = _parse_learning_rate_multiplier(d.pop("learning_rate_multiplier", UNSET))

        def _parse_n_epochs(data: object) -> FineTuneReinforcementHyperparametersNEpochsType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                n_epochs_type_0 = FineTuneReinforcementHyperparametersNEpochsType0(data)

                return n_epochs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersNEpochsType0 | int | Unset, data)

        n_epochs = _parse_n_epochs(d.pop("n_epochs", UNSET))

        _reasoning_effort = d.pop("reasoning_effort", UNSET)
        reasoning_effort: FineTuneReinforcementHyperparametersReasoningEffort | Unset
        if isinstance(_reasoning_effort, Unset):
            reasoning_effort = UNSET
        else:
            reasoning_effort = FineTuneReinforcementHyperparametersReasoningEffort(_reasoning_effort)

        def _parse_compute_multiplier(
            data: object,
        ) -> FineTuneReinforcementHyperparametersComputeMultiplierType0 | float | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                compute_multiplier_type_0 = FineTuneReinforcementHyperparametersComputeMultiplierType0(data)

                return compute_multiplier_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersComputeMultiplierType0 | float | Unset, data)

        compute_multiplier = _parse_compute_multiplier(d.pop("compute_multiplier", UNSET))

        def _parse_eval_interval(data: object) -> FineTuneReinforcementHyperparametersEvalIntervalType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                eval_interval_type_0 = FineTuneReinforcementHyperparametersEvalIntervalType0(data)

                return eval_interval_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersEvalIntervalType0 | int | Unset, data)

        eval_interval = _parse_eval_interval(d.pop("eval_interval", UNSET))

        def _parse_eval_samples(data: object) -> FineTuneReinforcementHyperparametersEvalSamplesType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                eval_samples_type_0 = FineTuneReinforcementHyperparametersEvalSamplesType0(data)

                return eval_samples_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersEvalSamplesType0 | int | Unset, data)

        eval_samples = _parse_eval_samples(d.pop("eval_samples", UNSET))

        def _parse_num_generations(
            data: object,
        ) -> FineTuneReinforcementHyperparametersNumGenerationsType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                num_generations_type_0 = FineTuneReinforcementHyperparametersNumGenerationsType0(data)

                return num_generations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersNumGenerationsType0 | int | Unset, data)

        num_generations = _parse_num_generations(d.pop("num_generations", UNSET))

        def _parse_beta(data: object) -> FineTuneReinforcementHyperparametersBetaType0 | float | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                beta_type_0 = FineTuneReinforcementHyperparametersBetaType0(data)

                return beta_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersBetaType0 | float | Unset, data)

        beta = _parse_beta(d.pop("beta", UNSET))

        def _parse_epsilon(data: object) -> FineTuneReinforcementHyperparametersEpsilonType0 | float | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                epsilon_type_0 = FineTuneReinforcementHyperparametersEpsilonType0(data)

                return epsilon_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersEpsilonType0 | float | Unset, data)

        epsilon = _parse_epsilon(d.pop("epsilon", UNSET))

        def _parse_temperature(data: object) -> FineTuneReinforcementHyperparametersTemperatureType0 | float | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                temperature_type_0 = FineTuneReinforcementHyperparametersTemperatureType0(data)

                return temperature_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersTemperatureType0 | float | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))

        def _parse_max_completion_tokens(
            data: object,
        ) -> FineTuneReinforcementHyperparametersMaxCompletionTokensType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                max_completion_tokens_type_0 = FineTuneReinforcementHyperparametersMaxCompletionTokensType0(data)

                return max_completion_tokens_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersMaxCompletionTokensType0 | int | Unset, data)

        max_completion_tokens = _parse_max_completion_tokens(d.pop("max_completion_tokens", UNSET))

        def _parse_lora_rank(data: object) -> FineTuneReinforcementHyperparametersLoraRankType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lora_rank_type_0 = FineTuneReinforcementHyperparametersLoraRankType0(data)

                return lora_rank_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersLoraRankType0 | int | Unset, data)

        lora_rank = _parse_lora_rank(d.pop("lora_rank", UNSET))

        def _parse_lora_alpha(data: object) -> FineTuneReinforcementHyperparametersLoraAlphaType0 | int | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lora_alpha_type_0 = FineTuneReinforcementHyperparametersLoraAlphaType0(data)

                return lora_alpha_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersLoraAlphaType0 | int | Unset, data)

        lora_alpha = _parse_lora_alpha(d.pop("lora_alpha", UNSET))

        def _parse_lora_dropout(data: object) -> FineTuneReinforcementHyperparametersLoraDropoutType0 | float | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lora_dropout_type_0 = FineTuneReinforcementHyperparametersLoraDropoutType0(data)

                return lora_dropout_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FineTuneReinforcementHyperparametersLoraDropoutType0 | float | Unset, data)

        lora_dropout = _parse_lora_dropout(d.pop("lora_dropout", UNSET))

        def _parse_lora_target_modules(
            data: object,
        ) -> FineTuneReinforcementHyperparametersLoraTargetModulesType0 | list[str] | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lora_target_modules_type_0 = FineTuneReinforcementHyperparametersLoraTargetModulesType0(data)

                return lora_target_modules_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            lora_target_modules_type_1 = cast(list[str], data)

            return lora_target_modules_type_1

        lora_target_modules = _parse_lora_target_modules(d.pop("lora_target_modules", UNSET))

        fine_tune_reinforcement_hyperparameters = cls(
            batch_size=batch_size,
            learning_rate_multiplier=learning_rate_multiplier,
            n_epochs=n_epochs,
            reasoning_effort=reasoning_effort,
            compute_multiplier=compute_multiplier,
            eval_interval=eval_interval,
            eval_samples=eval_samples,
            num_generations=num_generations,
            beta=beta,
            epsilon=epsilon,
            temperature=temperature,
            max_completion_tokens=max_completion_tokens,
            lora_rank=lora_rank,
            lora_alpha=lora_alpha,
            lora_dropout=lora_dropout,
            lora_target_modules=lora_target_modules,
        )

        fine_tune_reinforcement_hyperparameters.additional_properties = d
        return fine_tune_reinforcement_hyperparameters

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
