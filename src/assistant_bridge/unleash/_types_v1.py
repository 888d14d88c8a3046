"""Unleash chat v1 wire models (``POST /chats``) and the assembled v1 answer.

`ChatRequest` is what is sent; `ChatEvent` is one object of the event stream (or the
whole non-streaming body); `ChatResponse` is the answer assembled from the events by
`assistant_bridge.unleash._assemble`. `Resource` and `Reference` are shared with chat v2
and search.

Response models follow the vendor's OpenAPI document but never fail on what a server
might plausibly send: every field is optional, unknown fields are kept, enum-like values
are matched case-insensitively and an unknown value is kept as a plain string, and a
``null`` list reads as an empty list.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from .._models import (
    LEFT_TO_RIGHT,
    CaseInsensitiveEnum,
    NullableList,
    RequestModel,
    ResponseModel,
    ResultModel,
    fold,
)
from .._transport import finish_reason

__all__ = [
    "ChatEnterpriseSearchRequest",
    "ChatEvent",
    "ChatEventType",
    "ChatMessageRequest",
    "ChatMessageResponse",
    "ChatRequest",
    "ChatResponse",
    "Citation",
    "MessagePart",
    "MessagePartType",
    "MessageRole",
    "ProgressCode",
    "Reference",
    "Resource",
]


class MessageRole(CaseInsensitiveEnum):
    """Who wrote a chat message."""

    USER = "User"
    SYSTEM = "System"
    ASSISTANT = "Assistant"


class ChatEventType(CaseInsensitiveEnum):
    """The ``type`` of a v1 stream event."""

    REQUEST = "Request"
    RESOURCES = "Resources"
    MESSAGE = "Message"
    REFERENCES = "References"
    PROGRESS = "Progress"
    FULL = "Full"


class MessagePartType(CaseInsensitiveEnum):
    """The ``type`` of a message part."""

    TEXT = "Text"
    INLINE_REFERENCE = "InlineReference"


class ProgressCode(CaseInsensitiveEnum):
    """The ``code`` of a ``Progress`` event (from the vendor's JS SDK)."""

    WEB_SEARCH = "web_search"
    FILE_SEARCH = "file_search"
    WEB_SEARCH_RETRY = "web_search_retry"


RoleValue = Annotated[MessageRole | str | None, LEFT_TO_RIGHT]
EventTypeValue = Annotated[ChatEventType | str | None, LEFT_TO_RIGHT]
PartTypeValue = Annotated[MessagePartType | str | None, LEFT_TO_RIGHT]
ProgressValue = Annotated[ProgressCode | str | None, LEFT_TO_RIGHT]


class Resource(ResponseModel):
    """An item the assistant found (a document, message, ticket...).

    ``title``, ``subtitle`` and ``url`` appear in the chat v2 schema; v1 puts
    app-specific details in ``data``.
    """

    id: str | None = None
    app_id: str | None = None
    type: str | None = None
    external_id: str | None = None
    name: str | None = None
    data: dict[str, Any] | None = None
    title: str | None = None
    subtitle: str | None = None
    url: str | None = None


class Reference(ResponseModel):
    """A v1 reference: points at a `Resource` by its ``id``."""

    resource_id: str | None = None


class MessagePart(ResponseModel):
    """One part of a v1 message: ``Text {format, text}`` or ``InlineReference {indices}``.

    One tolerant model rather than a strict union: an unknown part type is kept.
    """

    type: PartTypeValue = None
    format: str | None = None
    text: str | None = None
    indices: NullableList[int] = Field(default_factory=list)

    @property
    def is_text(self) -> bool:
        """A ``Text`` part (any case); a typeless part that carries ``text`` counts too."""
        kind = fold(self.type)
        return kind == "text" or (kind is None and self.text is not None)

    @property
    def is_inline_reference(self) -> bool:
        """An ``InlineReference`` part (any case); a typeless part with ``indices`` too."""
        kind = fold(self.type)
        return kind == "inlinereference" or (kind is None and bool(self.indices))


class ChatMessageResponse(ResponseModel):
    """The assistant's message: a role and a list of parts."""

    role: RoleValue = None
    parts: NullableList[MessagePart] = Field(default_factory=list)


class ChatEvent(ResponseModel):
    """One v1 stream event, or the whole non-streaming ``POST /chats`` body.

    The OpenAPI nests ``role``/``parts`` under ``message``; the vendor's JS SDK reads them
    at the top level of a ``Message`` event. Both are accepted: use `parts_list` and
    `role_value`. ``code`` is set on ``Progress`` events.
    """

    type: EventTypeValue = None
    request_id: str | None = None
    message: ChatMessageResponse | None = None
    role: RoleValue = None
    parts: NullableList[MessagePart] = Field(default_factory=list)
    resources: NullableList[Resource] = Field(default_factory=list)
    references: NullableList[Reference] = Field(default_factory=list)
    thread_id: str | None = None
    code: ProgressValue = None

    @property
    def parts_list(self) -> list[MessagePart]:
        """The message parts, from ``message.parts`` or else the top-level ``parts``."""
        if self.message is not None and self.message.parts:
            return self.message.parts
        return self.parts

    @property
    def role_value(self) -> MessageRole | str | None:
        """The message role, from ``message.role`` or else the top-level ``role``."""
        if self.message is not None and self.message.role is not None:
            return self.message.role
        return self.role

    @property
    def has_message(self) -> bool:
        """Whether the event carries a message (nested or top-level parts/role)."""
        return self.message is not None or bool(self.parts) or self.role is not None


class ChatMessageRequest(RequestModel):
    """A message sent to the assistant; ``role`` in any case, sent as ``User`` etc."""

    role: MessageRole
    text: str | None = None


class ChatEnterpriseSearchRequest(RequestModel):
    """The ``enterpriseSearch`` block: the already-serialised ``SearchFilters`` wire dict."""

    filters: dict[str, Any] | None = None


class ChatRequest(RequestModel):
    """The body of ``POST /chats`` (v1)."""

    messages: list[ChatMessageRequest] = Field(min_length=1)
    stream: bool | None = None
    assistant_id: str | None = None
    enterprise_search: ChatEnterpriseSearchRequest | None = None
    thread_id: str | None = None


class Citation(ResultModel):
    """Where an ``InlineReference`` part sits in the answer and what it cites.

    Attributes:
        offset: character offset in `ChatResponse.text` where the part sits.
        part_index: index of the part in `ChatResponse.parts`.
        indices: the part's raw ``indices`` (positions in ``references``).
        resources: the resolved resources, in index order, without duplicates.
    """

    offset: int
    part_index: int
    indices: list[int] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)


class ChatResponse(ResultModel):
    """A whole v1 answer, the same whether assembled from a stream or a single body.

    Attributes:
        request_id: the server's request id.
        thread_id: the conversation thread, to continue it.
        role: the answer's role (normally ``Assistant``).
        parts: the message parts in order; adjacent ``Text`` parts are not merged.
        resources: the resources found, de-duplicated by id.
        references: the references; ``InlineReference.indices`` point into this list.
        progress: the ``Progress`` codes seen, in order.
        events_unknown: raw events whose ``type`` was not recognised.
        end_seen: whether the end of the answer was positively seen: a ``Full`` event,
            or a whole JSON body. v1 documents no end marker, so a stream without
            ``Full`` is not an error; its `finish_reason` is ``"unconfirmed"``.
    """

    request_id: str | None = None
    thread_id: str | None = None
    role: RoleValue = None
    parts: list[MessagePart] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    progress: list[ProgressCode | str] = Field(default_factory=list)
    events_unknown: list[dict[str, Any]] = Field(default_factory=list)
    end_seen: bool = False

    @property
    def incomplete_reason(self) -> str | None:
        """Why the answer is known to be unfinished (``"no text"``), else None."""
        return None if self.text else "no text"

    @property
    def finish_reason(self) -> str:
        """``"stop"`` (end seen), ``"unconfirmed"`` (no end marker) or ``"incomplete"``."""
        return finish_reason(end_seen=self.end_seen, incomplete=self.incomplete_reason)

    @property
    def text(self) -> str:
        """All ``Text`` parts joined (markdown)."""
        return "".join(p.text or "" for p in self.parts if p.is_text)

    def citations(self) -> list[Citation]:
        """One `Citation` per ``InlineReference`` part, in order.

        ``indices`` index `references`, whose ``resource_id`` is a `resources` id
        (inferred). Out-of-range indices and unknown ids are skipped, never raised.
        """
        by_id = {r.id: r for r in self.resources if r.id is not None}
        out: list[Citation] = []
        offset = 0
        for index, part in enumerate(self.parts):
            if part.is_text:
                offset += len(part.text or "")
                continue
            if not part.is_inline_reference:
                continue
            found: list[Resource] = []
            for i in part.indices:
                if not 0 <= i < len(self.references):
                    continue
                resource_id = self.references[i].resource_id
                resource = by_id.get(resource_id) if resource_id is not None else None
                if resource is not None and all(resource is not f for f in found):
                    found.append(resource)
            out.append(
                Citation(offset=offset, part_index=index, indices=part.indices, resources=found)
            )
        return out
