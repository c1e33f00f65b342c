from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.reasoning_context_type_0 import ReasoningContextType0
from ..models.reasoning_effort_type_0 import ReasoningEffortType0
from ..models.reasoning_generate_summary_type_0 import ReasoningGenerateSummaryType0
from ..models.reasoning_summary_type_0 import ReasoningSummaryType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="Reasoning")


@_attrs_define
class Reasoning:
    """Options of a reasoning model (the reasoning aliases and `ft:` models tuned from them).

    Attributes:
        effort (None | ReasoningEffortType0 | Unset): Accepted and echoed; the reasoning is always empty.
        summary (None | ReasoningSummaryType0 | Unset): Accepted and echoed; the reasoning item's summary is empty.
        generate_summary (None | ReasoningGenerateSummaryType0 | Unset): Deprecated `summary`.
        mode (None | str | Unset): Accepted and echoed.
        context (None | ReasoningContextType0 | Unset): Accepted and echoed.
    """

    effort: None | ReasoningEffortType0 | Unset = UNSET
    summary: None | ReasoningSummaryType0 | Unset = UNSET
    generate_summary: None | ReasoningGenerateSummaryType0 | Unset = UNSET
    mode: None | str | Unset = UNSET
    context: None | ReasoningContextType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        effort: None | str | Unset
        if isinstance(self.effort, Unset):
            effort = UNSET
        elif isinstance(self.effort, ReasoningEffortType0):
            effort = self.effort.value
        else:
            effort = self.effort

        summary: None | str | Unset
        if isinstance(self.summary, Unset):
            summary = UNSET
        elif isinstance(self.summary, ReasoningSummaryType0):
            summary = self.summary.value
        else:
            summary = self.summary

        generate_summary: None | str | Unset
        if isinstance(self.generate_summary, Unset):
            generate_summary = UNSET
        elif isinstance(self.generate_summary, ReasoningGenerateSummaryType0):
            generate_summary = self.generate_summary.value
        else:
            generate_summary = self.generate_summary

        mode: None | str | Unset
        if isinstance(self.mode, Unset):
            mode = UNSET
        else:
            mode = self.mode

        context: None | str | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        elif isinstance(self.context, ReasoningContextType0):
            context = self.context.value
        else:
            context = self.context

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if effort is not UNSET:
            field_dict["effort"] = effort
        if summary is not UNSET:
            field_dict["summary"] = summary
        if generate_summary is not UNSET:
            field_dict["generate_summary"] = generate_summary
        if mode is not UNSET:
            field_dict["mode"] = mode
        if context is not UNSET:
            field_dict["context"] = context

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_effort(data: object) -> None | ReasoningEffortType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                effort_type_0 = ReasoningEffortType0(data)

                return effort_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReasoningEffortType0 | Unset, data)

        effort = _parse_effort(d.pop("effort", UNSET))

        def _parse_summary(data: object) -> None | ReasoningSummaryType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                summary_type_0 = ReasoningSummaryType0(data)

                return summary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReasoningSummaryType0 | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))

        def _parse_generate_summary(data: object) -> None | ReasoningGenerateSummaryType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                generate_summary_type_0 = ReasoningGenerateSummaryType0(data)

                return generate_summary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReasoningGenerateSummaryType0 | Unset, data)

        generate_summary = _parse_generate_summary(d.pop("generate_summary", UNSET))

        def _parse_mode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mode = _parse_mode(d.pop("mode", UNSET))

        def _parse_context(data: object) -> None | ReasoningContextType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                context_type_0 = ReasoningContextType0(data)

                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReasoningContextType0 | Unset, data)

        context = _parse_context(d.pop("context", UNSET))

        reasoning = cls(
            effort=effort,
            summary=summary,
            generate_summary=generate_summary,
            mode=mode,
            context=context,
        )

        return reasoning
