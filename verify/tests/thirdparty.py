"""Badges made by a third-party issuer built from independent libraries (interop/
thirdparty_issuer.mjs), served by a local HTTP server, for the verify and import tests.

The public verifier refuses private and loopback addresses; tests that use these badges let
`verify.checking.network_fetcher` reach this server (and nothing else changes). A test module
imports `thirdparty_fixture` and `local_network_fixture` to use the fixtures `thirdparty` and
`local_network`.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from openbadges.fetch import Fetcher
from openbadges.tests.test_interop_node import run_node

RECIPIENT = "lea.dubois@example.org"


@dataclass
class ThirdParty:
    base: str
    documents: dict[str, dict]
    badges: dict[str, dict]

    def data(self, name: str) -> bytes | str:
        """What a person would submit: image bytes for PNG/SVG files, text otherwise."""
        badge = self.badges[name]
        if badge["format"] == "png":
            return base64.b64decode(badge["data"])
        if badge["format"] == "svg":
            return badge["data"].encode()
        return badge["data"]


def _handler(documents: dict[str, dict]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            document = documents.get(self.path)
            if document is None:
                self.send_error(404)
                return
            body = document["body"]
            content = base64.b64decode(body) if document.get("base64") else body.encode()
            self.send_response(200)
            self.send_header("Content-Type", document["contentType"])
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="session", name="thirdparty")
def thirdparty_fixture():
    documents: dict[str, dict] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(documents))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    run = run_node("thirdparty_issuer.mjs", {"base": base, "recipient": RECIPIENT})
    assert run.returncode == 0, run.output
    documents.update(run.output["documents"])
    yield ThirdParty(base=base, documents=documents, badges=run.output["badges"])
    server.shutdown()
    server.server_close()


@pytest.fixture(name="local_network")
def local_network_fixture(monkeypatch):
    """Lets verification reach the local test server (private addresses allowed)."""
    monkeypatch.setattr(
        "verify.checking.network_fetcher", lambda: Fetcher(allow_private=True, timeout=5)
    )
