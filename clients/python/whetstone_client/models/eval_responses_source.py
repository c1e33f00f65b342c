from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_responses_source_metadata_type_0 import EvalResponsesSourceMetadataType0


T = TypeVar("T", bound="EvalResponsesSource")


@_attrs_define
class EvalResponsesSource:
    """The project's stored Responses (completed or incomplete), newest first, filtered.

    Attributes:
        type_ (Literal['responses']): Always `responses`.
        limit (int | None | Unset): At most this many responses, the newest (OpenAI's notebooks).
        model (None | str | Unset): Only responses of this model (as requested).
        metadata (EvalResponsesSourceMetadataType0 | None | Unset): Only responses whose metadata has these pairs.
        created_after (int | None | Unset): Created at or after (Unix s).
        created_before (int | None | Unset): Created at or before (Unix s).
        instructions_search (None | str | Unset): Only responses whose instructions contain this text.
        users (list[str] | None | Unset): Only responses of these `user`s.
        temperature (float | None | Unset): Only responses with this temperature.
        top_p (float | None | Unset): Only responses with this top_p.
        reasoning_effort (None | str | Unset): Only responses of a reasoning model with this effort.
        tools (list[str] | None | Unset): Refused: a 400 naming it.
    """

    type_: Literal["responses"]
    limit: int | None | Unset = UNSET
    model: None | str | Unset = UNSET
    metadata: EvalResponsesSourceMetadataType0 | None | Unset = UNSET
    created_after: int | None | Unset = UNSET
    created_before: int | None | Unset = UNSET
    instructions_search: None | str | Unset = UNSET
    users: list[str] | None | Unset = UNSET
    temperature: float | None | Unset = UNSET
    top_p: float | None | Unset = UNSET
    reasoning_effort: None | str | Unset = UNSET
    tools: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_responses_source_metadata_type_0 import EvalResponsesSourceMetadataType0  # noqa: PLC0415

        type_ = self.type_

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, EvalResponsesSourceMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        created_after: int | None | Unset
        if isinstance(self.created_after, Unset):
            created_after = UNSET
        else:
            created_after = self.created_after

        created_before: int | None | Unset
        if isinstance(self.created_before, Unset):
            created_before = UNSET
        else:
            created_before = self.created_before

        instructions_search: None | str | Unset
        if isinstance(self.instructions_search, Unset):
            instructions_search = UNSET
        else:
            instructions_search = self.instructions_search

        users: list[str] | None | Unset
        if isinstance(self.users, Unset):
            users = UNSET
        elif isinstance(self.users, list):
            users = self.users

        else:
            users = self.users

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature

        top_p: float | None | Unset
        if isinstance(self.top_p, Unset):
            top_p = UNSET
        else:
            top_p = self.top_p

        reasoning_effort: None | str | Unset
        if isinstance(self.reasoning_effort, Unset):
            reasoning_effort = UNSET
        else:
            reasoning_effort = self.reasoning_effort

        tools: list[str] | None | Unset
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, list):
            tools = self.tools

        else:
            tools = self.tools

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if limit is not UNSET:
            field_dict["limit"] = limit
        if model is not UNSET:
            field_dict["model"] = model
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if created_after is not UNSET:
            field_dict["created_after"] = created_after
        if created_before is not UNSET:
            field_dict["created_before"] = created_before
        if instructions_search is not UNSET:
            field_dict["instructions_search"] = instructions_search
        if users is not UNSET:
            field_dict["users"] = users
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if top_p is not UNSET:
            field_dict["top_p"] = top_p
        if reasoning_effort is not UNSET:
            field_dict["reasoning_effort"] = reasoning_effort
        if tools is not UNSET:
            field_dict["tools"] = tools

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_responses_source_metadata_type_0 import EvalResponsesSourceMetadataType0  # noqa: PLC0415

        d = dict(src_dict)
        type_ = cast(Literal["responses"], d.pop("type"))
        if type_ != "responses":
            raise ValueError(f"type must match const 'responses', got '{type_}'")

        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_metadata(data: object) -> EvalResponsesSourceMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = EvalResponsesSourceMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvalResponsesSourceMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_created_after(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        created_after = _parse_created_after(d.pop("created_after", UNSET))

        def _parse_created_before(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        created_before = _parse_created_before(d.pop("created_before", UNSET))

        def _parse_instructions_search(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions_search = _parse_instructions_search(d.pop("instructions_search", UNSET))

        def _parse_users(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                users_type_0 = cast(list[str], data)

                return users_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        users = _parse_users(d.pop("users", UNSET))

        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))

        def _parse_top_p(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        top_p = _parse_top_p(d.pop("top_p", UNSET))

        def _parse_reasoning_effort(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reasoning_effort = _parse_reasoning_effort(d.pop("reasoning_effort", UNSET))

        def _parse_tools(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tools_type_0 = cast(list[str], data)

                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))

        eval_responses_source = cls(
            type_=type_,
            limit=limit,
            model=model,
            metadata=metadata,
            created_after=created_after,
            created_before=created_before,
            instructions_search=instructions_search,
            users=users,
            temperature=temperature,
            top_p=top_p,
            reasoning_effort=reasoning_effort,
            tools=tools,
        )

        return eval_responses_source
