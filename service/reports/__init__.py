"""The data report of a training file: what its lines hold, what they cost, what to fix."""
