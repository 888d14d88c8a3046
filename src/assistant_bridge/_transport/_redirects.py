"""Redirects: followed within the origin only, never to another host.

The base clients send with ``follow_redirects=False`` (whatever the ``httpx`` client was
built with) and follow redirects themselves: a redirect to the same origin (scheme, host
and port equal) is followed as ``httpx`` would (the body kept for 307 and 308; a 303, a
302 or a ``POST`` answered by 301 becomes a body-less ``GET``), and one to another origin
raises `RedirectError` naming the ``Location``, before anything is sent there: the chat
body, the key and the impersonated account stay with the configured host. More than
the client's ``max_redirects`` (20 by default) is an `APIConnectionError`, as it was.
"""

from __future__ import annotations

import httpx

from ._exceptions import RedirectError
from ._logging import redact
from ._problem import Problem, decode_body
from ._redaction import redacted_response
from ._response import request_id_of

__all__ = [
    "FOLLOWED_STATUSES",
    "is_followable",
    "redirect_request",
    "unfollowed",
    "unfollowed_reason",
]

FOLLOWED_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_followable(response: httpx.Response) -> bool:
    """Whether ``response`` is a redirect with a ``Location`` (one the client may follow)."""
    return response.status_code in FOLLOWED_STATUSES and "location" in response.headers


def unfollowed(response: httpx.Response) -> bool:
    """A 3xx that reached the caller (none is followed there): never a success."""
    return 300 <= response.status_code < 400


def unfollowed_reason(response: httpx.Response) -> str:
    """What an unfollowed 3xx is, for `EmptyAnswerError`."""
    if "location" not in response.headers:
        return "a redirect status without a Location (no answer)"
    return f"a {response.status_code} this client does not follow (no answer)"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


def _refuse(response: httpx.Response, why: str, location: str | None) -> RedirectError:
    """The error for a redirect that is not followed (``response`` has been read)."""
    request = response.request
    copy = redacted_response(response)
    return RedirectError(
        redact(
            f"{request.method} {copy.request.url}: {response.status_code} redirect to "
            f"{location!r} not followed: {why}"
        ),
        response=copy,
        problem=Problem(request_id=request_id_of(response)),
        body=decode_body(copy),
        location=location,
    )


def _method(status: int, method: str) -> str:
    if status in (302, 303) and method != "HEAD":
        return "GET"
    if status == 301 and method == "POST":
        return "GET"
    return method


def redirect_request(
    response: httpx.Response, *, hops: int, http: httpx.Client | httpx.AsyncClient
) -> httpx.Request:
    """The request that follows the read redirect ``response`` within its origin.

    ``hops`` redirects were followed for this call so far; ``http`` is the client that
    sends (its ``max_redirects`` and cookies apply).

    Raises:
        RedirectError: the ``Location`` is on another origin (nothing is sent there) or
            is not a URL.
        httpx.TooManyRedirects: more than ``http.max_redirects`` redirects were followed
            (the client raises it as `APIConnectionError`, as before).
    """
    max_hops = http.max_redirects
    request = response.request
    location = response.headers["location"]
    try:
        url = request.url.join(location)
    except httpx.InvalidURL:
        raise _refuse(response, "the Location is not a URL", location) from None
    if _origin(url) != _origin(request.url):
        raise _refuse(
            response,
            f"it leads to another origin than {request.url.scheme}://{request.url.netloc.decode()}"
            " (the request, its credentials and body are not sent there)",
            location,
        )
    if hops >= max_hops:  # as httpx would: a connection-level failure, not an answer
        raise httpx.TooManyRedirects(
            f"Exceeded maximum allowed redirects ({max_hops})", request=request
        )
    method = _method(response.status_code, request.method)
    headers = httpx.Headers(request.headers)
    headers.pop("cookie", None)
    stream: httpx.SyncByteStream | httpx.AsyncByteStream | None = request.stream
    if method != request.method:
        stream = None
        for name in ("content-length", "transfer-encoding", "content-type"):
            headers.pop(name, None)
    follow = httpx.Request(
        method,
        url,
        headers=headers,
        cookies=httpx.Cookies(http.cookies),
        stream=stream,
        extensions=request.extensions,
    )
    return follow
