"""Real local servers for the monitoring tests: an HTTP(S) server whose behaviour a test sets
(``mode``: ok, fail, slow, json), certificates made with ``cryptography`` (valid self-signed
or expired), and a TCP port that listens or is closed."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(folder: Path, *, expired: bool = False, days: int = 365) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1/localhost: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    if expired:
        start, end = now - dt.timedelta(days=30), now - dt.timedelta(days=1)
    else:
        start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = folder / f"cert-{expired}-{days}.pem"
    key_path = folder / f"key-{expired}-{days}.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


class TargetServer:
    """``mode`` is read per request: "ok" (200 "all good"), "fail" (500), "slow" (sleeps
    ``delay`` seconds, then 200), "json" (200 with ``payload``)."""

    def __init__(self, *, tls: tuple[str, str] | None = None):
        self.mode = "ok"
        self.delay = 2.0
        self.payload: dict = {"status": "ok", "db": {"ok": True}}
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits += 1
                if server.mode == "slow":
                    time.sleep(server.delay)
                if server.mode == "fail":
                    body, status = b"broken", 500
                elif server.mode == "json":
                    body, status = json.dumps(server.payload).encode(), 200
                else:
                    body, status = b"all good", 200
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/health"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class TcpPort:
    """A listening TCP port that a test can close."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()
