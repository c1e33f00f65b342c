"""Tinker checkpoints REST: training runs, checkpoints, weights info and downloads."""
