"""Imported first by the workers' forkserver, for its side effect: it ignores SIGTERM.

A service manager's SIGTERM reaches the server's whole process group. The server handles it:
it records each job's release ("Server shutting down") and then ends its workers. Had the
forkserver died of that signal first, every worker it forked would read as exited (code 255)
while the server still watched it, and its job would count a crash instead of a release. The
forkserver still ends with the server: it exits when the server's end of its pipe closes.
"""

from __future__ import annotations

import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)
