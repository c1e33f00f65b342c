"""Runs one vLLM server so that none of its processes outlives Whetstone; stdlib only.

Usage: python guard.py WHETSTONE_PID COMMAND... (started by supervisor.py as a session leader).

vLLM's API server spawns an EngineCore and workers; killing the API server alone leaves them
running. The guard runs the server in its own process group and, whichever way it ends (the
server exits or is killed, Whetstone stops it, or Whetstone dies: PR_SET_PDEATHSIG, with a
parent check as a backstop), terminates the whole group, itself included. It is run as a
script, not imported, so it starts without loading Whetstone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1
# How long the server gets to stop its children after SIGTERM before the group is killed.
GRACE_SECONDS = 5.0


def main(argv: list[str]) -> int:
    """Run the command until it ends or Whetstone goes; then end the process group."""
    whetstone_pid, command = int(argv[0]), argv[1:]
    ending = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal ending
        ending = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    # Not on Linux, there is no prctl: the parent check below still ends the group.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    server = subprocess.Popen(command)
    code: int | None = None
    while code is None and not ending and os.getppid() == whetstone_pid:
        try:
            code = server.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
    if code is None:
        server.terminate()
        try:
            code = server.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            code = -signal.SIGKILL
    print(f"whetstone: vLLM server exited with code {code}", file=sys.stderr, flush=True)
    time.sleep(0.1)
    # Whatever the server left behind (EngineCore, workers) goes with the group, and so do we.
    os.killpg(os.getpgrp(), signal.SIGKILL)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
