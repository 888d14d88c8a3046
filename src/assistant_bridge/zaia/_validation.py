"""Zaia input rules, checked before any request: content, ids, date ranges, callback URLs.

Each failure is an `InvalidRequestError` whose message names the field and the rule.
The rules are seed 004's (``content`` at most 4000 characters, possibly empty;
``externalId`` 3 to 250 characters or null; ids UUIDs; a callback that "must be HTTPS and
point to a public server"), plus one of this package's own: an export period whose start
is after its end is refused. `split_content` is the opt-in helper for content over the
4000-character limit.
`check_callback_url` accepts only ``https://`` URLs whose host is public: a literal IP
address is checked as written (decimal and hex IPv4 forms included), and a name is
checked on every address it resolves to, through a resolver you can replace (tests use
a fake one, so they never touch the network).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from .._transport import InvalidRequestError

__all__ = [
    "MAX_CONTENT_LENGTH",
    "Resolver",
    "check_callback_url",
    "check_range",
    "external_id",
    "public_address_problem",
    "resolve_in_thread",
    "split_content",
    "system_resolver",
    "url_host",
]

MAX_CONTENT_LENGTH = 4000
EXTERNAL_ID_LENGTH = (3, 250)
Resolver = Callable[[str], Iterable[str]]
"""Host name in, IP address strings out (empty when the name does not resolve)."""

_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan", ".intranet")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+")
_SPACE = re.compile(r"\s+")


def _fail(field: str, message: str) -> InvalidRequestError:
    return InvalidRequestError(f"{field}: {message}", field=field)


# -- content -------------------------------------------------------------------------
def check_content(content: Any, field: str = "content") -> str:
    """A string of at most `MAX_CONTENT_LENGTH` characters (seed 004 sets no minimum)."""
    if not isinstance(content, str):
        raise _fail(field, f"must be a string, got {type(content).__name__}")
    if len(content) > MAX_CONTENT_LENGTH:
        raise _fail(
            field,
            f"must be at most {MAX_CONTENT_LENGTH} characters, got {len(content)}; "
            "use create_chat_messages(...) or split_content(...) to send it as several "
            "messages",
        )
    return content


def _last_cut(window: str, pattern: re.Pattern[str], limit: int) -> int:
    """The last place to end a part in ``window`` (after a boundary's text), or -1."""
    cut = -1
    for match in pattern.finditer(window):
        end = match.start() + len(match.group().rstrip())
        if 0 < end <= limit:
            cut = end
    return cut


def split_content(content: str, max_length: int = MAX_CONTENT_LENGTH) -> list[str]:
    """Split text into parts of at most ``max_length`` characters, at natural boundaries.

    A part ends at the last paragraph break that fits, else the last sentence end, else
    the last space; a single word longer than ``max_length`` is cut. The text inside each
    part is unchanged; the whitespace between parts is dropped.

    Args:
        content: the text.
        max_length: the longest part (the API allows 4000 characters).

    Returns:
        The parts in order (one part when the text already fits; none when it is blank).
    """
    if not isinstance(content, str):
        raise _fail("content", f"must be a string, got {type(content).__name__}")
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
        raise _fail("max_length", f"must be a whole number >= 1, got {max_length!r}")
    text = content.strip()
    parts: list[str] = []
    while len(text) > max_length:
        window = text[: max_length + 1]  # a boundary right after the limit still counts
        cut = -1
        for pattern in (_PARAGRAPH, _SENTENCE, _SPACE):
            cut = _last_cut(window, pattern, max_length)
            if cut > 0:
                break
        if cut <= 0:
            cut = max_length
        part = text[:cut].rstrip()
        if part:
            parts.append(part)
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def external_id(value: Any, field: str = "external_id") -> str | None:
    """``None``, or a string of 3 to 250 characters."""
    if value is None:
        return None
    low, high = EXTERNAL_ID_LENGTH
    if not isinstance(value, str) or not low <= len(value) <= high:
        got = f"{len(value)} characters" if isinstance(value, str) else repr(value)
        raise _fail(field, f"must be a string of {low} to {high} characters, got {got}")
    return value


# -- dates ---------------------------------------------------------------------------
def as_datetime(value: Any, field: str) -> dt.datetime:
    """A datetime from a datetime, a date (midnight) or an ISO-8601 string; naive is UTC."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        raw = value.strip()
        if raw[-1:] in ("Z", "z"):
            raw = raw[:-1] + "+00:00"
        try:
            parsed = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise _fail(
                field, f"must be an ISO-8601 date-time such as 2025-03-01T00:00:00Z, got {value!r}"
            ) from None
    else:
        raise _fail(field, f"must be a datetime, a date or an ISO-8601 string, got {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


def wire_datetime(value: dt.datetime) -> str:
    """ISO-8601 in UTC with a ``Z``, milliseconds precision."""
    utc = value.astimezone(dt.timezone.utc)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_range(range_start: Any, range_end: Any) -> tuple[str | None, str | None]:
    """The export period on the wire; ``range_start`` must not be after ``range_end``.

    Either end may be ``None`` (seed 004 makes both nullable; ``rangeStart`` must still be
    sent, as ``null``). The order check is this package's own rule, not the vendor's.
    """
    start = None if range_start is None else as_datetime(range_start, "range_start")
    end = None if range_end is None else as_datetime(range_end, "range_end")
    if start is None or end is None:
        return (
            None if start is None else wire_datetime(start),
            None if end is None else wire_datetime(end),
        )
    if start > end:
        raise _fail(
            "range_start",
            f"must not be after range_end ({wire_datetime(start)} is after {wire_datetime(end)})",
        )
    return wire_datetime(start), wire_datetime(end)


# -- callback URL --------------------------------------------------------------------
def system_resolver(host: str) -> list[str]:
    """The addresses ``host`` resolves to through the system resolver (blocking)."""
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fA-FxX.]+", host) and any(c.isdigit() for c in host):
        try:  # legacy IPv4 forms: 2130706433, 0x7f.1, 127.1
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def public_address_problem(address: str) -> str | None:
    """Why an IP address is not a public one (loopback, private...), or None if it is."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    ):
        if flag:
            return f"{ip} is a {kind} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def url_host(url: Any) -> tuple[str, str, bool]:
    """Check a callback URL without the network: ``(url, host, host_is_literal_ip)``.

    Raises:
        InvalidRequestError: not ``https://``, no host, or a non-public literal address
            or local name.
    """
    field = "callback_url"
    if not isinstance(url, str) or not url.strip():
        raise _fail(field, f"must be an https:// URL, got {url!r}")
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise _fail(field, f"is not a valid URL ({exc}): {url!r}") from None
    if parts.scheme.lower() != "https":
        raise _fail(field, f"must use https://, got {parts.scheme or 'no scheme'!r} in {url!r}")
    if not host:
        raise _fail(field, f"must have a host name, got {url!r}")
    host = host.rstrip(".").lower()
    ip = _literal_ip(host)
    if ip is not None:
        problem = public_address_problem(str(ip))
        if problem:
            raise _fail(field, f"must point at a public server; {problem} in {url!r}")
        return url, host, True
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
        raise _fail(field, f"must point at a public server; {host!r} is a local name in {url!r}")
    return url, host, False


def check_resolved(url: str, host: str, addresses: Iterable[str]) -> None:
    """Every address ``host`` resolved to must be public, and there must be one."""
    found = list(addresses)
    if not found:
        raise _fail("callback_url", f"host {host!r} does not resolve to any address ({url!r})")
    for address in found:
        problem = public_address_problem(address)
        if problem:
            raise _fail(
                "callback_url",
                f"must point at a public server; {host!r} resolves to {address}: {problem}",
            )


async def resolve_in_thread(resolver: Resolver, host: str) -> list[str]:
    """Run a (blocking) resolver in a worker thread, so an event loop is not blocked."""
    import anyio.to_thread

    return await anyio.to_thread.run_sync(lambda: list(resolver(host)))


def check_callback_url(url: Any, resolver: Resolver | None = None) -> str:
    """Check a callback URL completely (DNS included); return it stripped.

    Args:
        url: the URL the vendor will POST the export to.
        resolver: host name -> addresses; default `system_resolver` (blocking DNS).
    """
    checked, host, literal = url_host(url)
    if not literal:
        check_resolved(checked, host, (resolver or system_resolver)(host))
    return checked
