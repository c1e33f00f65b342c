"""Checkpoint permissions: an owner's grants of its fine-tuned models to other projects."""
