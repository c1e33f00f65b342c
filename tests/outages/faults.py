"""Fault injection: a TCP proxy that can stop answering like a dead or partitioned server.

The proxy sits on 127.0.0.1 between the server and PostgreSQL. Its modes:

- `forward`: relay bytes both ways;
- `refuse`: the listener is closed, so a connect is refused (a database that is down);
- `reset`: a connection is accepted, then closed with an RST (SO_LINGER 0);
- `blackhole`: a connection is accepted and nothing is ever relayed (a partition, or a server
  that stopped answering). Connections relayed so far stop relaying too, so a pooled
  connection hangs exactly as a new one does.

Leaving `forward` resets the relayed connections in `refuse` and `reset` mode (a restarted
database drops its sessions); coming back to `forward` resets the frozen ones.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from typing import Literal

from tests.harness import free_port

Mode = Literal["forward", "refuse", "reset", "blackhole"]


def _reset(sock: socket.socket) -> None:
    """Close `sock` with an RST instead of a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class _Relay:
    """One proxied connection: two sockets and the thread that pumps between them."""

    def __init__(self, proxy: FaultProxy, client: socket.socket, upstream: socket.socket):
        self.proxy, self.client, self.upstream = proxy, client, upstream
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._pump, daemon=True, name="fault-relay")

    def _pump(self) -> None:
        peers = {self.client: self.upstream, self.upstream: self.client}
        try:
            while not self.closed.is_set():
                if self.proxy.mode != "forward":
                    # Frozen: read nothing, so nothing reaches the other side.
                    self.closed.wait(0.05)
                    continue
                ready, _, _ = select.select(list(peers), [], [], 0.05)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except OSError:
            return
        finally:
            self.close(rst=False)
            with self.proxy._lock:
                self.proxy._relays.discard(self)

    def close(self, *, rst: bool) -> None:
        """Close both sockets (with an RST when `rst`)."""
        self.closed.set()
        for sock in (self.client, self.upstream):
            if rst:
                _reset(sock)
            else:
                with contextlib.suppress(OSError):
                    sock.close()


class FaultProxy:
    """A TCP proxy on 127.0.0.1 whose mode a test switches while the server runs."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.mode: Mode = "forward"
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._relays: set[_Relay] = set()
        self._held: list[socket.socket] = []  # blackholed connections, kept open
        self._stopped = threading.Event()
        self._acceptor: threading.Thread | None = None

    def start(self) -> FaultProxy:
        """Listen and start accepting."""
        self._open_listener()
        self._acceptor = threading.Thread(
            target=self._accept_loop, daemon=True, name="fault-accept"
        )
        self._acceptor.start()
        return self

    def set_mode(self, mode: Mode) -> None:
        """Switch the behaviour for new and existing connections."""
        with self._lock:
            previous, self.mode = self.mode, mode
            if mode in ("refuse", "reset") or (previous == "blackhole" and mode == "forward"):
                for relay in list(self._relays):
                    relay.close(rst=True)
                self._relays.clear()
                for sock in self._held:
                    _reset(sock)
                self._held.clear()
            if mode == "refuse":
                self._close_listener()
            elif self._listener is None:
                self._open_listener()

    def stop(self) -> None:
        """Stop accepting and close every connection."""
        self._stopped.set()
        self.set_mode("refuse")
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)

    def _open_listener(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self._listener = listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                self._stopped.wait(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            self._handle(client)

    def _handle(self, client: socket.socket) -> None:
        with self._lock:
            mode = self.mode
            if mode == "blackhole":
                self._held.append(client)
                return
        if mode != "forward":
            _reset(client)
            return
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _reset(client)
            return
        relay = _Relay(self, client, upstream)
        with self._lock:
            self._relays.add(relay)
        relay.thread.start()
