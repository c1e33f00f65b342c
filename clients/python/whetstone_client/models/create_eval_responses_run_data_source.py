from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_jsonl_file_content_source import EvalJsonlFileContentSource
    from ..models.eval_jsonl_file_id_source import EvalJsonlFileIdSource
    from ..models.eval_responses_source import EvalResponsesSource
    from ..models.item_reference_input_messages import ItemReferenceInputMessages
    from ..models.responses_run_sampling_params import ResponsesRunSamplingParams
    from ..models.template_input_messages import TemplateInputMessages


T = TypeVar("T", bound="CreateEvalResponsesRunDataSource")


@_attrs_define
class CreateEvalResponsesRunDataSource:
    """Grades stored Responses as they are, or (with `model` and `input_messages`) samples a
    served model on each item again, as a `completions` run does.

        Attributes:
            type_ (Literal['responses']): Always `responses`.
            source (EvalJsonlFileContentSource | EvalJsonlFileIdSource | EvalResponsesSource): What fills the `item`
                namespace.
            model (None | str | Unset): A served model to sample on each item.
            input_messages (ItemReferenceInputMessages | None | TemplateInputMessages | Unset): The messages sent to
                `model`.
            sampling_params (None | ResponsesRunSamplingParams | Unset): Sampling parameters of `model`.
    """

    type_: Literal["responses"]
    source: EvalJsonlFileContentSource | EvalJsonlFileIdSource | EvalResponsesSource
    model: None | str | Unset = UNSET
    input_messages: ItemReferenceInputMessages | None | TemplateInputMessages | Unset = UNSET
    sampling_params: None | ResponsesRunSamplingParams | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_jsonl_file_content_source import EvalJsonlFileContentSource  # noqa: PLC0415
        from ..models.eval_jsonl_file_id_source import EvalJsonlFileIdSource  # noqa: PLC0415
        from ..models.item_reference_input_messages import ItemReferenceInputMessages  # noqa: PLC0415
        from ..models.responses_run_sampling_params import ResponsesRunSamplingParams  # noqa: PLC0415
        from ..models.template_input_messages import TemplateInputMessages  # noqa: PLC0415

        type_ = self.type_

        source: dict[str, Any]
        if isinstance(self.source, EvalJsonlFileContentSource):
            source = self.source.to_dict()
        elif isinstance(self.source, EvalJsonlFileIdSource):
            source = self.source.to_dict()
        else:
            source = self.source.to_dict()

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        input_messages: dict[str, Any] | None | Unset
        if isinstance(self.input_messages, Unset):
            input_messages = UNSET
        elif isinstance(self.input_messages, TemplateInputMessages):
            input_messages = self.input_messages.to_dict()
        elif isinstance(self.input_messages, ItemReferenceInputMessages):
            input_messages = self.input_messages.to_dict()
        else:
            input_messages = self.input_messages

        sampling_params: dict[str, Any] | None | Unset
        if isinstance(self.sampling_params, Unset):
            sampling_params = UNSET
        elif isinstance(self.sampling_params, ResponsesRunSamplingParams):
            sampling_params = self.sampling_params.to_dict()
        else:
            sampling_params = self.sampling_params

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "source": source,
            }
        )
        if model is not UNSET:
            field_dict["model"] = model
        if input_messages is not UNSET:
            field_dict["input_messages"] = input_messages
        if sampling_params is not UNSET:
            field_dict["sampling_params"] = sampling_params

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_jsonl_file_content_source import EvalJsonlFileContentSource  # noqa: PLC0415
        from ..models.eval_jsonl_file_id_source import EvalJsonlFileIdSource  # noqa: PLC0415
        from ..models.eval_responses_source import EvalResponsesSource  # noqa: PLC0415
        from ..models.item_reference_input_messages import ItemReferenceInputMessages  # noqa: PLC0415
        from ..models.responses_run_sampling_params import ResponsesRunSamplingParams  # noqa: PLC0415
        from ..models.template_input_messages import TemplateInputMessages  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["responses"], d.pop("type"))
        if type_ != "responses":
            raise ValueError(f"type must match const 'responses', got '{type_}'")

        def _parse_source(data: object) -> EvalJsonlFileContentSource | EvalJsonlFileIdSource | EvalResponsesSource:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                source_type_0 = EvalJsonlFileContentSource.from_dict(data)

                return source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                source_type_1 = EvalJsonlFileIdSource.from_dict(data)

                return source_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            source_type_2 = EvalResponsesSource.from_dict(data)

            return source_type_2

        source = _parse_source(d.pop("source"))

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_input_messages(data: object) -> ItemReferenceInputMessages | None | TemplateInputMessages | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                input_messages_type_0_type_0 = TemplateInputMessages.from_dict(data)

                return input_messages_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                input_messages_type_0_type_1 = ItemReferenceInputMessages.from_dict(data)

                return input_messages_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ItemReferenceInputMessages | None | TemplateInputMessages | Unset, data)

        input_messages = _parse_input_messages(d.pop("input_messages", UNSET))

        def _parse_sampling_params(data: object) -> None | ResponsesRunSamplingParams | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                sampling_params_type_0 = ResponsesRunSamplingParams.from_dict(data)

                return sampling_params_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponsesRunSamplingParams | Unset, data)

        sampling_params = _parse_sampling_params(d.pop("sampling_params", UNSET))

        create_eval_responses_run_data_source = cls(
            type_=type_,
            source=source,
            model=model,
            input_messages=input_messages,
            sampling_params=sampling_params,
        )

        return create_eval_responses_run_data_source
