"""The one local HTTP server the fakes of outside APIs run on: a loopback port, a
handler thread per request, answers in JSON. `json_server` hands the handler the request's
JSON body; `raw_server`, beneath it, hands the bytes (form-encoded or multipart bodies)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], Any]
Handle = Callable[[str, str, Any, Any], Answer]
RawHandle = Callable[[str, str, Any, bytes], Answer]


@contextmanager
def json_server(handle: Handle) -> Iterator[str]:
    """A JSON API on a loopback port; yields its base URL. `handle(method, path, headers,
    body)` gets the request's JSON body (None if empty) and answers (status, headers, body):
    a body of bytes is sent as it is (a broken answer), anything else as JSON."""

    def serve(method: str, path: str, headers: Any, raw: bytes) -> Answer:
        return handle(method, path, headers, json.loads(raw) if raw else None)

    with raw_server(serve) as base:
        yield base


@contextmanager
def raw_server(handle: RawHandle) -> Iterator[str]:
    """As `json_server`, but `handle(method, path, headers, raw)` gets the request's body
    as bytes (b"" if empty), whatever its type."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, headers, answer = handle(self.command, self.path, self.headers, raw)
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped waiting (a timeout under test)

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
