"""Small input checks shared by the vendor clients; each failure names the field and the rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from ._transport import InvalidRequestError, json_problem

__all__ = [
    "MAX_INT32",
    "check_encodable",
    "check_int",
    "check_json",
    "check_text",
    "check_uuid",
    "json_problem",
    "nearest_names",
    "path_segment",
]

MAX_INT32 = 2**31 - 1
"""The largest value of an int32 field (what the vendors document for counts and sizes)."""


def check_uuid(value: Any, field: str) -> str:
    """Return ``value`` as a canonical lower-case UUID string, or raise naming ``field``."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            pass
    raise InvalidRequestError(
        f"{field}: must be a UUID such as 3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b, got {value!r}",
        field=field,
    )


def check_text(value: Any, field: str, *, max_length: int | None = None) -> str:
    """Return ``value`` if it is a non-blank string (at most ``max_length``), or raise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(
            f"{field}: must be a non-empty string, got {value!r}", field=field
        )
    if max_length is not None and len(value) > max_length:
        raise InvalidRequestError(
            f"{field}: must be at most {max_length} characters, got {len(value)}", field=field
        )
    return value


def check_int(value: Any, field: str, *, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` if it is a whole number in range, or raise naming the range."""
    in_range = (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= minimum
        and (maximum is None or value <= maximum)
    )
    if not in_range:
        bound = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise InvalidRequestError(
            f"{field}: must be a whole number {bound}, got {value!r}", field=field
        )
    return int(value)


def path_segment(value: Any, field: str) -> str:
    """``value`` percent-encoded as one URL path segment, or raise naming ``field``.

    An empty or blank id, ``.`` or ``..`` would change which path is requested (``httpx``
    removes dot segments), and text that is not UTF-8 cannot be sent; every other
    character, ``/`` included, is percent-encoded so that the id stays one segment.
    """
    from urllib.parse import quote

    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(
            f"{field}: must be a non-empty string, got {value!r}", field=field
        )
    if value.strip() in (".", ".."):
        raise InvalidRequestError(
            f"{field}: must not be {value!r} (a dot segment would change the URL path)",
            field=field,
        )
    check_encodable(value, field)
    return quote(value, safe="")


def check_encodable(value: str, field: str) -> str:
    """``value`` if it can be encoded as UTF-8 (no lone surrogate), or raise naming ``field``."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRequestError(
            f"{field}: cannot be encoded as UTF-8 (a lone surrogate "
            f"{value[exc.start]!r} at position {exc.start})",
            field=field,
        ) from None
    return value


def check_json(value: Any, field: str) -> Any:
    """``value`` if it can be sent as JSON, else an `InvalidRequestError` naming the part."""
    found = json_problem(value, field)
    if found is not None:
        where, rule = found
        raise InvalidRequestError(f"{where}: {rule}", field=where)
    return value


def nearest_names(name: str, valid: Iterable[str], *, limit: int = 3) -> list[str]:
    """Valid names close to ``name``, nearest first (for "did you mean" messages)."""
    import difflib

    pool = list(valid)
    close = difflib.get_close_matches(name, pool, n=limit, cutoff=0.6)
    if close:
        return close
    lowered = {v.lower().replace("_", ""): v for v in pool}
    key = name.lower().replace("_", "").replace("-", "")
    return [lowered[k] for k in difflib.get_close_matches(key, list(lowered), n=limit, cutoff=0.5)]
