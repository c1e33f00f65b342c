"""score_model and label_model graders of a reinforcement job, answered inside its worker.

The API answers grader models through its inference engine (service/completions/sampler.py);
a training worker may run on another machine, so it loads the models the grader names itself,
once each, beside the model it trains. The worker resolves the names (base models and `ft:`
models the job's project may use) and downloads their adapters before training starts; this
module only loads and samples them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import torch
from peft import PeftModel, PeftModelForCausalLM
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from service.catalog.loading import load_model, load_tokenizer
from service.graders.model_sampler import ChatReply, ChatRequest, ModelSamplingError
from service.training.contract import GraderModel
from service.training.objective import decode_text, generate


class LocalModelSampler:
    """A ModelSampler over models loaded in this process."""

    def __init__(
        self,
        models: dict[str, GraderModel],
        *,
        device: torch.device,
        autocast: Callable[[], AbstractContextManager[None]],
    ):
        self.models = models
        self.device = device
        self.autocast = autocast
        self._loaded: dict[
            str, tuple[PeftModelForCausalLM | PreTrainedModel, PreTrainedTokenizerBase]
        ] = {}

    async def chat(self, request: ChatRequest) -> ChatReply:
        """One reply of the named model: greedy at temperature 0, else sampled."""
        entry = self.models.get(request.model)
        if entry is None:
            raise ModelSamplingError(f"The model '{request.model}' is not loaded in this job.")
        model, tokenizer = self._load(request.model, entry)
        text = tokenizer.apply_chat_template(
            request.messages, tokenize=False, add_generation_prompt=True
        )
        prompt = list(tokenizer(text, add_special_tokens=False)["input_ids"])
        room = entry.context_length - len(prompt)
        if room <= 0:
            raise ModelSamplingError(
                f"The grader prompt has {len(prompt)} tokens; the model's context is "
                f"{entry.context_length}."
            )
        input_ids = torch.tensor([prompt], device=self.device)
        options: dict[str, bool | float] = (
            {"do_sample": False}
            if request.temperature == 0
            else {"do_sample": True, "temperature": request.temperature, "top_p": request.top_p}
        )
        with torch.no_grad(), self.autocast():
            output = generate(
                model,
                input_ids=input_ids,
                attention_mask=torch.ones_like(input_ids),
                max_new_tokens=min(request.max_tokens, room),
                eos_token_id=tokenizer.eos_token_id,
                pad_token_id=tokenizer.pad_token_id,
                top_k=0,
                **options,
            )
        completion = output[0, len(prompt) :].tolist()
        finished = tokenizer.eos_token_id in completion
        if finished:
            completion = completion[: completion.index(tokenizer.eos_token_id)]
        return ChatReply(
            text=decode_text(tokenizer, completion),
            prompt_tokens=len(prompt),
            completion_tokens=len(completion) + int(finished),
            finish_reason="stop" if finished else "length",
        )

    def _load(
        self, name: str, entry: GraderModel
    ) -> tuple[PeftModelForCausalLM | PreTrainedModel, PreTrainedTokenizerBase]:
        if name not in self._loaded:
            model: PeftModelForCausalLM | PreTrainedModel = load_model(
                entry.model_dir, device=str(self.device)
            )
            if entry.adapter_dir is not None:
                adapted = PeftModel.from_pretrained(model, str(entry.adapter_dir))
                if not isinstance(adapted, PeftModelForCausalLM):
                    raise ModelSamplingError(f"The adapter of '{name}' is not a causal LM's.")
                model = adapted
            model.eval()
            for parameter in model.parameters():
                parameter.requires_grad_(False)
            self._loaded[name] = (model, load_tokenizer(entry.model_dir))
        return self._loaded[name]
