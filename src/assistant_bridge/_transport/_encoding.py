"""Request bodies that cannot be sent: found before sending, named by field and rule.

``httpx`` encodes a JSON body with ``json.dumps(..., allow_nan=False)`` and UTF-8, query
parameters as UTF-8 and headers as ASCII. A lone surrogate, a ``NaN`` or an object that is
not JSON would surface as a bare ``UnicodeEncodeError``, ``ValueError`` or ``TypeError``
from deep inside ``httpx``; `request_input_error` turns such a failure into an
`InvalidRequestError` that says which part of the request is at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._exceptions import InvalidRequestError

__all__ = ["json_problem", "request_input_error"]


def json_problem(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first part of ``value`` that cannot be sent as JSON: ``(path, rule)``, else None.

    ``path`` names the value (dotted, with ``[i]`` for list items). Strings must be UTF-8
    encodable, numbers finite, keys strings (or numbers, booleans, None, as ``json``
    allows), and every other value a dict, list, tuple, bool or None.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return path or "value", (
                f"cannot be encoded as UTF-8 (a lone surrogate {value[exc.start]!r} "
                f"at position {exc.start})"
            )
        return None
    if value is None or isinstance(value, (bool, int)):
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return path or "value", f"must be a finite number, got {value!r}"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return inner, f"is a {type(key).__name__} key; JSON keys are strings"
            found = json_problem(key, inner) or json_problem(item, inner)
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = json_problem(item, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    return path or "value", (
        f"is not JSON-serialisable (a value of type {type(value).__name__}; use a string, number, "
        "bool, None, list or dict)"
    )


def _text_problem(value: Any, path: str, *, ascii_only: bool) -> tuple[str, str] | None:
    if not isinstance(value, str):
        return None
    try:
        value.encode("ascii" if ascii_only else "utf-8")
    except UnicodeEncodeError as exc:
        if ascii_only:
            return path, f"must be ASCII text (a header value), got {value[exc.start]!r}"
        return json_problem(value, path)
    return None


def request_input_error(
    *,
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
) -> InvalidRequestError | None:
    """The error for the first part of a request that cannot be encoded, or None.

    Called after ``httpx`` failed to build a request: the body fields are named by their
    wire path (``messages[0].text``), parameters and headers by ``params.<name>`` and
    ``headers.<name>``.
    """
    found = json_problem(json, "") if json is not None else None
    for name, value in (params or {}).items():
        if found is not None:
            break
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            found = found or _text_problem(item, f"params.{name}", ascii_only=False)
    for name, value in (data or {}).items():
        found = found or _text_problem(value, f"data.{name}", ascii_only=False)
    for name, value in (headers or {}).items():
        found = found or _text_problem(value, f"headers.{name}", ascii_only=True)
    if found is None:
        return None
    where, rule = found
    return InvalidRequestError(f"{where}: {rule}", field=where)
