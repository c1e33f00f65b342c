"""What chat completions, legacy completions and the Responses API share: refusing what cannot
be served, fitting the prompt in the context, starting a generation, and streaming a choice
under tools.

Every front end that serves text (completions, responses, and the clouds' runtimes) renders
its prompt, then hands a PreparedCompletion to `start_generation`; the refusals and the
context check here keep their wording identical across endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.catalog import BaseModelEntry
from service.completions.schemas import ChoiceDelta, ChoiceDeltaFunctionCall, ChoiceDeltaToolCall
from service.completions.tools import Family, ToolCall, ToolPlan, family_of, held_from
from service.core.errors import InvalidRequestError
from service.inference import Generation, InferenceService, PreparedPrompt, SamplingParams
from service.models.operations import ServedModel


@dataclass(frozen=True)
class PreparedCompletion:
    """A validated request, ready for the engine."""

    served: ServedModel
    prompts: list[PreparedPrompt]
    params: SamplingParams
    n: int
    include_usage: bool
    tools: ToolPlan | None = None


def refuse_unsupported(param: str, what: str) -> InvalidRequestError:
    """The 400 for a documented parameter Whetstone cannot honour; `what` says why."""
    return InvalidRequestError(
        f"'{param}' is not supported by Whetstone: {what}.",
        param=param,
        code="unsupported_parameter",
    )


def fit_context(
    entry: BaseModelEntry, prompt_tokens: int, max_tokens: int | None, prompt_param: str
) -> int:
    """The max_tokens to use; 400 when the prompt plus max_tokens exceed the context."""
    limit = entry.context_length
    if prompt_tokens >= limit:
        raise InvalidRequestError(
            f"This model's maximum context length is {limit} tokens. However, your "
            f"{prompt_param} resulted in {prompt_tokens} tokens. Please reduce the length of "
            f"the {prompt_param}.",
            param=prompt_param,
            code="context_length_exceeded",
        )
    if max_tokens is None:
        return limit - prompt_tokens
    if prompt_tokens + max_tokens > limit:
        raise InvalidRequestError(
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{prompt_tokens + max_tokens} tokens ({prompt_tokens} in the {prompt_param}, "
            f"{max_tokens} in the completion). Please reduce the length of the {prompt_param} "
            "or completion.",
            param="max_tokens",
            code="context_length_exceeded",
        )
    return max_tokens


def untrained(served: ServedModel) -> bool:
    """True for the emulator's own random weights (no adapter): a model that never chooses to
    close what a grammar opens, so its grammars admit only short values."""
    return served.entry.emulator and served.adapter is None


async def tool_family(inference: InferenceService, entry: BaseModelEntry) -> Family:
    """How the base model writes tool calls: its models-file parser, else its chat template's."""
    tokenizer = await inference.tokenizer(entry)
    return family_of(tokenizer.chat_template, parser=entry.tool_parser)


async def start_generation(inference: InferenceService, prepared: PreparedCompletion) -> Generation:
    """Hand the prepared prompts to the engine; a failure to start raises here."""
    return await inference.generate(
        prepared.served.entry,
        prepared.served.adapter,
        prepared.prompts,
        prepared.params,
        n=prepared.n,
    )


class ToolStream:
    """One choice's stream under tools: content deltas, then tool-call deltas (shared by chat
    and Responses)."""

    def __init__(self, plan: ToolPlan):
        self.plan = plan
        self.text = ""
        self.sent = 0
        self.calls: list[ToolCall] = []
        self._named_call: ToolCall | None = None

    def push(self, text: str) -> list[ChoiceDelta]:
        """Deltas that can be sent now that `text` was generated."""
        self.text += text
        if self.plan.mode == "named":
            # The output is the named call's arguments: stream them as they come.
            assert self.plan.named is not None
            deltas = []
            if self._named_call is None:
                self._named_call = ToolCall(name=self.plan.named.name, arguments="")
                deltas.append(self._opening(0, self._named_call))
            if text:
                deltas.append(self._arguments(0, text))
            return deltas
        if self.plan.mode == "required":
            return []
        if self.plan.mode == "none":
            held = len(self.text)
        else:
            held = max(self.sent, held_from(self.plan.family, self.text))
        if held <= self.sent:
            return []
        content, self.sent = self.text[self.sent : held], held
        return [ChoiceDelta(content=content)]

    def end(self, length: bool) -> list[ChoiceDelta]:
        """The deltas that close the choice: held content, or the calls."""
        if self.plan.mode == "named":
            deltas = [] if self._named_call is not None else self.push("")
            assert self._named_call is not None
            self.calls = [self._named_call]
            return deltas
        content, self.calls = self.plan.finish(self.text, length)
        if not self.calls:
            rest = self.text[self.sent :] if content is not None else ""
            return [ChoiceDelta(content=rest)] if rest else []
        deltas = []
        for index, call in enumerate(self.calls):
            deltas.append(self._opening(index, call))
            deltas.append(self._arguments(index, call.arguments))
        return deltas

    @staticmethod
    def _opening(index: int, call: ToolCall) -> ChoiceDelta:
        opening = ChoiceDeltaToolCall(
            index=index,
            id=call.id,
            type="function",
            function=ChoiceDeltaFunctionCall(name=call.name, arguments=""),
        )
        return ChoiceDelta(tool_calls=[opening])

    @staticmethod
    def _arguments(index: int, arguments: str) -> ChoiceDelta:
        part = ChoiceDeltaToolCall(
            index=index, function=ChoiceDeltaFunctionCall(arguments=arguments)
        )
        return ChoiceDelta(tool_calls=[part])
