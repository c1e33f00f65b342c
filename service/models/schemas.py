"""Wire models of /v1/models: Model, the list of models, and DeleteModelResponse."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Model(BaseModel):
    """A model that can be used with the completions endpoints."""

    id: str = Field(description="The model identifier, as given to the completions endpoints.")
    object: Literal["model"] = Field("model", description="Always `model`.")
    created: int = Field(description="Unix seconds when the model was created.")
    owned_by: str = Field(description="The organization that owns the model.")


class ModelList(BaseModel):
    """Every model the caller may use."""

    object: Literal["list"] = Field("list", description="Always `list`.")
    data: list[Model] = Field(description="The models.")


class ModelDeleted(BaseModel):
    """The answer to deleting a fine-tuned model."""

    id: str = Field(description="The deleted model's identifier.")
    object: Literal["model"] = Field("model", description="Always `model`.")
    deleted: bool = Field(description="Whether the model was deleted.")
