"""`JyloClient`: the blocking client for a Jylo project's assistants and their messages.

Each method checks its input and builds its request in `_requests` (so bad input fails
before anything is sent), sends it through the base client (pooling, timeouts, retries,
typed errors, OAuth2 token via `JyloAuth`), and reads the answer in `_responses`.
`AsyncJyloClient` in `_async_client` has the same methods.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from .._transport import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    CallOverrides,
    NotGiven,
    RequestOptions,
    SyncAPIClient,
    TimeoutTypes,
    parse_response,
)
from . import _requests as rq
from ._base import DEFAULT_PAGE_SIZE, JyloMixin
from ._reply import TextMode
from ._responses import parse_message, parse_reply
from ._settings import JyloSettings
from ._streaming import Fetch, MessageStream
from ._types import Assistant, Document, Message, ModelInfo, Page

__all__ = ["JyloClient"]


class JyloClient(JyloMixin, SyncAPIClient):
    """A blocking client for the Jylo assistant-messages API.

    Args:
        client_id: the API client's id (``JYLO_CLIENT_ID``).
        client_secret: the API client's secret (``JYLO_CLIENT_SECRET``).
        token: a ready bearer token to use instead of the client-credentials grant.
        tenant: your tenant name (``JYLO_TENANT``), for the derived API URL.
        region: ``uk``, ``us``, ``eu``, ``au`` or ``jp`` (``JYLO_REGION``).
        project_id: the project that holds the assistants (``JYLO_PROJECT_ID``).
        base_url: the API URL (``JYLO_BASE_URL``); default ``https://api.<tenant>.<region>.jylo.ai``.
        token_url: the token endpoint (``JYLO_TOKEN_URL``); default from the region (the
            UK login host for ``au`` and ``jp``, which have no documented one).
        settings_url: the settings API (``JYLO_SETTINGS_URL``); default
            ``https://settings.<region>.jylo.ai``.
        timeout: seconds to wait for a read (connect is 5 s), or an ``httpx.Timeout``.
        max_retries: retries of a failed request (a ``POST`` only when it cannot have
            been processed).
        http_client: an ``httpx.Client`` of your own; not closed by `close`.
        audience: the token ``audience`` (``JYLO_AUDIENCE``); default
            ``https://jga.jylo.ai/external/v2``.

    Raises:
        InvalidRequestError: a setting is missing (the message names the variable).
    """

    def __init__(
        self,
        client_id: str | None = None,
        *,
        client_secret: str | SecretStr | None = None,
        token: str | SecretStr | None = None,
        tenant: str | None = None,
        region: str | None = None,
        project_id: str | None = None,
        base_url: str | None = None,
        token_url: str | None = None,
        settings_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        audience: str | None = None,
        _sleep: Callable[[float], None] | None = None,
        _random: Callable[[], float] | None = None,
        _clock: Callable[[], float] | None = None,
    ) -> None:
        self._settings = JyloSettings.resolve(
            client_id=client_id,
            client_secret=client_secret,
            token=token,
            tenant=tenant,
            region=region,
            project_id=project_id,
            base_url=base_url,
            token_url=token_url,
            settings_url=settings_url,
            audience=audience,
        )
        super().__init__(
            base_url=self._settings.base_url,
            timeout=timeout,
            max_retries=max_retries,
            auth=self._settings.auth(_clock),
            http_client=http_client,
            _sleep=_sleep,
            _random=_random,
        )

    # -- messages ------------------------------------------------------------------
    def list_messages(
        self,
        assistant_id: str,
        *,
        page_number: int | None = None,
        page_size: int | None = None,
        search_text: str | None = None,
        sorting: rq.Sorting = None,
        desc: bool | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Page[Message]:
        """One page of an assistant's messages (the API sorts newest first by default).

        Args:
            assistant_id: the assistant (a UUID).
            page_number: the page to fetch, from 1 (pages are taken to start at 1).
            page_size: messages per page, 1 to 2**31 - 1 (no documented maximum).
            search_text: only messages that match this text.
            sorting: an integer sort option: `ItemSorting` (its values are a guess;
                seed 003 lists none) or any ``int``; a string raises `InvalidRequestError`.
            desc: sort descending (the server's default) or ascending.
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.
        """
        query = rq.ListQuery(page_number, page_size, search_text, sorting, desc)
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.message_options("GET", self._project(), assistant_id, call, query=query)
        return parse_response(self.request(opts), Page[Message])

    def iter_messages(
        self,
        assistant_id: str,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        search_text: str | None = None,
        sorting: rq.Sorting = None,
        desc: bool | None = None,
        first_page: int = 1,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Iterator[Message]:
        """Every message of an assistant, fetching page after page as you iterate.

        Use it with ``for``. Walking stops on an empty page, a short page, the last
        page the server reports, or a page that repeats the previous one. Bad arguments
        raise here, before any request. ``timeout``, ``max_retries`` and
        ``extra_headers`` apply to each page's request.

        Args:
            assistant_id: the assistant (a UUID; see `list_assistants`).
            page_size: messages per page, 1 to 2**31 - 1; a shorter page ends the walk.
            search_text: only messages that match this text.
            sorting: an integer sort option: `ItemSorting` (its values are a guess;
                seed 003 lists none) or any ``int``; a string raises `InvalidRequestError`.
            desc: sort descending (the server's default) or ascending.
            first_page: the page to start from (pages are taken to start at 1, which
                seed 003 does not say).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.

        Returns:
            An iterator of the messages (for ``for``); each page is fetched when the
            iteration reaches it.

        Raises:
            InvalidRequestError: bad input (e.g. an id that is not a UUID) or no project
                id, before any request.
        """
        query = rq.ListQuery(first_page, page_size, search_text, sorting, desc)
        call = CallOverrides(timeout, max_retries, extra_headers)
        first = rq.message_options("GET", self._project(), assistant_id, call, query=query)
        return self._walk(first, query, assistant_id, call)

    def _walk(
        self, opts: RequestOptions, query: rq.ListQuery, assistant_id: str, call: CallOverrides
    ) -> Iterator[Message]:
        walker = rq.PageWalker(page_size=query.page_size or 1, page_number=query.page_number or 0)
        while True:
            page = parse_response(self.request(opts), Page[Message])
            if walker.is_repeat(page):
                return
            yield from page.items
            if not walker.should_continue(page):
                return
            query = dataclasses.replace(query, page_number=walker.page_number)
            opts = rq.message_options("GET", self._project(), assistant_id, call, query=query)

    def create_message(
        self,
        assistant_id: str,
        text: str,
        *,
        model_identifier: str,
        message_document_identifiers: Iterable[Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        allow_partial: bool = False,
    ) -> Message:
        """Post a message to the assistant and return the message the API answers with.

        An answer streamed although not asked for is read too; if it lacks the stored
        message, that is read back by id, as in `stream_message`.

        Args:
            assistant_id: the assistant (a UUID).
            text: the message text (not blank).
            model_identifier: the model to answer with (see `list_models`).
            message_document_identifiers: documents to attach (ids or `Document` results
                of `upload_document`).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget (a POST is repeated only when the
                server cannot have processed it).
            extra_headers: more headers for this call.
            allow_partial: return a reply that arrived without text instead of raising.

        Raises:
            EmptyAnswerError: a success with no reply in it (204, blank, ``{}``, HTML...).
            IncompleteAnswerError: the reply has no text (unless ``allow_partial``).
        """
        body = rq.message_body(text, model_identifier, message_document_identifiers, False)
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.message_options("POST", self._project(), assistant_id, call, body=body)
        reply = parse_reply(self.request(opts))
        if reply.pending_id is not None:
            reply.settle(self._fetcher(assistant_id, call)(reply.pending_id))
        reply.check_complete(allow_partial=allow_partial)
        return reply.final_message()

    def stream_message(
        self,
        assistant_id: str,
        text: str,
        *,
        model_identifier: str,
        message_document_identifiers: Iterable[Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        allow_partial: bool = False,
        text_mode: TextMode = "delta",
    ) -> MessageStream:
        """Post a message and stream the reply: iterate for text, then read ``.message``.

        The server may answer server-sent events, newline-delimited JSON or one JSON
        body; all three are read. An HTTP error is raised here, not while iterating.
        If the stream ends without the stored message (so without its citations), the
        message is read back by the id the text pieces carried (one ``GET`` of
        ``.../messages/{id}``, with this call's options) before the stream ends.

        Args:
            assistant_id: the assistant (a UUID; see `list_assistants`).
            text: the message text (not blank).
            model_identifier: the model to answer with (see `list_models`).
            message_document_identifiers: documents to attach (ids or `Document` results
                of `upload_document`).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget (a POST is repeated only when the
                server cannot have processed it).
            extra_headers: more headers for this call.
            allow_partial: end a reply that came without text instead of raising.
            text_mode: ``"delta"`` (the default) joins the text pieces exactly;
                ``"snapshot"`` reads each piece as the reply so far (for a server known
                to send that). The stored message is whole either way.

        Returns:
            A `MessageStream` of the reply's text chunks; use it in ``with`` (or close
            it) and, once it has ended, read the stored message from ``.message`` or
            ``stream.until_done()``.

        Raises:
            InvalidRequestError: bad input (e.g. an id that is not a UUID) or no project
                id, before any request.
            EmptyAnswerError, IncompleteAnswerError: while iterating, at the end: no
                reply at all, or (unless ``allow_partial``) a reply without text.
        """
        body = rq.message_body(text, model_identifier, message_document_identifiers, True)
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.message_options(
            "POST", self._project(), assistant_id, call, body=body, stream=True
        )
        fetch = self._fetcher(assistant_id, call)
        return MessageStream(
            self.send_streaming(opts), fetch, allow_partial=allow_partial, text_mode=text_mode
        )

    def _fetcher(self, assistant_id: str, call: CallOverrides) -> Fetch:
        """Reads a reply back by id, with this call's options (when a stream lacks it)."""

        def fetch(message_id: str) -> Message:
            opts = rq.read_back_options(self._project(), assistant_id, call, message_id)
            return parse_message(self.request(opts))

        return fetch

    def get_message(
        self,
        assistant_id: str,
        message_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Message:
        """One message by its id.

        Args:
            assistant_id: the assistant (a UUID; see `list_assistants`).
            message_id: the message (a UUID; see `list_messages`).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.message_options("GET", self._project(), assistant_id, call, message_id=message_id)
        return parse_message(self.request(opts))

    def update_message(
        self,
        assistant_id: str,
        message_id: str,
        text: str,
        *,
        model_identifier: str,
        message_document_identifiers: Iterable[Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Message:
        """Replace a message's text (and attachments); returns the updated message.

        Args:
            assistant_id: the assistant (a UUID; see `list_assistants`).
            message_id: the message (a UUID; see `list_messages`).
            text: the new message text (not blank).
            model_identifier: the model (a UUID; see `list_models`), sent as in
                `create_message`.
            message_document_identifiers: documents to attach (ids or `Document` results
                of `upload_document`); None leaves the field out of the request.
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.

        Returns:
            The updated message, as the API answers it.

        Raises:
            InvalidRequestError: bad input (e.g. an id that is not a UUID) or no project
                id, before any request.
        """
        body = rq.message_body(text, model_identifier, message_document_identifiers, False)
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.message_options(
            "PUT", self._project(), assistant_id, call, message_id=message_id, body=body
        )
        return parse_message(self.request(opts))

    def delete_message(
        self,
        assistant_id: str,
        message_id: str,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        """Delete a message.

        Args:
            assistant_id: the assistant (a UUID; see `list_assistants`).
            message_id: the message (a UUID; see `list_messages`).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.message_options(
            "DELETE", self._project(), assistant_id, call, message_id=message_id
        )
        self.request(opts)

    def upload_document(
        self,
        assistant_id: str,
        file: rq.FileInput,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Document:
        """Upload a document (multipart) to attach to a message.

        Args:
            assistant_id: the assistant (a UUID).
            file: a path, or a binary file object (left open for you to close).
            filename: the name to send (default: the file's own name).
            content_type: the part's type (default: guessed from the name).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.

        Returns:
            The upload result; pass ``result.id`` in ``message_document_identifiers``.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        path = rq.messages_path(self._project(), assistant_id) + "/document"
        with rq.open_upload(file, filename, content_type) as upload:
            opts = call.options("POST", path, files=upload.files(), idempotent=False)
            return parse_response(self.request(opts), Document)

    # -- models and assistants -----------------------------------------------------
    def list_models(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> list[ModelInfo]:
        """The models of the settings API; pass one's ``object_identifier`` as ``model_identifier``.

        Args:
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.

        Raises:
            InvalidRequestError: no settings URL (nor region) was given (the message names
                the variable).
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        return parse_response(
            self.request(call.options("GET", self._models_url())), Page[ModelInfo]
        ).items

    def list_assistants(
        self,
        *,
        page_number: int | None = None,
        page_size: int | None = None,
        search_text: str | None = None,
        sorting: rq.Sorting = None,
        desc: bool | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Page[Assistant]:
        """One page of the project's assistants (same paging arguments as `list_messages`).

        Args:
            page_number: the page to fetch, from 1 (pages are taken to start at 1).
            page_size: assistants per page, 1 to 2**31 - 1.
            search_text: only assistants that match this text.
            sorting: an integer sort option: `ItemSorting` (its values are a guess;
                seed 003 lists none) or any ``int``; a string raises `InvalidRequestError`.
            desc: sort descending or ascending (default: the server's order).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.

        Raises:
            InvalidRequestError: a bad paging argument or no project id, before any
                request.
        """
        query = rq.ListQuery(page_number, page_size, search_text, sorting, desc)
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.assistant_options(self._project(), call, query=query)
        return parse_response(self.request(opts), Page[Assistant])

    def create_assistant(
        self,
        name: str,
        *,
        description: str | None = None,
        document_identifiers: Iterable[Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Assistant:
        """Create an assistant (a new conversation) in the project.

        Args:
            name: the assistant's name (not blank).
            description: what it is for.
            document_identifiers: documents to give it (sent as ``documentObjectIdentifiers``).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.assistant_options(
            self._project(),
            call,
            name=name,
            description=description,
            document_identifiers=document_identifiers,
        )
        return parse_response(self.request(opts), Assistant)
