"""Validation of Unleash request bodies, with the messages an ASP.NET service would give.

Each ``check_*`` returns ``{field path: [messages]}`` (empty when the body is valid); the
routes answer a non-empty result with a 400 problem+json. Only what the documents forbid
is refused: a missing required field (``messages``, at least one; ``query`` of
``/answers``; ``name`` of ``/filters``), a value of the wrong type, a value outside an
enum (roles, sort; read case-insensitively, as the vendor's JSON converter does), an
int32 out of range. A message's ``role`` and ``text`` are optional (``text`` nullable);
unknown top-level fields are ignored, as ASP.NET does by default, and ``SearchFilters``
takes extra properties (see `_filtering`). Two rules go further than the documents and
are listed in the assumptions table: ``paging.size`` must be at least 1, and a filter
time must be an ISO-8601 date-time.
"""

from __future__ import annotations

from typing import Any

from ._corpus import Corpus
from ._filtering import check_filters

__all__ = [
    "ROLES",
    "SORT_BY",
    "SORT_ORDER",
    "check_answers",
    "check_chat",
    "check_filter_options",
    "check_search",
    "check_stats",
]

ROLES = {"user": "User", "system": "System", "assistant": "Assistant"}
SORT_BY = {"relevancy": "Relevancy", "alphabetical": "Alphabetical", "recency": "Recency"}
SORT_ORDER = {"ascending": "Ascending", "descending": "Descending"}
INT32_MAX = 2**31 - 1

Errors = dict[str, list[str]]


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _object(body: Any, errors: Errors) -> dict[str, Any] | None:
    if isinstance(body, dict):
        return body
    _add(errors, "$", "The request body must be a JSON object.")
    return None


def _optional(body: dict[str, Any], key: str, kind: type, errors: Errors, label: str) -> None:
    value = body.get(key)
    if value is not None and (
        not isinstance(value, kind) or isinstance(value, bool) != (kind is bool)
    ):
        _add(errors, key, f"The {key} field must be {label} or null.")


def _messages(raw: Any, errors: Errors) -> None:
    if raw is None:
        _add(errors, "messages", "The messages field is required.")
        return
    if not isinstance(raw, list):
        _add(errors, "messages", "The messages field must be an array.")
        return
    if not raw:
        _add(
            errors,
            "messages",
            "The field messages must be a string or array type with a minimum length of '1'.",
        )
        return
    for index, message in enumerate(raw):
        key = f"messages[{index}]"
        if not isinstance(message, dict):
            _add(errors, key, "Each message must be an object with role and text.")
            continue
        role = message.get("role")
        if role is not None and (not isinstance(role, str) or role.lower() not in ROLES):
            _add(
                errors,
                f"{key}.role",
                f"The JSON value {role!r} could not be converted to MessageRole; "
                "expected User, System or Assistant.",
            )
        text = message.get("text")
        if text is not None and not isinstance(text, str):
            _add(errors, f"{key}.text", "The text field must be a string or null.")


def check_chat(body: Any, corpus: Corpus, *, v2: bool) -> Errors:
    """Errors of a ``POST /chats`` (or ``/chats/v2``) body."""
    errors: Errors = {}
    obj = _object(body, errors)
    if obj is None:
        return errors
    _messages(obj.get("messages"), errors)
    _optional(obj, "assistantId", str, errors, "a string")
    _optional(obj, "threadId", str, errors, "a string")
    if v2:
        return errors
    _optional(obj, "stream", bool, errors, "true, false")
    search = obj.get("enterpriseSearch")
    if search is not None:
        if not isinstance(search, dict):
            _add(errors, "enterpriseSearch", "The enterpriseSearch field must be an object.")
        else:
            errors.update(check_filters(search.get("filters"), corpus, "enterpriseSearch.filters"))
    return errors


def _enum(value: Any, allowed: dict[str, str], key: str, errors: Errors) -> None:
    if value is not None and (not isinstance(value, str) or value.lower() not in allowed):
        names = ", ".join(allowed.values())
        _add(errors, key, f"The JSON value {value!r} is not valid; expected one of {names}.")


def check_search(body: Any, corpus: Corpus) -> Errors:
    """Errors of a ``POST /search`` body."""
    errors: Errors = {}
    obj = _object(body if body is not None else {}, errors)
    if obj is None:
        return errors
    _optional(obj, "query", str, errors, "a string")
    _optional(obj, "assistantId", str, errors, "a string")
    _optional(obj, "contentSearch", bool, errors, "true, false")
    _optional(obj, "semanticSearch", bool, errors, "true, false")
    errors.update(check_filters(obj.get("filters"), corpus, "filters"))
    sort = obj.get("sort")
    if sort is not None:
        if not isinstance(sort, dict):
            _add(errors, "sort", "The sort field must be an object.")
        else:
            _enum(sort.get("by"), SORT_BY, "sort.by", errors)
            _enum(sort.get("order"), SORT_ORDER, "sort.order", errors)
    paging = obj.get("paging")
    if paging is not None:
        if not isinstance(paging, dict):
            _add(errors, "paging", "The paging field must be an object.")
            return errors
        size = paging.get("size")
        if size is not None and (
            isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= INT32_MAX
        ):
            _add(errors, "paging.size", f"The size must be a whole number from 1 to {INT32_MAX}.")
        token = paging.get("nextToken")
        if token is not None and not isinstance(token, str):
            _add(errors, "paging.nextToken", "The nextToken field must be a string or null.")
    return errors


def check_stats(body: Any) -> Errors:
    """Errors of a ``POST /filters/stats`` body (an empty body is allowed)."""
    errors: Errors = {}
    obj = _object(body if body is not None else {}, errors)
    if obj is not None:
        _optional(obj, "assistantId", str, errors, "a string")
    return errors


def check_filter_options(body: Any) -> Errors:
    """Errors of a ``POST /filters`` body."""
    errors: Errors = {}
    obj = _object(body, errors)
    if obj is None:
        return errors
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        _add(errors, "name", "The name field is required.")
    _optional(obj, "query", str, errors, "a string")
    _optional(obj, "limit", int, errors, "a whole number")
    return errors


def check_answers(body: Any, corpus: Corpus) -> Errors:
    """Errors of a ``POST /answers`` body."""
    errors: Errors = {}
    obj = _object(body, errors)
    if obj is None:
        return errors
    query = obj.get("query")
    if not isinstance(query, str) or not query:
        _add(errors, "query", "The query field is required.")
    _optional(obj, "assistantId", str, errors, "a string")
    errors.update(check_filters(obj.get("filters"), corpus, "filters"))
    return errors
