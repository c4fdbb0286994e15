"""A real HTTPS server on loopback that serves client ID metadata documents, for the fetcher and flow tests.

Its certificate is self-signed (made here with ``cryptography``) for ``localhost``,
127.0.0.1 and ::1; tests trust it through ``MM_OAUTH["CIMD_CA_BUNDLE"]``, as a site
would trust a private CA: TLS verification is never switched off.
"""

import datetime
import ipaddress
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mm_oauth.services.provider_settings import update_provider_settings


def write_certificate(directory):
    """Write a self-signed certificate and its key into ``directory``; return (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mm_oauth test documents")])
    now = datetime.datetime.now(datetime.UTC)
    names = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "documents.pem", directory / "documents.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Route:
    """What the server answers for one path."""

    def __init__(self, body, status=200, headers=None, delay=0.0, drip=0.0):
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.status = status
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.delay = delay  # seconds before the answer starts
        self.drip = drip  # seconds between the body's bytes


class DocumentServer:
    """``serve(path, body, ...)`` then fetch ``url(path)``; ``hits[path]`` counts the requests."""

    def __init__(self, cert_path, key_path, host="127.0.0.1"):
        self.routes, self.hits = {}, {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                route = server.routes.get(self.path) or Route({"error": "not found"}, status=404)
                time.sleep(route.delay)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in route.headers and not route.drip:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                try:
                    self._write(route)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the fetcher hung up on purpose (too big, too slow)

            def _write(self, route):
                if not route.drip:
                    self.wfile.write(route.body)
                    return
                for index in range(len(route.body)):
                    self.wfile.write(route.body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(route.drip)

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path, host="localhost"):
        return f"https://{host}:{self.port}{path}"

    def serve(self, path, body, **kwargs):
        self.routes[path] = Route(body, **kwargs)
        return self.url(path)

    def serve_document(self, path, host="localhost", **document):
        """Serve a valid public client's document at ``path`` (``document`` overrides its fields); return its URL."""
        client_id = self.url(path, host)
        body = {
            "client_id": client_id,
            "client_name": "Document Client",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "token_endpoint_auth_method": "none",
            **document,
        }
        self.serve(path, body, headers={"Cache-Control": "max-age=300"})
        return client_id


# --- pytest fixtures: import the *_fixture names into a test module ------------------


@pytest.fixture(scope="module", name="document_certificate")
def document_certificate_fixture(tmp_path_factory):
    """(cert path, key path) of the document server's self-signed certificate."""
    return write_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module", name="document_server")
def document_server_fixture(document_certificate):
    """A running DocumentServer for the module."""
    with DocumentServer(*document_certificate) as running:
        yield running


@pytest.fixture(name="documents_on")
def documents_on_fixture(document_certificate, mm_oauth_settings, provider_on):
    """Provider and metadata documents on, localhost allowed; the fetcher trusts the test certificate."""
    mm_oauth_settings(CIMD_ALLOW_LOOPBACK=True, CIMD_CA_BUNDLE=str(document_certificate[0]))
    update_provider_settings(enable_client_id_metadata_documents=True, client_metadata_document_hosts="localhost")
