from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.response_status import ResponseStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.incomplete_details import IncompleteDetails
    from ..models.reasoning import Reasoning
    from ..models.response_error import ResponseError
    from ..models.response_function_tool_call import ResponseFunctionToolCall
    from ..models.response_metadata import ResponseMetadata
    from ..models.response_output_message import ResponseOutputMessage
    from ..models.response_reasoning_item import ResponseReasoningItem
    from ..models.response_text import ResponseText
    from ..models.response_tool_choice_type_1 import ResponseToolChoiceType1
    from ..models.response_tools_item import ResponseToolsItem
    from ..models.response_usage import ResponseUsage


T = TypeVar("T", bound="Response")


@_attrs_define
class Response:
    """A model response (`response`).

    Attributes:
        id (str): Identifier of the response (`resp_...`).
        created_at (int): Unix seconds when the response was created.
        status (ResponseStatus): Where the response stands.
        model (str): The model as requested.
        output (list[ResponseFunctionToolCall | ResponseOutputMessage | ResponseReasoningItem]): Output items: an empty
            reasoning item (reasoning models), messages and function calls.
        text (ResponseText): The output format (`format`).
        tool_choice (ResponseToolChoiceType1 | str): The request's tool_choice.
        tools (list[ResponseToolsItem]): The request's tools.
        object_ (Literal['response'] | Unset): Always `response`. Default: 'response'.
        completed_at (int | None | Unset): Unix seconds when it completed.
        background (bool | Unset): Whether it runs in the background. Default: False.
        error (None | ResponseError | Unset): Set when the response failed.
        incomplete_details (IncompleteDetails | None | Unset): Set when the response is incomplete.
        instructions (None | str | Unset): The request's instructions.
        max_output_tokens (int | None | Unset): The request's max_output_tokens.
        parallel_tool_calls (bool | Unset): Whether several calls were allowed. Default: True.
        previous_response_id (None | str | Unset): The response it continues.
        reasoning (None | Reasoning | Unset): A reasoning model's options (effort, summary); null for others.
        service_tier (str | Unset): Always `default`. Default: 'default'.
        store (bool | Unset): Whether the response is stored. Default: True.
        temperature (float | Unset): The sampling temperature used. Default: 1.0.
        top_p (float | Unset): The nucleus mass used. Default: 1.0.
        truncation (Literal['disabled'] | Unset): Always `disabled`. Default: 'disabled'.
        usage (None | ResponseUsage | Unset): Token counts, once generated (absent before).
        user (None | str | Unset): The request's user, if any.
        metadata (ResponseMetadata | Unset): The request's metadata.
    """

    id: str
    created_at: int
    status: ResponseStatus
    model: str
    output: list[ResponseFunctionToolCall | ResponseOutputMessage | ResponseReasoningItem]
    text: ResponseText
    tool_choice: ResponseToolChoiceType1 | str
    tools: list[ResponseToolsItem]
    object_: Literal["response"] | Unset = "response"
    completed_at: int | None | Unset = UNSET
    background: bool | Unset = False
    error: None | ResponseError | Unset = UNSET
    incomplete_details: IncompleteDetails | None | Unset = UNSET
    instructions: None | str | Unset = UNSET
    max_output_tokens: int | None | Unset = UNSET
    parallel_tool_calls: bool | Unset = True
    previous_response_id: None | str | Unset = UNSET
    reasoning: None | Reasoning | Unset = UNSET
    service_tier: str | Unset = "default"
    store: bool | Unset = True
    temperature: float | Unset = 1.0
    top_p: float | Unset = 1.0
    truncation: Literal["disabled"] | Unset = "disabled"
    usage: None | ResponseUsage | Unset = UNSET
    user: None | str | Unset = UNSET
    metadata: ResponseMetadata | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.incomplete_details import IncompleteDetails  # noqa: PLC0415
        from ..models.reasoning import Reasoning  # noqa: PLC0415
        from ..models.response_error import ResponseError  # noqa: PLC0415
        from ..models.response_output_message import ResponseOutputMessage  # noqa: PLC0415
        from ..models.response_reasoning_item import ResponseReasoningItem  # noqa: PLC0415
        from ..models.response_tool_choice_type_1 import ResponseToolChoiceType1  # noqa: PLC0415
        from ..models.response_usage import ResponseUsage  # noqa: PLC0415

        id = self.id

        created_at = self.created_at

        status = self.status.value

        model = self.model

        output = []
        for output_item_data in self.output:
            output_item: dict[str, Any]
            if isinstance(output_item_data, ResponseReasoningItem):
                output_item = output_item_data.to_dict()
            elif isinstance(output_item_data, ResponseOutputMessage):
                output_item = output_item_data.to_dict()
            else:
                output_item = output_item_data.to_dict()

            output.append(output_item)

        text = self.text.to_dict()

        tool_choice: dict[str, Any] | str
        if isinstance(self.tool_choice, ResponseToolChoiceType1):
            tool_choice = self.tool_choice.to_dict()
        else:
            tool_choice = self.tool_choice

        tools = []
        for tools_item_data in self.tools:
            tools_item = tools_item_data.to_dict()
            tools.append(tools_item)

        object_ = self.object_

        completed_at: int | None | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        else:
            completed_at = self.completed_at

        background = self.background

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, ResponseError):
            error = self.error.to_dict()
        else:
            error = self.error

        incomplete_details: dict[str, Any] | None | Unset
        if isinstance(self.incomplete_details, Unset):
            incomplete_details = UNSET
        elif isinstance(self.incomplete_details, IncompleteDetails):
            incomplete_details = self.incomplete_details.to_dict()
        else:
            incomplete_details = self.incomplete_details

        instructions: None | str | Unset
        if isinstance(self.instructions, Unset):
            instructions = UNSET
        else:
            instructions = self.instructions

        max_output_tokens: int | None | Unset
        if isinstance(self.max_output_tokens, Unset):
            max_output_tokens = UNSET
        else:
            max_output_tokens = self.max_output_tokens

        parallel_tool_calls = self.parallel_tool_calls

        previous_response_id: None | str | Unset
        if isinstance(self.previous_response_id, Unset):
            previous_response_id = UNSET
        else:
            previous_response_id = self.previous_response_id

        reasoning: dict[str, Any] | None | Unset
        if isinstance(self.reasoning, Unset):
            reasoning = UNSET
        elif isinstance(self.reasoning, Reasoning):
            reasoning = self.reasoning.to_dict()
        else:
            reasoning = self.reasoning

        service_tier = self.service_tier

        store = self.store

        temperature = self.temperature

        top_p = self.top_p

        truncation = self.truncation

        usage: dict[str, Any] | None | Unset
        if isinstance(self.usage, Unset):
            usage = UNSET
        elif isinstance(self.usage, ResponseUsage):
            usage = self.usage.to_dict()
        else:
            usage = self.usage

        user: None | str | Unset
        if isinstance(self.user, Unset):
            user = UNSET
        else:
            user = self.user

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "status": status,
                "model": model,
                "output": output,
                "text": text,
                "tool_choice": tool_choice,
                "tools": tools,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if background is not UNSET:
            field_dict["background"] = background
        if error is not UNSET:
            field_dict["error"] = error
        if incomplete_details is not UNSET:
            field_dict["incomplete_details"] = incomplete_details
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if max_output_tokens is not UNSET:
            field_dict["max_output_tokens"] = max_output_tokens
        if parallel_tool_calls is not UNSET:
            field_dict["parallel_tool_calls"] = parallel_tool_calls
        if previous_response_id is not UNSET:
            field_dict["previous_response_id"] = previous_response_id
        if reasoning is not UNSET:
            field_dict["reasoning"] = reasoning
        if service_tier is not UNSET:
            field_dict["service_tier"] = service_tier
        if store is not UNSET:
            field_dict["store"] = store
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if truncation is not UNSET:
            field_dict["truncation"] = truncation
        if usage is not UNSET:
            field_dict["usage"] = usage
        if user is not UNSET:
            field_dict["user"] = user
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.incomplete_details import IncompleteDetails  # noqa: PLC0415
        from ..models.reasoning import Reasoning  # noqa: PLC0415
        from ..models.response_error import ResponseError  # noqa: PLC0415
        from ..models.response_function_tool_call import ResponseFunctionToolCall  # noqa: PLC0415
        from ..models.response_metadata import ResponseMetadata  # noqa: PLC0415
        from ..models.response_output_message import ResponseOutputMessage  # noqa: PLC0415
        from ..models.response_reasoning_item import ResponseReasoningItem  # noqa: PLC0415
        from ..models.response_text import ResponseText  # noqa: PLC0415
        from ..models.response_tool_choice_type_1 import ResponseToolChoiceType1  # noqa: PLC0415
        from ..models.response_tools_item import ResponseToolsItem  # noqa: PLC0415
        from ..models.response_usage import ResponseUsage  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        created_at = d.pop("created_at")

        status = ResponseStatus(d.pop("status"))

        model = d.pop("model")

        output = []
        _output = d.pop("output")
        for output_item_data in _output:

            def _parse_output_item(
                data: object,
            ) -> ResponseFunctionToolCall | ResponseOutputMessage | ResponseReasoningItem:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    output_item_type_0 = ResponseReasoningItem.from_dict(data)

                    return output_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    output_item_type_1 = ResponseOutputMessage.from_dict(data)

                    return output_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                output_item_type_2 = ResponseFunctionToolCall.from_dict(data)

                return output_item_type_2

            output_item = _parse_output_item(output_item_data)

            output.append(output_item)

        text = ResponseText.from_dict(d.pop("text"))

        def _parse_tool_choice(data: object) -> ResponseToolChoiceType1 | str:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tool_choice_type_1 = ResponseToolChoiceType1.from_dict(data)

                return tool_choice_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ResponseToolChoiceType1 | str, data)

        tool_choice = _parse_tool_choice(d.pop("tool_choice"))

        tools = []
        _tools = d.pop("tools")
        for tools_item_data in _tools:
            tools_item = ResponseToolsItem.from_dict(tools_item_data)

            tools.append(tools_item)

        object_ = cast(Literal["response"] | Unset, d.pop("object", UNSET))
        if object_ != "response" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'response', got '{object_}'")

        def _parse_completed_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        background = d.pop("background", UNSET)

        def _parse_error(data: object) -> None | ResponseError | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = ResponseError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponseError | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_incomplete_details(data: object) -> IncompleteDetails | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                incomplete_details_type_0 = IncompleteDetails.from_dict(data)

                return incomplete_details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(IncompleteDetails | None | Unset, data)

        incomplete_details = _parse_incomplete_details(d.pop("incomplete_details", UNSET))

        def _parse_instructions(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions = _parse_instructions(d.pop("instructions", UNSET))

        def _parse_max_output_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_output_tokens = _parse_max_output_tokens(d.pop("max_output_tokens", UNSET))

        parallel_tool_calls = d.pop("parallel_tool_calls", UNSET)

        def _parse_previous_response_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_response_id = _parse_previous_response_id(d.pop("previous_response_id", UNSET))

        def _parse_reasoning(data: object) -> None | Reasoning | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reasoning_type_0 = Reasoning.from_dict(data)

                return reasoning_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Reasoning | Unset, data)

        reasoning = _parse_reasoning(d.pop("reasoning", UNSET))

        service_tier = d.pop("service_tier", UNSET)

        store = d.pop("store", UNSET)

        temperature = d.pop("temperature", UNSET)

        top_p = d.pop("top_p", UNSET)

        truncation = cast(Literal["disabled"] | Unset, d.pop("truncation", UNSET))
        if truncation != "disabled" and not isinstance(truncation, Unset):
            raise ValueError(f"truncation must match const 'disabled', got '{truncation}'")

        def _parse_usage(data: object) -> None | ResponseUsage | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                usage_type_0 = ResponseUsage.from_dict(data)

                return usage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponseUsage | Unset, data)

        usage = _parse_usage(d.pop("usage", UNSET))

        def _parse_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user = _parse_user(d.pop("user", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: ResponseMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = ResponseMetadata.from_dict(_metadata)

        response = cls(
            id=id,
            created_at=created_at,
            status=status,
            model=model,
            output=output,
            text=text,
            tool_choice=tool_choice,
            tools=tools,
            object_=object_,
            completed_at=completed_at,
            background=background,
            error=error,
            incomplete_details=incomplete_details,
            instructions=instructions,
            max_output_tokens=max_output_tokens,
            parallel_tool_calls=parallel_tool_calls,
            previous_response_id=previous_response_id,
            reasoning=reasoning,
            service_tier=service_tier,
            store=store,
            temperature=temperature,
            top_p=top_p,
            truncation=truncation,
            usage=usage,
            user=user,
            metadata=metadata,
        )

        response.additional_properties = d
        return response

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
