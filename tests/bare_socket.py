"""HTTP servers on a bare socket on 127.0.0.1 (or ::1), for the answers no well-behaved server
library will give: a body that trickles, a connection that stalls, headers that lie. A subclass
says what to send once a request's head has been read."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class BareSocketServer:
    def __init__(self) -> None:
        self.stop = threading.Event()
        """Set when the server stops: a handler still sending or waiting should end."""

    @contextmanager
    def running(self, host: str = "127.0.0.1") -> Iterator[str]:
        """Serve in background threads; yields the base URL, and stops everything on exit."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.create_server((host, 0), family=family)
        listener.settimeout(0.05)
        handlers: list[threading.Thread] = []

        def accept() -> None:
            while not self.stop.is_set():
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
            self.stop.set()
            acceptor.join(5)
            for handler in handlers:
                handler.join(5)
            listener.close()

    def answer(self, conn: socket.socket, head: bytes) -> None:
        """Send the answer to the request whose head (request line and headers) is `head`."""
        raise NotImplementedError

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
                self.answer(conn, head)
            except OSError:
                # The client gave up and closed the connection, as a deadline makes it do.
                return
