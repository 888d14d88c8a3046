"""A loopback proxy in front of a token endpoint that counts the token requests it forwards."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


class TokenCounter:
    """How many token requests went through the proxy at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.count = 0
        self.lock = threading.Lock()


@contextmanager
def counting_token_proxy(upstream: str) -> Iterator[TokenCounter]:
    """Serve ``POST /`` on loopback, forwarding each to ``upstream`` and counting it."""
    counter: TokenCounter

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with counter.lock:
                counter.count += 1
            kind = self.headers.get("content-type", "")
            answer = httpx.post(upstream, content=body, headers={"content-type": kind})
            self.send_response(answer.status_code)
            self.send_header("content-type", answer.headers.get("content-type", "text/plain"))
            self.send_header("content-length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    counter = TokenCounter(f"http://127.0.0.1:{server.server_address[1]}/oauth/token")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield counter
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
