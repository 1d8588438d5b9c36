"""A fetcher for `openbadges.verify` that answers the platform's own URLs in process.

Verifying one of our badges on our own pages needs our status lists and issuer documents. Going
through the network would mean the server calling itself (and the library's fetcher rightly
refuses loopback addresses), so URLs under SITE_URL are resolved and their views called
directly. Other URLs go to `fallback` (the library's network fetcher) when one is given.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve

from openbadges.errors import FetchError
from openbadges.fetch import DEFAULT_ACCEPT, FetcherProtocol, FetchResponse, media_type


class SiteFetcher:
    def __init__(self, fallback: FetcherProtocol | None = None):
        self.fallback = fallback
        self.requests: list[str] = []

    def get(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> FetchResponse:
        self.requests.append(url)
        site = settings.SITE_URL.rstrip("/")
        if not url.startswith(site + "/"):
            if self.fallback is not None:
                return self.fallback.get(url, accept=accept)
            raise FetchError(f"{url} is not a document of this site.", code="fetch.not_available")
        parts = urlsplit(url)
        try:
            match = resolve(parts.path)
        except Resolver404:
            return FetchResponse(url=url, status=404)
        request = HttpRequest()
        request.method = "GET"
        request.path = request.path_info = parts.path
        request.META = {
            "REQUEST_METHOD": "GET",
            "HTTP_ACCEPT": accept,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "localhost",
            "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https" else 80)),
        }
        request.GET = QueryDict(parts.query)
        response = match.func(request, *match.args, **match.kwargs)
        content_type = response.get("Content-Type", "")
        return FetchResponse(
            url=url,
            status=response.status_code,
            headers={key.lower(): value for key, value in response.items()},
            content=response.content,
            content_type=media_type(content_type),
        )
