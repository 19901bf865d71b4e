"""A server that trickles: it answers robots.txt at once with a 404 and every other request
with headers promising a large body, then sends that body one byte at a time, a pause between
bytes, until it is stopped. Every read gets a byte well within any read timeout, so only a
deadline on the whole request can end one."""

from __future__ import annotations

import socket

from tests.bare_socket import BareSocketServer

ROBOTS_404 = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Trickle(BareSocketServer):
    def __init__(self, pause: float = 0.05, content_type: str = "text/html") -> None:
        super().__init__()
        self.pause = pause
        """Seconds between two bytes of a body."""
        self.content_type = content_type
        self.paths: list[str] = []
        """Paths asked for, robots.txt included, in order."""

    def answer(self, conn: socket.socket, head: bytes) -> None:
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
        while not self.stop.wait(self.pause):
            conn.sendall(b" ")
