"""A server that trickles: on a bare socket on 127.0.0.1 (or ::1), it answers robots.txt at once
with a 404 and every other request with headers promising a large body, then sends that body one
byte at a time, a pause between bytes, until it is stopped. Every read gets a byte well within
any read timeout, so only a deadline on the whole request can end one."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

ROBOTS_404 = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass
class Trickle:
    pause: float = 0.05
    """Seconds between two bytes of a body."""
    content_type: str = "text/html"
    paths: list[str] = field(default_factory=list)
    """Paths asked for, robots.txt included, in order."""
    _stop: threading.Event = field(default_factory=threading.Event)

    @contextmanager
    def running(self, host: str = "127.0.0.1") -> Iterator[str]:
        """Serve in background threads; yields the base URL, and stops everything on exit."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.create_server((host, 0), family=family)
        listener.settimeout(0.05)
        handlers: list[threading.Thread] = []

        def accept() -> None:
            while not self._stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                handler = threading.Thread(target=self._handle, args=(conn,))
                handlers.append(handler)
                handler.start()

        acceptor = threading.Thread(target=accept)
        acceptor.start()
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        try:
            yield f"http://{shown}:{listener.getsockname()[1]}"
        finally:
            self._stop.set()
            acceptor.join(5)
            for handler in handlers:
                handler.join(5)
            listener.close()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                path = head.split(b" ", 2)[1].decode("ascii", errors="replace")
                self.paths.append(path)
                if path == "/robots.txt":
                    conn.sendall(ROBOTS_404)
                    return
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: "
                    + self.content_type.encode("ascii")
                    + b"\r\nContent-Length: 1000000\r\n\r\n"
                )
                while not self._stop.wait(self.pause):
                    conn.sendall(b" ")
            except OSError:
                # The client gave up and closed the connection: what a deadline is for.
                return
