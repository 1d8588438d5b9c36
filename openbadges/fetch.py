"""The one way the library reaches the network.

Verification dereferences URLs chosen by whoever made the badge (assertion, issuer, key, status
list, did:web document), so every fetch is a potential server-side request forgery. The fetcher
resolves the host once, refuses every address that is not public unless told otherwise, then
connects to exactly that address (keeping the Host header and TLS server name) so that a second
DNS answer cannot point the connection somewhere else. Redirects are followed by hand and checked
again at every hop; bodies are streamed with a hard size cap and a total deadline.

Callers that must work offline or in tests pass a `StaticFetcher` instead.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError

from .errors import FetchError

DEFAULT_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"
DEFAULT_USER_AGENT = "openbadges-verifier (Badge Europe; +https://github.com/badge-europe)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
JSON_MEDIA_TYPES = frozenset(
    {
        "application/json",
        "application/ld+json",
        "application/vc+ld+json",
        "application/vc",
        "application/did+json",
        "application/did+ld+json",
        "application/jwk+json",
        "application/jwk-set+json",
    }
)

# 64:ff9b::/96 (RFC 6052) carries an IPv4 address in its last 32 bits; a NAT64 gateway would
# forward it there, so the embedded address has to pass the same test.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class FetchResponse:
    """A fetched document. `url` is the final URL after redirects."""

    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    content_type: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_json(self) -> bool:
        return self.content_type in JSON_MEDIA_TYPES or self.content_type.endswith("+json")

    def text(self) -> str:
        try:
            return self.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FetchError(
                f"The document at {self.url} is not valid UTF-8 text.", code="fetch.not_text"
            ) from exc

    def json(self) -> Any:
        try:
            return json.loads(self.text())
        except json.JSONDecodeError as exc:
            raise FetchError(
                f"The document at {self.url} is not valid JSON ({exc.msg} at line {exc.lineno}).",
                code="fetch.not_json",
            ) from exc


class FetcherProtocol(Protocol):
    def get(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> FetchResponse: ...


def media_type(header_value: str | None) -> str:
    """`application/ld+json; charset=utf-8` -> `application/ld+json`."""
    if not header_value:
        return ""
    return header_value.split(";", 1)[0].strip().lower()


def parse_ipv4_literal(host: str) -> ipaddress.IPv4Address | None:
    """Read a host the way inet_aton() does, so `2130706433`, `0x7f.1` and `0177.0.0.1` are seen
    as the loopback address they are and not taken for names.

    Returns None when the host is not a numeric IPv4 form at all.
    """
    parts = host.split(".")
    if host.endswith("."):
        parts = parts[:-1]
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.match(p) for p in parts):
        return None
    values = []
    for part in parts:
        lowered = part.lower()
        if lowered.startswith("0x"):
            values.append(int(lowered[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if any(ch in "89" for ch in part):
                return None
            values.append(int(part, 8))
        else:
            values.append(int(part, 10))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        # Not a valid address; glibc refuses it too, so it cannot reach anything.
        raise FetchError(f"'{host}' is not a valid address.", code="fetch.invalid_url")
    number = 0
    for v in head:
        number = number * 256 + v
    number = (number << (8 * (5 - len(values)))) + last
    return ipaddress.IPv4Address(number)


def address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why this address may not be contacted, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = address_refusal(embedded)
            if reason:
                return reason
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
    )
    for name, hit in checks:
        if hit:
            return name
    if not address.is_global:
        return "not globally reachable"
    return None


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(sockaddr[0])
    return seen


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # as written in the URL (lowercased), used for Host and TLS
    port: int
    addresses: tuple[str, ...]
    request_path: str
    host_header: str


class Fetcher:
    """HTTP(S) GET with SSRF protection, timeouts, a size cap and manual redirect checks."""

    def __init__(
        self,
        timeout: float = 10,
        max_bytes: int = 2_000_000,
        allow_private: bool = False,
        allowed_schemes: tuple[str, ...] = ("https", "http"),
        user_agent: str = DEFAULT_USER_AGENT,
        *,
        max_redirects: int = 5,
        resolver: Resolver | None = None,
        ca_certs: str | None = None,
    ):
        self.timeout = float(timeout)
        self.max_bytes = int(max_bytes)
        self.allow_private = allow_private
        self.allowed_schemes = tuple(s.lower() for s in allowed_schemes)
        self.user_agent = user_agent
        self.max_redirects = max_redirects
        self.resolver = resolver or _system_resolver
        self.ca_certs = ca_certs

    def __repr__(self) -> str:
        return (
            f"Fetcher(timeout={self.timeout}, max_bytes={self.max_bytes}, "
            f"allow_private={self.allow_private})"
        )

    # -- public ----------------------------------------------------------------------------------

    def get(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> FetchResponse:
        deadline = time.monotonic() + self.timeout
        current = url
        for _hop in range(self.max_redirects + 1):
            target = self._check_url(current)
            status, headers, content = self._request(target, accept=accept, deadline=deadline)
            if status in REDIRECT_STATUSES and headers.get("location"):
                current = urljoin(current, headers["location"])
                continue
            return FetchResponse(
                url=current,
                status=status,
                headers=headers,
                content=content,
                content_type=media_type(headers.get("content-type")),
            )
        raise FetchError(
            f"Too many redirects (more than {self.max_redirects}) starting from {url}.",
            code="fetch.too_many_redirects",
        )

    # -- checks ----------------------------------------------------------------------------------

    def _check_url(self, url: str) -> _Target:
        if not isinstance(url, str) or not url or any(ord(ch) < 33 for ch in url):
            raise FetchError(f"'{url}' is not a valid URL.", code="fetch.invalid_url")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchError(f"'{url}' is not a valid URL.", code="fetch.invalid_url") from exc
        scheme = parts.scheme.lower()
        if scheme not in self.allowed_schemes:
            raise FetchError(
                f"The URL scheme '{scheme or '(none)'}' is not allowed "
                f"(allowed: {', '.join(self.allowed_schemes)}).",
                code="fetch.scheme_refused",
            )
        if parts.username is not None or parts.password is not None:
            raise FetchError(
                "URLs with a user name or password are not fetched.", code="fetch.invalid_url"
            )
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError(f"'{url}' has no host.", code="fetch.invalid_url")
        if not host.isascii():
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError as exc:
                raise FetchError(
                    f"'{url}' has an invalid host name.", code="fetch.invalid_url"
                ) from exc
        if "%" in host:
            raise FetchError(
                "IPv6 zone identifiers are not allowed in URLs.", code="fetch.invalid_url"
            )
        port = port or (443 if scheme == "https" else 80)
        addresses = self._resolve(host, port)
        default_port = 443 if scheme == "https" else 80
        bracketed = f"[{host}]" if ":" in host else host
        host_header = bracketed if port == default_port else f"{bracketed}:{port}"
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        return _Target(scheme, host, port, tuple(addresses), path, host_header)

    def _resolve(self, host: str, port: int) -> list[str]:
        literal: ipaddress.IPv4Address | ipaddress.IPv6Address | None
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = parse_ipv4_literal(host)
        if literal is not None:
            candidates = [literal]
        else:
            try:
                resolved = self.resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise FetchError(
                    f"The host name '{host}' could not be resolved.", code="fetch.unresolvable"
                ) from exc
            candidates = []
            for text in resolved:
                try:
                    candidates.append(ipaddress.ip_address(text.split("%", 1)[0]))
                except ValueError as exc:
                    raise FetchError(
                        f"The host name '{host}' resolved to an invalid address.",
                        code="fetch.unresolvable",
                    ) from exc
            if not candidates:
                raise FetchError(
                    f"The host name '{host}' could not be resolved.", code="fetch.unresolvable"
                )
        if not self.allow_private:
            # Every answer must be public: a name with one public and one private record is a
            # classic way to slip past a check that looks at the first answer only.
            for address in candidates:
                reason = address_refusal(address)
                if reason:
                    raise FetchError(
                        f"Refusing to fetch from '{host}': it resolves to a {reason} address "
                        f"({address}).",
                        code="fetch.address_refused",
                    )
        return [str(a) for a in candidates]

    # -- transport -------------------------------------------------------------------------------

    def _pool(self, target: _Target, address: str, timeout: urllib3.Timeout):
        common = {
            "port": target.port,
            "timeout": timeout,
            "retries": False,
            "maxsize": 1,
        }
        if target.scheme == "https":
            context = ssl.create_default_context(cafile=self.ca_certs)
            return urllib3.HTTPSConnectionPool(
                address,
                server_hostname=target.host,
                assert_hostname=target.host,
                ssl_context=context,
                cert_reqs="CERT_REQUIRED",
                **common,
            )
        return urllib3.HTTPConnectionPool(address, **common)

    def _request(self, target: _Target, *, accept: str, deadline: float):
        last_error: Exception | None = None
        for address in target.addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            timeout = urllib3.Timeout(connect=remaining, read=remaining)
            pool = self._pool(target, address, timeout)
            try:
                response = pool.urlopen(
                    "GET",
                    target.request_path,
                    headers={
                        "Host": target.host_header,
                        "Accept": accept,
                        "Accept-Encoding": "identity",
                        "User-Agent": self.user_agent,
                    },
                    redirect=False,
                    preload_content=False,
                    decode_content=True,
                    assert_same_host=False,
                )
            except NewConnectionError as exc:
                # Checked before timeouts: urllib3 makes it a subclass of ConnectTimeoutError.
                last_error = exc
                pool.close()
                continue
            except Urllib3TimeoutError as exc:
                raise FetchError(
                    f"Timed out after {self.timeout:g} s fetching {target.host}.",
                    code="fetch.timeout",
                ) from exc
            except Urllib3SSLError as exc:
                raise FetchError(
                    f"The TLS connection to {target.host} failed: {exc}.", code="fetch.tls"
                ) from exc
            except Urllib3HTTPError as exc:
                last_error = exc
                pool.close()
                continue
            try:
                return self._read(response, target, deadline)
            finally:
                response.release_conn()
                pool.close()
        if last_error is None:
            raise FetchError(
                f"Timed out after {self.timeout:g} s fetching {target.host}.",
                code="fetch.timeout",
            )
        raise FetchError(
            f"Could not connect to {target.host}: {last_error}.", code="fetch.connection"
        ) from last_error

    def _read(self, response, target: _Target, deadline: float):
        headers = {k.lower(): v for k, v in response.headers.items()}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(
                f"The document at {target.host} is larger than {self.max_bytes} bytes.",
                code="fetch.too_large",
            )
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"Timed out after {self.timeout:g} s reading from {target.host}.",
                        code="fetch.timeout",
                    )
                chunk = response.read1(65536)
                if not chunk:
                    break
                total += len(chunk)
                if total > self.max_bytes:
                    raise FetchError(
                        f"The document at {target.host} is larger than {self.max_bytes} bytes.",
                        code="fetch.too_large",
                    )
                chunks.append(chunk)
        except Urllib3TimeoutError as exc:
            raise FetchError(
                f"Timed out after {self.timeout:g} s reading from {target.host}.",
                code="fetch.timeout",
            ) from exc
        except Urllib3HTTPError as exc:
            raise FetchError(
                f"The connection to {target.host} broke off: {exc}.", code="fetch.connection"
            ) from exc
        return response.status, headers, b"".join(chunks)


class StaticFetcher:
    """A fetcher that answers from a fixed mapping and never touches the network.

    Values may be a `FetchResponse`, a dict or list (served as JSON-LD), `bytes` or `str`
    (served as JSON when it looks like JSON, else as plain text), or an int HTTP status with an
    empty body (for example 410 for a revoked hosted assertion). `requests` records every URL
    asked for, in order.
    """

    def __init__(self, mapping: Mapping[str, Any] | None = None):
        self.mapping: dict[str, Any] = dict(mapping or {})
        self.requests: list[str] = []

    def __setitem__(self, url: str, value: Any) -> None:
        self.mapping[url] = value

    def get(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> FetchResponse:
        self.requests.append(url)
        if url not in self.mapping:
            raise FetchError(
                f"{url} is not available (offline fetcher).", code="fetch.not_available"
            )
        value = self.mapping[url]
        if isinstance(value, FetchResponse):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return FetchResponse(url=url, status=value)
        if isinstance(value, dict | list):
            body = json.dumps(value).encode("utf-8")
            return _static(url, body, "application/ld+json")
        if isinstance(value, str):
            value = value.encode("utf-8")
        if isinstance(value, bytes | bytearray):
            looks_json = bytes(value).lstrip()[:1] in (b"{", b"[")
            return _static(url, bytes(value), "application/json" if looks_json else "text/plain")
        raise TypeError(f"StaticFetcher cannot serve a {type(value).__name__}")


def _static(url: str, body: bytes, content_type: str) -> FetchResponse:
    return FetchResponse(
        url=url,
        status=200,
        headers={"content-type": content_type, "content-length": str(len(body))},
        content=body,
        content_type=content_type,
    )
