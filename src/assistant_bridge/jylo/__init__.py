"""The Jylo assistant-messages API: clients, OAuth2 auth, wire models, citations.

`JyloClient` / `AsyncJyloClient` list, create (plain or streamed), get, update and
delete an assistant's messages, upload documents to attach, list the models of the
settings API, and list and create assistants. `JyloAuth` is the client-credentials
``httpx.Auth`` they use (usable on its own). `parse_citations` reads the markers in a
message's ``textWithCitations``. `ItemSorting` names the ``sorting`` integers the package
guesses (seed 003 types ``sorting`` as an integer enum but lists no values).
`TokenCache` / `share_token_cache` let several clients share one token;
`reply_finish_reason` / `reply_incomplete_reason` say how a reply ended.
"""

from typing import TYPE_CHECKING

from .._lazy_imports import lazy_exports

if TYPE_CHECKING:
    from ._async_client import AsyncJyloClient
    from ._auth import DEFAULT_AUDIENCE, JyloAuth, TokenCache, share_token_cache
    from ._citations import Citation, CitedText, parse_citations
    from ._client import JyloClient
    from ._reply import reply_finish_reason, reply_incomplete_reason
    from ._settings import REGIONS
    from ._streaming import AsyncMessageStream, MessageAssembler, MessageStream
    from ._types import Assistant, Document, ItemSorting, Message, ModelInfo, Page, ResourceOwner

__all__ = [
    "DEFAULT_AUDIENCE",
    "REGIONS",
    "Assistant",
    "AsyncJyloClient",
    "AsyncMessageStream",
    "Citation",
    "CitedText",
    "Document",
    "ItemSorting",
    "JyloAuth",
    "JyloClient",
    "Message",
    "MessageAssembler",
    "MessageStream",
    "ModelInfo",
    "Page",
    "ResourceOwner",
    "TokenCache",
    "parse_citations",
    "reply_finish_reason",
    "reply_incomplete_reason",
    "share_token_cache",
]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        globals(),
        {
            "._async_client": ("AsyncJyloClient",),
            "._auth": (
                "DEFAULT_AUDIENCE",
                "JyloAuth",
                "TokenCache",
                "share_token_cache",
            ),
            "._citations": (
                "Citation",
                "CitedText",
                "parse_citations",
            ),
            "._client": ("JyloClient",),
            "._reply": (
                "reply_finish_reason",
                "reply_incomplete_reason",
            ),
            "._settings": ("REGIONS",),
            "._streaming": (
                "AsyncMessageStream",
                "MessageAssembler",
                "MessageStream",
            ),
            "._types": (
                "Assistant",
                "Document",
                "ItemSorting",
                "Message",
                "ModelInfo",
                "Page",
                "ResourceOwner",
            ),
        },
    )
