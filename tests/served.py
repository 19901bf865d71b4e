"""Pages served on 127.0.0.1 as a small site: each path's body and media type, a robots.txt
that allows everything, 404 for the rest, and a record of what was asked for."""

from __future__ import annotations

import re

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


def serve_pages(httpserver: HTTPServer, pages: dict[str, tuple[str, str]]) -> list[str]:
    """Serve `pages` (path: (body, media type)); the list the paths asked for go into."""
    asked: list[str] = []

    def handle(request: Request) -> Response:
        asked.append(request.path)
        if request.path == "/robots.txt":
            return Response("User-agent: *\nAllow: /\n", content_type="text/plain")
        if request.path not in pages:
            return Response("not found", status=404)
        body, kind = pages[request.path]
        return Response(body, content_type=kind)

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handle)
    return asked
