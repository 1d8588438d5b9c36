"""The fetcher: SSRF refusals, redirects, size cap, timeouts, TLS on a pinned address."""

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from openbadges.errors import FetchError
from openbadges.fetch import (
    Fetcher,
    FetchResponse,
    StaticFetcher,
    address_refusal,
    media_type,
    parse_ipv4_literal,
)

DOC = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "x"}
# A benchmarking-range address (198.18.0.0/15, not public) used to show the policy reads the
# resolver answer. Tests that need a public answer connect to the local server instead.
PUBLIC_LOOKING = "198.18.0.1"


class Handler(BaseHTTPRequestHandler):
    server_version = "TestServer"

    def log_message(self, format, *args):
        pass

    def _send(self, status, body=b"", content_type="application/ld+json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.seen.append((self.path, dict(self.headers)))
        port = self.server.server_address[1]
        if self.path == "/doc":
            self._send(200, json.dumps(DOC).encode(), "application/ld+json; charset=utf-8")
        elif self.path == "/gone":
            self._send(410, b'{"revoked": true}', "application/json")
        elif self.path == "/big":
            self._send(200, b"x" * 5000, "application/json")
        elif self.path == "/big-undeclared":
            # No Content-Length: the body ends when the connection closes.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"y" * 1000)
        elif self.path == "/stall":
            self.server.release.wait(5)
            self._send(200, b"{}")
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                if self.server.release.wait(0.05):
                    break
                self.wfile.write(b" ")
                self.wfile.flush()
        elif self.path == "/redirect-local":
            self._send(302, headers={"Location": f"http://127.0.0.1:{port}/doc"})
        elif self.path == "/redirect-internal":
            self._send(302, headers={"Location": "http://internal.test/secret"})
        elif self.path == "/redirect-relative":
            self._send(301, headers={"Location": "/doc"})
        elif self.path.startswith("/loop"):
            n = int(self.path.removeprefix("/loop") or 0)
            self._send(302, headers={"Location": f"/loop{n + 1}"})
        elif self.path == "/redirect-file":
            self._send(302, headers={"Location": "file:///etc/passwd"})
        else:
            self._send(404, b"{}")


def _start(server):
    server.seen = []
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server


def _stop(server):
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def server():
    srv = _start(ThreadingHTTPServer(("127.0.0.1", 0), Handler))
    yield srv
    _stop(srv)


def base(server):
    return f"http://127.0.0.1:{server.server_address[1]}"


class LoopbackTransport(Fetcher):
    """Checks addresses exactly like Fetcher, then connects to the local test server.

    Lets a test give a name a public-looking address (so the policy lets it through) while the
    connection really goes to 127.0.0.1; records the address the real fetcher would have used.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected_to = []

    def _pool(self, target, address, timeout):
        self.connected_to.append(address)
        return super()._pool(target, "127.0.0.1", timeout)


def table_resolver(table, calls=None):
    def resolve(host, port):
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise OSError("no such host")
        value = table[host]
        return list(value) if isinstance(value, list | tuple) else [value]

    return resolve


# -- address policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, expected",
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("192.168.1", "192.168.0.1"),
        ("8.8.8.8", "8.8.8.8"),
        ("example.org", None),
        ("1e100.net", None),
        ("0x7g.0.0.1", None),
    ],
)
def test_numeric_host_forms_are_read_like_inet_aton(host, expected):
    result = parse_ipv4_literal(host)
    assert (str(result) if result else None) == expected


def test_out_of_range_numeric_host_is_invalid():
    with pytest.raises(FetchError) as info:
        parse_ipv4_literal("256.0.0.1")
    assert info.value.code == "fetch.invalid_url"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.0.9",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.10",
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "ff02::1",
        "2001:db8::1",
        "2002:7f00:1::1",
        "2002:a00:1::1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.69", "2001:4860:4860::8888"])
def test_public_addresses_pass(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost.test/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://0/",
        "http://[fe80::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/",
    ],
)
def test_private_targets_are_refused_before_connecting(url):
    fetcher = LoopbackTransport(resolver=table_resolver({"localhost.test": "127.0.0.1"}))
    with pytest.raises(FetchError) as info:
        fetcher.get(url)
    assert info.value.code == "fetch.address_refused"
    assert fetcher.connected_to == []


def test_a_name_with_any_private_answer_is_refused():
    resolver = table_resolver({"mixed.test": ["8.8.8.8", "10.0.0.7"]})
    fetcher = LoopbackTransport(resolver=resolver)
    with pytest.raises(FetchError) as info:
        fetcher.get("http://mixed.test/")
    assert info.value.code == "fetch.address_refused"
    assert "10.0.0.7" in info.value.message


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/", "javascript:alert(1)"],
)
def test_other_schemes_are_refused(url):
    with pytest.raises(FetchError) as info:
        Fetcher().get(url)
    assert info.value.code == "fetch.scheme_refused"


def test_allowed_schemes_can_be_narrowed_to_https():
    with pytest.raises(FetchError) as info:
        Fetcher(allowed_schemes=("https",)).get("http://example.org/")
    assert info.value.code == "fetch.scheme_refused"


@pytest.mark.parametrize(
    "url", ["", "http://", "http://exa mple.org/", "http://user:pw@example.org/", "http://[::1"]
)
def test_malformed_urls_are_refused(url):
    with pytest.raises(FetchError) as info:
        Fetcher().get(url)
    assert info.value.code == "fetch.invalid_url"


def test_unresolvable_name():
    with pytest.raises(FetchError) as info:
        Fetcher(resolver=table_resolver({})).get("https://nowhere.test/")
    assert info.value.code == "fetch.unresolvable"


# -- against a local server --------------------------------------------------------------------


def test_local_server_is_refused_by_default(server):
    with pytest.raises(FetchError) as info:
        Fetcher().get(base(server) + "/doc")
    assert info.value.code == "fetch.address_refused"
    assert "loopback" in info.value.message


def test_local_server_is_reachable_when_private_is_allowed(server):
    response = Fetcher(allow_private=True, timeout=2).get(base(server) + "/doc")
    assert response.ok
    assert response.status == 200
    assert response.content_type == "application/ld+json"
    assert response.is_json
    assert response.json() == DOC
    path, headers = server.seen[-1]
    assert path == "/doc"
    assert headers["Host"] == f"127.0.0.1:{server.server_address[1]}"
    assert "application/ld+json" in headers["Accept"]
    assert headers["User-Agent"].startswith("openbadges-verifier")


def test_accept_header_is_passed(server):
    Fetcher(allow_private=True, timeout=2).get(base(server) + "/doc", accept="text/plain")
    assert server.seen[-1][1]["Accept"] == "text/plain"


def test_non_2xx_statuses_are_returned_not_raised(server):
    response = Fetcher(allow_private=True, timeout=2).get(base(server) + "/gone")
    assert response.status == 410
    assert not response.ok
    assert response.json() == {"revoked": True}


def test_connection_goes_to_the_checked_address_with_the_original_host_header(server):
    calls = []
    port = server.server_address[1]
    fetcher = LoopbackTransport(
        timeout=2, resolver=table_resolver({"badges.test": PUBLIC_LOOKING}, calls)
    )
    # 198.18.0.0/15 is not public: the policy refuses it, which shows the check uses the
    # resolver's answer, not the socket's.
    with pytest.raises(FetchError):
        fetcher.get(f"http://badges.test:{port}/doc")
    fetcher = LoopbackTransport(
        timeout=2, resolver=table_resolver({"badges.test": "151.101.1.69"}, calls)
    )
    response = fetcher.get(f"http://badges.test:{port}/doc")
    assert response.json() == DOC
    assert fetcher.connected_to == ["151.101.1.69"]
    assert calls == ["badges.test", "badges.test"]  # one resolution per fetch
    assert server.seen[-1][1]["Host"] == f"badges.test:{port}"


def test_redirect_to_a_private_address_is_refused(server):
    port = server.server_address[1]
    fetcher = LoopbackTransport(timeout=2, resolver=table_resolver({"badges.test": "8.8.4.4"}))
    with pytest.raises(FetchError) as info:
        fetcher.get(f"http://badges.test:{port}/redirect-local")
    assert info.value.code == "fetch.address_refused"
    assert fetcher.connected_to == ["8.8.4.4"]


def test_redirect_to_a_name_resolving_privately_is_refused(server):
    port = server.server_address[1]
    resolver = table_resolver({"badges.test": "8.8.4.4", "internal.test": "10.1.2.3"})
    fetcher = LoopbackTransport(timeout=2, resolver=resolver)
    with pytest.raises(FetchError) as info:
        fetcher.get(f"http://badges.test:{port}/redirect-internal")
    assert info.value.code == "fetch.address_refused"
    assert len(fetcher.connected_to) == 1


def test_redirect_to_another_scheme_is_refused(server):
    with pytest.raises(FetchError) as info:
        Fetcher(allow_private=True, timeout=2).get(base(server) + "/redirect-file")
    assert info.value.code == "fetch.scheme_refused"


def test_relative_redirects_are_followed(server):
    response = Fetcher(allow_private=True, timeout=2).get(base(server) + "/redirect-relative")
    assert response.url == base(server) + "/doc"
    assert response.json() == DOC


def test_at_most_five_redirects(server):
    fetcher = Fetcher(allow_private=True, timeout=2)
    with pytest.raises(FetchError) as info:
        fetcher.get(base(server) + "/loop0")
    assert info.value.code == "fetch.too_many_redirects"
    assert [p for p, _ in server.seen[-6:]] == [f"/loop{i}" for i in range(6)]
    # Exactly five redirects are fine.
    assert (
        Fetcher(allow_private=True, timeout=2, max_redirects=5)
        .get(base(server) + "/redirect-relative")
        .ok
    )


def test_declared_size_over_the_cap_is_refused(server):
    with pytest.raises(FetchError) as info:
        Fetcher(allow_private=True, timeout=2, max_bytes=1000).get(base(server) + "/big")
    assert info.value.code == "fetch.too_large"


def test_streamed_size_over_the_cap_is_refused(server):
    with pytest.raises(FetchError) as info:
        Fetcher(allow_private=True, timeout=2, max_bytes=2500).get(base(server) + "/big-undeclared")
    assert info.value.code == "fetch.too_large"


def test_size_under_the_cap_passes(server):
    response = Fetcher(allow_private=True, timeout=2, max_bytes=5000).get(base(server) + "/big")
    assert len(response.content) == 5000


def test_a_stalled_server_times_out(server):
    with pytest.raises(FetchError) as info:
        Fetcher(allow_private=True, timeout=0.3).get(base(server) + "/stall")
    assert info.value.code == "fetch.timeout"


def test_a_trickling_server_hits_the_total_deadline(server):
    with pytest.raises(FetchError) as info:
        Fetcher(allow_private=True, timeout=0.3).get(base(server) + "/trickle")
    assert info.value.code == "fetch.timeout"


def test_connection_refused_is_a_fetch_error():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = srv.server_address[1]
    srv.server_close()
    with pytest.raises(FetchError) as info:
        Fetcher(allow_private=True, timeout=1).get(f"http://127.0.0.1:{port}/")
    assert info.value.code == "fetch.connection"


# -- TLS on a pinned address -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "badges.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("badges.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = folder / "cert.pem"
    key_file = folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    _start(srv)
    yield srv, str(cert_file)
    _stop(srv)


def test_https_checks_the_certificate_for_the_url_host_not_the_address(tls_server):
    srv, ca = tls_server
    port = srv.server_address[1]
    fetcher = Fetcher(
        allow_private=True,
        timeout=2,
        ca_certs=ca,
        resolver=table_resolver({"badges.test": "127.0.0.1", "other.test": "127.0.0.1"}),
    )
    response = fetcher.get(f"https://badges.test:{port}/doc")
    assert response.json() == DOC
    assert srv.seen[-1][1]["Host"] == f"badges.test:{port}"
    with pytest.raises(FetchError) as info:
        fetcher.get(f"https://other.test:{port}/doc")
    assert info.value.code == "fetch.tls"


def test_https_with_an_untrusted_certificate_fails(tls_server):
    srv, _ca = tls_server
    port = srv.server_address[1]
    fetcher = Fetcher(
        allow_private=True, timeout=2, resolver=table_resolver({"badges.test": "127.0.0.1"})
    )
    with pytest.raises(FetchError) as info:
        fetcher.get(f"https://badges.test:{port}/doc")
    assert info.value.code == "fetch.tls"


# -- helpers and the offline fetcher -----------------------------------------------------------


def test_media_type():
    assert media_type("Application/LD+JSON; charset=utf-8") == "application/ld+json"
    assert media_type(None) == ""


def test_response_json_errors_are_fetch_errors():
    response = FetchResponse(url="u", status=200, content=b"{nope", content_type="text/plain")
    with pytest.raises(FetchError) as info:
        response.json()
    assert info.value.code == "fetch.not_json"
    with pytest.raises(FetchError) as info:
        FetchResponse(url="u", status=200, content=b"\xff").text()
    assert info.value.code == "fetch.not_text"


def test_static_fetcher_serves_and_records():
    fetcher = StaticFetcher(
        {
            "https://a.test/doc": DOC,
            "https://a.test/jws": "aaa.bbb.ccc",
            "https://a.test/gone": 410,
            "https://a.test/raw": b'{"x": 1}',
        }
    )
    fetcher["https://a.test/custom"] = FetchResponse(url="https://a.test/custom", status=204)
    assert fetcher.get("https://a.test/doc").json() == DOC
    assert fetcher.get("https://a.test/doc").content_type == "application/ld+json"
    assert fetcher.get("https://a.test/jws").content_type == "text/plain"
    assert fetcher.get("https://a.test/raw").json() == {"x": 1}
    assert fetcher.get("https://a.test/gone").status == 410
    assert fetcher.get("https://a.test/custom").status == 204
    with pytest.raises(FetchError) as info:
        fetcher.get("https://a.test/missing")
    assert info.value.code == "fetch.not_available"
    assert fetcher.requests[-1] == "https://a.test/missing"
    assert len(fetcher.requests) == 7


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@pytest.fixture(scope="module")
def ipv6_server():
    try:
        srv = _IPv6Server(("::1", 0), Handler)
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    _start(srv)
    yield srv
    _stop(srv)


def test_ipv6_loopback_is_refused_by_default_and_reachable_when_allowed(ipv6_server):
    url = f"http://[::1]:{ipv6_server.server_address[1]}/doc"
    with pytest.raises(FetchError) as info:
        Fetcher().get(url)
    assert info.value.code == "fetch.address_refused"
    response = Fetcher(allow_private=True, timeout=2).get(url)
    assert response.json() == DOC
    assert ipv6_server.seen[-1][1]["Host"] == f"[::1]:{ipv6_server.server_address[1]}"
