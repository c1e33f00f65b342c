"""OpenAI's job event texts that pipelines parse, word for word (OpenAI documents them only by
example); the conformance workflow checks Whetstone's events against them."""

from __future__ import annotations

import re

# "Checkpoint created at step 80 with Snapshot ID:
#  ft:gpt-4o-mini-2024-07-18:org::9A5o2ZbB:ckpt-step-80" (one line)
CHECKPOINT_EVENT = re.compile(
    r"^Checkpoint created at step (?P<step>\d+) with Snapshot ID: "
    r"(?P<snapshot>ft:[^\s:]+(?::[^\s:]*){3}:ckpt-step-(?P=step))$"
)
# "Step 10/10: training loss=0.05, validation loss=0.12, full validation loss=0.09"; the
# validation parts appear only with a validation file, the full one only on the last step.
METRICS_EVENT = re.compile(
    r"^Step (?P<step>\d+)/(?P<total>\d+): training loss=\d+\.\d\d"
    r"(?:, validation loss=\d+\.\d\d)?(?P<full>, full validation loss=\d+\.\d\d)?$"
)
# The statuses of OpenAI's API reference, `pausing` and `paused` among them.
JOB_STATUSES = (
    "validating_files",
    "queued",
    "running",
    "pausing",
    "paused",
    "succeeded",
    "failed",
    "cancelled",
)
