"""`AsyncUnleashClient`: the async twin of `UnleashClient`, method for method.

Each method checks its input and builds the request with the same `_requests` functions
as the sync client, then awaits the async base client; streams are `AsyncStream` s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from .._transport import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    AsyncAPIClient,
    AsyncStream,
    CallOverrides,
    NotGiven,
    RequestOptions,
    SSEDecoder,
    TimeoutTypes,
    UnleashV1Decoder,
    parse_response,
)
from . import _requests as rq
from ._client import Filters, Sort, UnleashMixin
from ._completeness import TextMode, check_text_mode
from ._reading import read_chat, read_chat_v2
from ._types_v1 import ChatEvent, ChatResponse
from ._types_v2 import ChatV2Chunk, ChatV2Response

if TYPE_CHECKING:  # the search models load on first use: chatting needs none
    from ._types_search import (
        AskResponse,
        FilterOptionsResponse,
        FilterStatsResponse,
        ResourceContentResponse,
        SearchResponse,
    )

__all__ = ["AsyncUnleashClient"]


class AsyncUnleashClient(UnleashMixin, AsyncAPIClient):
    """An async client for the Unleash API.

    Args:
        api_key: the API key; defaults to ``UNLEASH_API_KEY``.
        base_url: defaults to ``UNLEASH_BASE_URL``, else ``https://e-api.unleash.so``.
        account: the user to act as with an impersonation key (the ``unleash-account``
            header); defaults to ``UNLEASH_ACCOUNT``.
        timeout: seconds to wait for a read (connect is 5 s), or an ``httpx.Timeout``.
        max_retries: retries of a failed request (see the "Errors and retries" guide).
        http_client: an ``httpx.AsyncClient`` of your own (proxies, transports); not closed by
            `close`.
        text_mode: how `chat` and `chat_v2` join streamed text pieces: ``"delta"``
            (default: exactly, as documented for v2) or ``"snapshot"`` (each piece is the
            whole text so far). A v1 ``Full`` event wins either way.

    Raises:
        InvalidRequestError: no API key in the arguments or the environment.
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        account: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        _sleep: Callable[[float], Awaitable[None]] | None = None,
        _random: Callable[[], float] | None = None,
        text_mode: TextMode = "delta",
    ) -> None:
        self.text_mode = check_text_mode(text_mode)
        self._settings = rq.UnleashSettings.resolve(api_key, base_url, account)
        super().__init__(
            base_url=self._settings.base_url,
            timeout=timeout,
            max_retries=max_retries,
            headers=self._settings.headers(),
            auth=self._settings.auth(),
            http_client=http_client,
            _sleep=_sleep,
            _random=_random,
        )

    async def _stream_v1(self, opts: RequestOptions) -> AsyncStream[ChatEvent]:
        response = await self.send_streaming(opts)
        return AsyncStream(response, decoder=UnleashV1Decoder, parse=rq.parse_v1_event)

    async def _stream_v2(self, opts: RequestOptions) -> AsyncStream[ChatV2Chunk]:
        response = await self.send_streaming(opts)
        return AsyncStream(response, decoder=SSEDecoder, parse=rq.parse_v2_chunk)

    async def chat(
        self,
        messages: Iterable[Any],
        *,
        assistant_id: str | None = None,
        filters: Filters = None,
        thread_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        text_mode: TextMode | None = None,
        allow_partial: bool = False,
    ) -> ChatResponse:
        """Ask the assistant (chat v1) and return its complete answer.

        The answer's ``end_seen`` says whether its end was positively seen (a whole
        JSON body or a ``Full`` event); ``finish_reason`` is ``"stop"`` then, else
        ``"unconfirmed"``.

        Args:
            messages: the conversation, oldest first: ``{"role": "User", "text": ...}``.
            assistant_id: the assistant (default: the organisation's default assistant).
            filters: `SearchFilters` or a dict of snake_case or camelCase filter names.
            thread_id: continue this thread.
            timeout: this call's read timeout (or an ``httpx.Timeout``); None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers to send with this call.
            text_mode: this call's ``text_mode`` (default: the client's).
            allow_partial: return an answer known to be unfinished (no text) instead
                of raising; its ``finish_reason`` is ``"incomplete"``.

        Raises:
            EmptyAnswerError: a success with no answer in it (empty body, 204, ...).
            IncompleteAnswerError: no text arrived (unless ``allow_partial``).
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.chat_options(
            messages,
            assistant_id=assistant_id,
            filters=filters,
            thread_id=thread_id,
            stream=False,
            call=call,
        )
        mode = self._text_mode(text_mode)
        return read_chat(await self.request(opts), mode, allow_partial)

    async def stream_chat(
        self,
        messages: Iterable[Any],
        *,
        assistant_id: str | None = None,
        filters: Filters = None,
        thread_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncStream[ChatEvent]:
        """Ask the assistant (chat v1) and stream its typed events as they arrive.

        Use ``assemble_chat(events)`` on what you collected to get the `ChatResponse`
        (it raises if the answer is known to be unfinished). A stream that ends with no
        event in it raises `EmptyAnswerError`.

        Args:
            messages: the conversation, oldest first: ``{"role": "User", "text": ...}``.
            assistant_id: the assistant (default: the organisation's default assistant).
            filters: `SearchFilters` or a dict of snake_case or camelCase filter names.
            thread_id: continue this thread.
            timeout: this call's read timeout (or an ``httpx.Timeout``); None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers to send with this call.

        Returns:
            An open `AsyncStream` of `ChatEvent` s; use it in an ``async with`` block.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.chat_options(
            messages,
            assistant_id=assistant_id,
            filters=filters,
            thread_id=thread_id,
            stream=True,
            call=call,
        )
        return await self._stream_v1(opts)

    async def chat_v2(
        self,
        messages: Iterable[Any],
        *,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        text_mode: TextMode | None = None,
        allow_partial: bool = False,
    ) -> ChatV2Response:
        """Ask the next-gen assistant (chat v2) and return its complete answer.

        Chat v2 takes no search filters; use `chat` (v1) or `search` to filter. The
        answer's ``end_seen`` says whether its end was positively seen (a whole JSON
        body or an SSE ``[DONE]``).

        Args:
            messages: the conversation, oldest first: ``{"role": "User", "text": ...}``.
            assistant_id: the assistant (default: the organisation's default assistant).
            thread_id: continue this thread.
            timeout: this call's read timeout (or an ``httpx.Timeout``); None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers to send with this call.
            text_mode: this call's ``text_mode`` (default: the client's).
            allow_partial: return an answer known to be unfinished (no text, a tool
                step never ended, a reference past the text) instead of raising.

        Raises:
            EmptyAnswerError: a success with no answer in it (empty body, 204, ...).
            IncompleteAnswerError: the answer is known to be unfinished (unless
                ``allow_partial``).
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.chat_v2_options(
            messages, assistant_id=assistant_id, thread_id=thread_id, call=call
        )
        mode = self._text_mode(text_mode)
        return read_chat_v2(await self.request(opts), mode, allow_partial)

    async def stream_chat_v2(
        self,
        messages: Iterable[Any],
        *,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncStream[ChatV2Chunk]:
        """Ask the next-gen assistant (chat v2) and stream its typed chunks (SSE).

        Use ``assemble_chat_v2(chunks, end_seen=stream.terminated)`` on what you
        collected to get the `ChatV2Response` (``terminated``: the SSE ``[DONE]`` came).
        A stream that ends with no chunk in it raises `EmptyAnswerError`.

        Args:
            messages: the conversation, oldest first: ``{"role": "User", "text": ...}``.
            assistant_id: the assistant (default: the organisation's default assistant).
            thread_id: continue this thread.
            timeout: this call's read timeout (or an ``httpx.Timeout``); None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers to send with this call.

        Returns:
            An open `AsyncStream` of `ChatV2Chunk` s; use it in an ``async with`` block.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.chat_v2_options(
            messages, assistant_id=assistant_id, thread_id=thread_id, call=call
        )
        return await self._stream_v2(opts)

    async def search(
        self,
        query: str,
        *,
        filters: Filters = None,
        page_size: int | None = None,
        next_token: str | None = None,
        sort: Sort = None,
        assistant_id: str | None = None,
        content_search: bool | None = None,
        semantic_search: bool | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> SearchResponse:
        """Search the organisation's resources (one page; pass ``paging.next`` on).

        Args:
            query: what to search for.
            filters: `SearchFilters` or a dict of snake_case or camelCase filter names.
            page_size: results per page.
            next_token: the token of the page to fetch (from the previous response).
            sort: ``"relevancy"``, ``"alphabetical"`` or ``"recency"``, a ``(by, order)``
                pair or ``{"by": ..., "order": ...}``.
            assistant_id: search with this assistant's sources.
            content_search: search inside resource contents (``contentSearch``).
            semantic_search: semantic rather than keyword search (``semanticSearch``).
            timeout: this call's read timeout (or an ``httpx.Timeout``); None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers to send with this call.
        """
        opts = rq.search_options(
            query,
            filters=filters,
            page_size=page_size,
            next_token=next_token,
            sort=sort,
            assistant_id=assistant_id,
            content_search=content_search,
            semantic_search=semantic_search,
            call=CallOverrides(timeout, max_retries, extra_headers),
        )
        response = await self.request(opts)
        from ._types_search import SearchResponse

        return parse_response(response, SearchResponse)

    async def filter_stats(
        self,
        *,
        assistant_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> FilterStatsResponse:
        """The filter values available to this user (e.g. every ``appId``)."""
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.filter_stats_options(assistant_id, call)
        response = await self.request(opts)
        from ._types_search import FilterStatsResponse

        return parse_response(response, FilterStatsResponse)

    async def filter_options(
        self,
        name: str,
        *,
        query: str | None = None,
        limit: int | None = None,
        assistant_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> FilterOptionsResponse:
        """The values of one filter (``POST /filters``), e.g. every ``appId``.

        Args:
            name: the filter's API name (``"appId"``, ``"status"``, a custom property...).
            query: only values containing this text.
            limit: at most this many values.
            assistant_id: the values this assistant's sources have.
            timeout: this call's read timeout (or an ``httpx.Timeout``); None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers to send with this call.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.filter_options_options(
            name, query=query, limit=limit, assistant_id=assistant_id, call=call
        )
        response = await self.request(opts)
        from ._types_search import FilterOptionsResponse

        return parse_response(response, FilterOptionsResponse)

    async def answer(
        self,
        query: str,
        *,
        filters: Filters = None,
        assistant_id: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AskResponse:
        """A one-shot answer to a question, with the resources it cites (``POST /answers``).

        Args:
            query: the question.
            filters: `SearchFilters` or a dict of snake_case or camelCase filter names.
            assistant_id: the assistant (default: the organisation's default assistant).
            timeout: this call's read timeout (or an ``httpx.Timeout``); None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers to send with this call.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.answer_options(query, filters=filters, assistant_id=assistant_id, call=call)
        response = await self.request(opts)
        from ._types_search import AskResponse

        return parse_response(response, AskResponse)

    async def resource_content(
        self,
        resource_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ResourceContentResponse:
        """The full text of one resource (``.text``), in parts."""
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.resource_content_options(resource_id, call)
        from ._types_search import ResourceContentResponse

        return parse_response(await self.request(opts), ResourceContentResponse)
