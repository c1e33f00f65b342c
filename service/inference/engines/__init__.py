"""The serving engines, each serving one base model."""
