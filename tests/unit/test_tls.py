"""HTTPS through folio's transport, against a real TLS server on loopback.

A certificate the system does not trust is refused, in words; the same server is read once
its certificate is trusted (``SSL_CERT_FILE``, which Python's default context reads). This
guards the transport's set-up: the context it verifies with is aiohttp's default one.
"""

from __future__ import annotations

import asyncio
import http.server
import os
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.core.config import RefreshSettings
from tui.core.net.fetch import Fetcher

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="needs the openssl command to make a certificate"
)

BODY = b"<rss version='2.0'><channel><title>TLS</title></channel></rss>"


class _Feed(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A self-signed HTTPS server on 127.0.0.1; yields its URL and its certificate."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/feed", cert
    finally:
        server.shutdown()
        server.server_close()


async def _fetch(url: str) -> object:
    async with Fetcher(RefreshSettings(timeout=15)) as fetcher:
        return await fetcher.fetch(url)


def test_an_untrusted_certificate_is_refused_in_words(tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    result = asyncio.run(_fetch(url))
    assert not result.ok  # type: ignore[attr-defined]
    error = result.error  # type: ignore[attr-defined]
    assert error.startswith("certificate not trusted") and "self-signed" in error, error


def test_a_trusted_certificate_is_read(tls_server: tuple[str, Path]) -> None:
    # aiohttp makes its default context when it is first imported, so the process that
    # trusts the certificate has to be a new one.
    url, cert = tls_server
    script = (
        "import asyncio, sys\n"
        "from tui.core.config import RefreshSettings\n"
        "from tui.core.net.fetch import Fetcher\n"
        "async def main():\n"
        "    async with Fetcher(RefreshSettings(timeout=15)) as fetcher:\n"
        "        r = await fetcher.fetch(sys.argv[1])\n"
        "    print(r.ok, r.error, r.body == " + repr(BODY) + ")\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "SSL_CERT_FILE": str(cert)}
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    out = subprocess.run(
        [sys.executable, "-c", script, url], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == ["True", "True"], out.stdout + out.stderr
