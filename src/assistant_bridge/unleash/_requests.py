"""What the sync and async Unleash clients share: settings, request bodies, event parsing.

Nothing here sends a request. `UnleashSettings` resolves the key, base URL and account
(arguments first, then ``UNLEASH_*`` environment variables); the ``*_options`` functions
check the caller's input and build `RequestOptions`, so bad input fails before any
request; the ``parse_*`` functions turn decoded events into typed items.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from .._models import RequestModel, invalid_request_from
from .._transport import (
    CallOverrides,
    HeaderAuth,
    InvalidRequestError,
    Problem,
    RequestOptions,
    ServerSentEvent,
    StreamError,
    StreamValidationError,
    env_setting,
    secret_setting,
    validation_error,
)
from .._validation import MAX_INT32, check_int, path_segment
from ._filters import SearchFilters
from ._messages import normalize_messages
from ._types_v1 import ChatEvent, ChatRequest
from ._types_v2 import ChatV2Chunk, ChatV2Request

__all__ = [
    "DEFAULT_BASE_URL",
    "UnleashSettings",
    "answer_options",
    "chat_options",
    "chat_v2_options",
    "filter_options_options",
    "filter_stats_options",
    "parse_v1_event",
    "parse_v2_chunk",
    "resource_content_options",
    "search_options",
]

_M = TypeVar("_M", bound=BaseModel)
DEFAULT_BASE_URL = "https://e-api.unleash.so"
SSE_ACCEPT = "text/event-stream, application/json;q=0.9"
JSON_ACCEPT = "application/json"
_SORT_BY = {"relevancy": "Relevancy", "alphabetical": "Alphabetical", "recency": "Recency"}
_SORT_ORDER = {
    "ascending": "Ascending",
    "asc": "Ascending",
    "descending": "Descending",
    "desc": "Descending",
}


@dataclass(frozen=True)
class UnleashSettings:
    """The resolved connection settings of an Unleash client."""

    api_key: SecretStr
    base_url: str
    account: str | None

    @classmethod
    def resolve(
        cls, api_key: str | SecretStr | None, base_url: str | None, account: str | None
    ) -> UnleashSettings:
        """Take the arguments, else ``UNLEASH_API_KEY``/``UNLEASH_BASE_URL``/``UNLEASH_ACCOUNT``."""
        key = secret_setting(api_key, "UNLEASH_API_KEY")
        if key is None:
            raise InvalidRequestError(
                "api_key: no Unleash API key was given; pass api_key=... or set the "
                "UNLEASH_API_KEY environment variable",
                field="api_key",
            )
        url = env_setting(base_url, "UNLEASH_BASE_URL", DEFAULT_BASE_URL)
        assert url is not None
        return cls(api_key=key, base_url=url, account=env_setting(account, "UNLEASH_ACCOUNT"))

    def auth(self) -> httpx.Auth:
        """The ``Authorization: Bearer <key>`` auth for every request."""
        return HeaderAuth(self.api_key)

    def headers(self) -> dict[str, str]:
        """Default headers: ``unleash-account`` when an account is set."""
        return {"unleash-account": self.account} if self.account else {}

    def status_hint(self, problem: Problem, body: Any) -> str | None:
        """Advice for the "missing impersonation header" error."""
        text = f"{problem.reason or ''} {problem.detail or ''} {problem.title or ''}"
        if isinstance(body, str):
            text += body
        if "impersonat" not in text.lower():
            return None
        if self.account:
            return (
                f"The account {self.account!r} was sent as unleash-account; check that it is "
                "the email or id of a user in your organisation."
            )
        return (
            "This API key is an impersonation key: set the user to act as with account=... "
            "or the UNLEASH_ACCOUNT environment variable (sent as the unleash-account header)."
        )


def _optional_str(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(
            f"{field}: must be a non-empty string, got {value!r}", field=field
        )
    return value


def chat_options(
    messages: Iterable[Any],
    *,
    assistant_id: str | None,
    filters: SearchFilters | Mapping[str, Any] | None,
    thread_id: str | None,
    stream: bool,
    call: CallOverrides,
) -> RequestOptions:
    """``POST /chats`` (v1); ``stream`` selects the event stream."""
    wire_messages = normalize_messages(messages)
    assistant = _optional_str(assistant_id, "assistant_id")
    wire_filters = _filters(filters)
    body = _body(
        ChatRequest,
        messages=wire_messages,
        stream=stream,
        assistant_id=assistant,
        enterprise_search=None if wire_filters is None else {"filters": wire_filters},
        thread_id=_optional_str(thread_id, "thread_id"),
    )
    return RequestOptions(
        "POST",
        "chats",
        json=body,
        headers=call.headers(SSE_ACCEPT if stream else JSON_ACCEPT),
        timeout=call.timeout,
        max_retries=call.max_retries,
        idempotent=False,
    )


def chat_v2_options(
    messages: Iterable[Any],
    *,
    assistant_id: str | None,
    thread_id: str | None,
    call: CallOverrides,
) -> RequestOptions:
    """``POST /chats/v2``: both forms ask for the event stream first.

    The documented JSON form has room for one ``reference`` and one ``tool``, so an
    answer with several citations or tools would lose all but one of them; the event
    stream carries every chunk. ``chat_v2`` reads whichever form comes back (a JSON body
    is one chunk), so the answer is the same as the streamed one whenever the server
    offers the stream.
    """
    body = _body(
        ChatV2Request,
        messages=normalize_messages(messages),
        assistant_id=_optional_str(assistant_id, "assistant_id"),
        thread_id=_optional_str(thread_id, "thread_id"),
    )
    return RequestOptions(
        "POST",
        "chats/v2",
        json=body,
        headers=call.headers(SSE_ACCEPT),
        timeout=call.timeout,
        max_retries=call.max_retries,
        idempotent=False,
    )


def _sort(sort: str | Mapping[str, str] | tuple[str, str] | None) -> dict[str, str] | None:
    if sort is None:
        return None
    by: str | None
    order: str | None
    if isinstance(sort, str):
        by, order = sort, None
    elif isinstance(sort, tuple) and len(sort) == 2:
        by, order = sort
    elif isinstance(sort, Mapping) and set(sort) <= {"by", "order"}:
        by, order = sort.get("by"), sort.get("order")
    else:
        raise InvalidRequestError(
            f"sort: must be 'relevancy', 'alphabetical' or 'recency', a (by, order) pair or "
            f"{{'by': ..., 'order': ...}}; got {sort!r}",
            field="sort",
        )
    out: dict[str, str] = {}
    if by is not None:
        if not isinstance(by, str) or by.lower() not in _SORT_BY:
            raise InvalidRequestError(
                f"sort.by: must be one of Relevancy, Alphabetical, Recency; got {by!r}",
                field="sort.by",
            )
        out["by"] = _SORT_BY[by.lower()]
    if order is not None:
        if not isinstance(order, str) or order.lower() not in _SORT_ORDER:
            raise InvalidRequestError(
                f"sort.order: must be Ascending or Descending; got {order!r}", field="sort.order"
            )
        out["order"] = _SORT_ORDER[order.lower()]
    return out


def search_options(
    query: str,
    *,
    filters: SearchFilters | Mapping[str, Any] | None,
    page_size: int | None,
    next_token: str | None,
    sort: str | Mapping[str, str] | tuple[str, str] | None,
    assistant_id: str | None,
    content_search: bool | None,
    semantic_search: bool | None,
    call: CallOverrides,
) -> RequestOptions:
    """``POST /search``: a read (see `_read`)."""
    if not isinstance(query, str):
        raise InvalidRequestError(
            f"query: must be a string, got {type(query).__name__}", field="query"
        )
    if page_size is not None:
        check_int(page_size, "page_size", minimum=1)
    wire_filters = _filters(filters)
    assistant = _optional_str(assistant_id, "assistant_id")
    for name, flag in (("content_search", content_search), ("semantic_search", semantic_search)):
        if flag is not None and not isinstance(flag, bool):
            raise InvalidRequestError(f"{name}: must be True or False, got {flag!r}", field=name)
    sort_body = _sort(sort) or None
    token = _optional_str(next_token, "next_token")
    paging = None if page_size is None and not token else {"size": page_size, "next_token": token}
    from ._types_search import SearchRequest  # search models load on first use

    body = _body(
        SearchRequest,
        query=query,
        filters=wire_filters,
        assistant_id=assistant,
        content_search=content_search,
        semantic_search=semantic_search,
        sort=sort_body,
        paging=paging,
    )
    return _read("search", body, call)


def filter_stats_options(assistant_id: str | None, call: CallOverrides) -> RequestOptions:
    """``POST /filters/stats``: the filter values available (a read)."""
    from ._types_search import FilterStatsRequest  # search models load on first use

    body = _body(FilterStatsRequest, assistant_id=_optional_str(assistant_id, "assistant_id"))
    return _read("filters/stats", body, call)


def filter_options_options(
    name: str,
    *,
    query: str | None,
    limit: int | None,
    assistant_id: str | None,
    call: CallOverrides,
) -> RequestOptions:
    """``POST /filters``: the values of one filter (a read)."""
    checked_name = _required_str(name, "name")
    if query is not None and not isinstance(query, str):
        raise InvalidRequestError(f"query: must be a string, got {query!r}", field="query")
    if limit is not None:
        limit = check_int(limit, "limit", minimum=1, maximum=MAX_INT32)
    from ._types_search import FilterOptionsRequest  # search models load on first use

    body = _body(
        FilterOptionsRequest,
        name=checked_name,
        query=query,
        limit=limit,
        assistant_id=_optional_str(assistant_id, "assistant_id"),
    )
    return _read("filters", body, call)


def answer_options(
    query: str,
    *,
    filters: SearchFilters | Mapping[str, Any] | None,
    assistant_id: str | None,
    call: CallOverrides,
) -> RequestOptions:
    """``POST /answers``: a one-shot answer with its references (stores nothing: a read)."""
    checked_query = _required_str(query, "query")
    from ._types_search import AskRequest  # search models load on first use

    body = _body(
        AskRequest,
        query=checked_query,
        filters=_filters(filters),
        assistant_id=_optional_str(assistant_id, "assistant_id"),
    )
    return _read("answers", body, call)


def _filters(filters: SearchFilters | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The wire form of the caller's filters, or None when there are none."""
    parsed = SearchFilters.from_any(filters)
    if parsed is None or parsed.is_empty():
        return None
    return parsed.to_wire()


def _body(model: type[RequestModel], **fields: Any) -> dict[str, Any]:
    """The JSON body of ``model`` built from checked ``fields`` (None fields left out)."""
    try:
        return model(**fields).to_wire()
    except ValidationError as exc:  # the checks above make this unlikely; still named
        raise invalid_request_from(exc) from None


def _required_str(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(
            f"{field}: must be a non-empty string, got {value!r}", field=field
        )
    return value


def _read(path: str, body: dict[str, Any], call: CallOverrides) -> RequestOptions:
    """A POST that only reads: retried like an idempotent request."""
    return RequestOptions(
        "POST",
        path,
        json=body,
        headers=call.headers(JSON_ACCEPT),
        timeout=call.timeout,
        max_retries=call.max_retries,
        idempotent=True,
    )


def resource_content_options(resource_id: str, call: CallOverrides) -> RequestOptions:
    """``GET /resources/{id}/content``: a resource's full text."""
    return RequestOptions(
        "GET",
        f"resources/{path_segment(resource_id, 'resource_id')}/content",
        headers=call.headers(JSON_ACCEPT),
        timeout=call.timeout,
        max_retries=call.max_retries,
    )


def _objects(event: ServerSentEvent) -> Iterator[dict[str, Any]]:
    if event.data.strip() in ("", "[DONE]"):
        return
    value = event.json()
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            raise StreamError(
                f"expected a JSON object in the stream, got {str(item)[:120]!r}",
                text=str(item)[:200],
            )
        yield item


def _typed(model: type[_M], item: dict[str, Any]) -> _M:
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        raise validation_error(
            exc,
            None,
            model=model,
            value=item,
            what="an event of the answer",
            kind=StreamValidationError,
        ) from None


def _error_event(event: ServerSentEvent) -> StreamError:
    """A stream's ``event: error`` as the error it reports (its message quoted)."""
    text = event.data.strip()
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        found = body.get("message") or body.get("detail") or body.get("error") or body.get("title")
        if isinstance(found, str) and found:
            text = found
    text = text[:200]
    return StreamError(f"the server reported an error in the stream: {text!r}", text=text)


def _parser(model: type[_M]) -> Callable[[ServerSentEvent], list[_M]]:
    """A function from one decoded event to the typed items in it (one, or a JSON array's).

    It runs once per streamed event, so the model's validator is looked up once, on the
    first event (not at import: the models are built on first use).
    """
    validate_json: Callable[[str], _M] | None = None

    def parse(event: ServerSentEvent) -> list[_M]:
        nonlocal validate_json
        if event.event is not None and event.event.lower() == "error":
            raise _error_event(event)
        data = event.data
        if data[:1] == "{":  # the common case: one object, parsed and validated in one step
            if validate_json is None:
                validate_json = model.__pydantic_validator__.validate_json
            try:
                return [validate_json(data)]
            except ValidationError:
                pass  # the careful path below says what is wrong
        return [_typed(model, item) for item in _objects(event)]

    return parse


parse_v1_event = _parser(ChatEvent)
parse_v1_event.__doc__ = (
    "The typed v1 events in one decoded event (a JSON array body gives several)."
)
parse_v2_chunk = _parser(ChatV2Chunk)
parse_v2_chunk.__doc__ = (
    "The typed v2 chunks in one decoded event (a JSON array body gives several)."
)
