"""Whetstone's own engine: the batching loop, stacked LoRA layers and adapter slots (torch).

Nothing imports this package until a base model is first served, so the API process starts
without torch.
"""
