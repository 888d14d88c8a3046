"""Per-call options of every adapter: keyword checks, filter merging, the v1/v2 choice.

One implementation of what a call's keyword arguments mean, for both frameworks:
`reject_unknown` (an unknown keyword is an `InvalidRequestError` with the nearest valid
names), `unknown_name` (the same error for any named thing: a filter attribute, a
metadata key), `merge_filters` (instance filters, then each call layer, the later
winning), `UnleashChatCall` (one Unleash chat call: the client arguments, v1 or v2,
filters only on v1) and `RetrievalOptions` (one retrieval call's settings). Errors are
the transport's `InvalidRequestError`; LangChain code translates them as it does every
vendor error.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

from .._transport import InvalidRequestError
from .._validation import nearest_names
from ..unleash import FILTER_FIELDS, TIME_FIELD_PAIRS, SearchFilters

if TYPE_CHECKING:
    from ..unleash import (
        AsyncUnleashClient,
        ChatResponse,
        ChatV2Response,
        TextMode,
        UnleashClient,
    )

__all__ = [
    "FILTER_KEYWORDS",
    "TIME_BOUNDS",
    "ApiVersion",
    "RetrievalOptions",
    "UnleashChatCall",
    "check_flag",
    "check_k",
    "check_v2_filters",
    "filter_name",
    "filter_text",
    "jylo_call",
    "merge_filters",
    "reject_unknown",
    "unknown_name",
]

ApiVersion: TypeAlias = Literal["v1", "v2"]
"""Unleash chat: ``"v2"`` (``POST /chats/v2``, tool steps) or ``"v1"`` (``POST /chats``)."""

FILTER_KEYWORDS: frozenset[str] = frozenset(
    {f.name for f in FILTER_FIELDS} | {f.api_name for f in FILTER_FIELDS}
)
"""Every filter name a retrieval call accepts as a keyword: snake_case and camelCase."""

_FILTER_NAMES = {
    **{f.name: f.name for f in FILTER_FIELDS},
    **{f.api_name: f.name for f in FILTER_FIELDS},
}
TIME_BOUNDS: dict[str, tuple[str, bool]] = {
    **{lower: (concept, True) for concept, (lower, _) in TIME_FIELD_PAIRS.items()},
    **{upper: (concept, False) for concept, (_, upper) in TIME_FIELD_PAIRS.items()},
}
"""A time filter field to its concept (``TIME_FIELD_PAIRS``) and whether it is the lower bound."""

_V2_NO_FILTERS = "filters: Unleash chat v2 takes no filters; use api_version='v1'"


def unknown_name(
    name: str, valid: Iterable[str], message: str, after: str = ""
) -> InvalidRequestError:
    """The error for an unknown ``name``: ``message``, the nearest valid names, ``after``.

    Args:
        name: what was given (also the error's ``field``).
        valid: the names that would have been accepted.
        message: the start of the message (``"; did you mean ...?"`` follows when a
            valid name is close).
        after: the end of the message (say, every valid name).
    """
    suggestions = nearest_names(name, valid)
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    return InvalidRequestError(f"{message}{hint}{after}", field=name, suggestions=suggestions)


def filter_name(name: str, message: str, after: str = "") -> str:
    """The `SearchFilters` field ``name`` stands for (snake or camel case).

    Raises:
        InvalidRequestError: ``name`` is no filter: ``message``, the nearest filter
            names, then ``after``.
    """
    found = _FILTER_NAMES.get(name)
    if found is None:
        valid = [*TIME_FIELD_PAIRS, *(f.name for f in FILTER_FIELDS)]
        raise unknown_name(name, valid, message, after)
    return found


def filter_text(value: Any, name: str, prefix: str) -> str:
    """A filter value as text: a non-blank string, or a number written out.

    Raises:
        InvalidRequestError: anything else (``prefix`` starts the message).
    """
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise InvalidRequestError(f"{prefix}{name}: expected a text value, got {value!r}", field=name)


def reject_unknown(kwargs: Iterable[str], known: Sequence[str], owner: str) -> None:
    """Raise for the first keyword of a call that is not in ``known``.

    Raises:
        InvalidRequestError: ``"<name>: not an argument of <owner> calls; did you mean
            ...? (known: ...)"``.
    """
    for name in kwargs:
        if name not in known:
            raise unknown_name(
                name,
                known,
                f"{name}: not an argument of {owner} calls",
                f" (known: {', '.join(known)})",
            )


def merge_filters(
    base: SearchFilters | None, *layers: SearchFilters | None
) -> SearchFilters | None:
    """``base`` with each layer's fields set over it, in order (None layers skipped)."""
    merged = base
    for layer in layers:
        if layer is not None:
            merged = layer if merged is None else merged.merged(layer)
    return merged


def check_v2_filters(api_version: ApiVersion, filters: Any, alternative: str) -> None:
    """Filters on an Unleash chat v2 adapter are an error (chat v2 takes none).

    Args:
        api_version: the adapter's API version.
        filters: its filters (None or empty: nothing to check).
        alternative: what to use instead, e.g. ``"UnleashSearchRetriever"``.
    """
    if filters is not None and api_version == "v2":
        raise InvalidRequestError(
            f"filters: Unleash chat v2 takes no filters; use api_version='v1' for filtered "
            f"chat, or {alternative}",
            field="filters",
        )


class UnleashChatSettings(Protocol):
    """What `UnleashChatCall.of` reads of an Unleash chat model or LLM."""

    api_version: ApiVersion
    assistant_id: str | None
    filters: SearchFilters | None
    allow_partial: bool
    text_mode: TextMode


class JyloSettings(Protocol):
    """What `jylo_call` reads of a Jylo chat model or LLM."""

    assistant_id: str | None
    model_identifier: str | None
    allow_partial: bool


@dataclass(frozen=True)
class UnleashChatCall:
    """One Unleash chat call: the client's arguments, and the v1/v2 choice.

    Attributes:
        api_version: ``"v2"`` (``chat_v2``) or ``"v1"`` (``chat``, the only one with filters).
        args: the client keywords besides the messages (``assistant_id``, ``thread_id``,
            ``timeout``, ``max_retries``, and ``filters`` on v1).
        allow_partial: return an answer known to be unfinished instead of raising.
        text_mode: how streamed text pieces join (None: the client's default).
    """

    api_version: ApiVersion
    args: Mapping[str, Any]
    allow_partial: bool = False
    text_mode: TextMode | None = None

    @classmethod
    def plain(
        cls,
        api_version: ApiVersion,
        *,
        assistant_id: str | None,
        filters: SearchFilters | None,
        thread_id: str | None = None,
    ) -> UnleashChatCall:
        """A call with the clients' defaults (a retriever's question), filters on v1 only."""
        args: dict[str, Any] = {"assistant_id": assistant_id, "thread_id": thread_id}
        if api_version == "v1":
            args["filters"] = filters
        return cls(api_version, args)

    @classmethod
    def of(
        cls,
        kwargs: Mapping[str, Any],
        adapter: UnleashChatSettings,
        known: Sequence[str],
        parse_filters: Any = SearchFilters.from_any,
    ) -> UnleashChatCall:
        """A call from its keywords (checked) over the adapter's settings.

        Args:
            kwargs: the call's keywords; ``assistant_id``, ``thread_id``, ``filters``,
                ``timeout``, ``max_retries`` and ``allow_partial`` are read (a call's
                value wins, filters are merged over the adapter's).
            adapter: the chat model or LLM (its class name is used in errors).
            known: every keyword the adapter's calls take.
            parse_filters: turns a call's ``filters=`` into `SearchFilters` (or None).

        Raises:
            InvalidRequestError: an unknown keyword, or filters on chat v2.
        """
        api_version = adapter.api_version
        reject_unknown(kwargs, known, type(adapter).__name__)
        args: dict[str, Any] = {
            "assistant_id": kwargs.get("assistant_id", adapter.assistant_id),
            "thread_id": kwargs.get("thread_id"),
        }
        for name in ("timeout", "max_retries"):
            if kwargs.get(name) is not None:
                args[name] = kwargs[name]
        extra = None
        if kwargs.get("filters") is not None:
            extra = parse_filters(kwargs["filters"])
            if extra is not None and api_version == "v2":
                raise InvalidRequestError(_V2_NO_FILTERS, field="filters")
        if api_version == "v1":
            args["filters"] = merge_filters(adapter.filters, extra)
        allow_partial = bool(kwargs.get("allow_partial", adapter.allow_partial))
        return cls(api_version, args, allow_partial, adapter.text_mode)

    def _whole(self) -> dict[str, Any]:
        """The client keywords that only a whole (non-streamed) answer takes."""
        whole: dict[str, Any] = {"allow_partial": self.allow_partial}
        if self.text_mode is not None:
            whole["text_mode"] = self.text_mode
        return whole

    def ask(
        self, client: UnleashClient, messages: list[dict[str, str]]
    ) -> ChatResponse | ChatV2Response:
        """The whole answer (``chat`` on v1, ``chat_v2`` on v2; the client assembles it)."""
        whole = self._whole()
        if self.api_version == "v1":
            return client.chat(messages, **self.args, **whole)
        return client.chat_v2(messages, **self.args, **whole)

    async def aask(
        self, client: AsyncUnleashClient, messages: list[dict[str, str]]
    ) -> ChatResponse | ChatV2Response:
        """Async `ask`."""
        whole = self._whole()
        if self.api_version == "v1":
            return await client.chat(messages, **self.args, **whole)
        return await client.chat_v2(messages, **self.args, **whole)

    def open(self, client: UnleashClient, messages: list[dict[str, str]]) -> Any:
        """The vendor stream of the answer (not yet read)."""
        if self.api_version == "v1":
            return client.stream_chat(messages, **self.args)
        return client.stream_chat_v2(messages, **self.args)

    async def aopen(self, client: AsyncUnleashClient, messages: list[dict[str, str]]) -> Any:
        """Async `open`."""
        if self.api_version == "v1":
            return await client.stream_chat(messages, **self.args)
        return await client.stream_chat_v2(messages, **self.args)


def check_k(value: Any, *, allow_none: bool) -> int | None:
    """A result count: a whole number >= 1 (or None, "all", when ``allow_none``)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        allowed = "a whole number >= 1" + (" or None (all)" if allow_none else "")
        raise InvalidRequestError(f"k: must be {allowed}, got {value!r}", field="k")
    return value


def check_flag(name: str, value: Any) -> bool:
    """``value`` when it is True or False, else an `InvalidRequestError` naming ``name``."""
    if not isinstance(value, bool):
        raise InvalidRequestError(f"{name}: must be True or False, got {value!r}", field=name)
    return value


@dataclass(frozen=True)
class RetrievalOptions:
    """One retrieval call's settings: the retriever's, overridden by the call's keywords.

    Attributes:
        k: how many results (None: all).
        filters: the retriever's filters, then ``filters=``, then single-filter keywords.
        fetch_content: replace snippets with the resources' full text.
        assistant_id: the assistant whose sources are used.
        extra: the retriever's own other options, as given.
    """

    k: int | None
    filters: SearchFilters | None
    fetch_content: bool
    assistant_id: str | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        kwargs: Mapping[str, Any],
        *,
        owner: str,
        options: Collection[str],
        ignored: Collection[str],
        defaults: Mapping[str, Any],
        k_allows_none: bool,
        parse_filters: Any,
    ) -> RetrievalOptions:
        """The options of one call (keywords checked, filters merged, the later winning).

        Args:
            kwargs: the call's keywords: options, and filter names (snake or camel case).
            owner: the retriever's name, for errors.
            options: the option names the retriever takes.
            ignored: keywords read elsewhere (left alone here).
            defaults: the retriever's ``k``, ``filters``, ``fetch_content``,
                ``assistant_id``.
            k_allows_none: whether ``k=None`` (all) is allowed.
            parse_filters: a filters value to `SearchFilters` (None when empty).
        """
        given: dict[str, Any] = {}
        single: dict[str, Any] = {}
        for name, value in kwargs.items():
            if name in options:
                given[name] = value
            elif name in FILTER_KEYWORDS:
                single[name] = value
            elif name not in ignored:
                valid = sorted(options) + sorted(f.name for f in FILTER_FIELDS)
                raise unknown_name(
                    name,
                    valid,
                    f"{name}: is not an option of {owner} nor a search filter",
                    f" (options: {', '.join(sorted(options))}; filters: any "
                    "SearchFilters field name)",
                )
        filters = merge_filters(
            defaults["filters"],
            parse_filters(given.pop("filters", None)),
            parse_filters(single or None),
        )
        return cls(
            k=check_k(given.pop("k", defaults["k"]), allow_none=k_allows_none),
            filters=filters,
            fetch_content=check_flag(
                "fetch_content", given.pop("fetch_content", defaults["fetch_content"])
            ),
            assistant_id=given.pop("assistant_id", defaults["assistant_id"]),
            extra=given,
        )


def jylo_call(
    kwargs: Mapping[str, Any], adapter: JyloSettings, known: Sequence[str]
) -> dict[str, Any]:
    """One Jylo post's arguments: the call's keywords (checked) over the adapter's settings.

    Returns ``assistant_id``, ``model`` (``model_identifier=``, else ``model=``, else the
    adapter's), ``document_ids``, ``options`` (``timeout``, ``max_retries``) and
    ``allow_partial``.

    Raises:
        InvalidRequestError: an unknown keyword, or no assistant or model anywhere.
    """
    reject_unknown(kwargs, known, type(adapter).__name__)
    assistant = kwargs.get("assistant_id") or adapter.assistant_id
    model = kwargs.get("model_identifier") or kwargs.get("model") or adapter.model_identifier
    for value, name, env in (
        (assistant, "assistant_id", "JYLO_ASSISTANT_ID"),
        (model, "model_identifier", "JYLO_MODEL_IDENTIFIER"),
    ):
        if not value:
            raise InvalidRequestError(
                f"{name}: no Jylo {name} was given; pass {name}=... or set the {env} "
                "environment variable",
                field=name,
            )
    options = {k: kwargs[k] for k in ("timeout", "max_retries") if kwargs.get(k) is not None}
    return {
        "assistant_id": str(assistant),
        "model": str(model),
        "document_ids": list(kwargs.get("document_ids") or []),
        "options": options,
        "allow_partial": bool(kwargs.get("allow_partial", adapter.allow_partial)),
    }
