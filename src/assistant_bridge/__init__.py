"""assistant-bridge: the Unleash, Jylo and Zaia assistant APIs for LangChain and LlamaIndex.

This top-level package holds the vendor clients and the error tree only; it imports
neither LangChain nor LlamaIndex. The framework adapters live in
``assistant_bridge.langchain`` and ``assistant_bridge.llama_index`` (extras
``langchain`` and ``llama-index``).
"""

from ._transport import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AssistantBridgeError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    EmptyAnswerError,
    IncompleteAnswerError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PartialWriteError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    StreamError,
    UnprocessableEntityError,
)
from ._version import __version__
from .jylo import AsyncJyloClient, JyloAuth, JyloClient
from .unleash import AsyncUnleashClient, SearchFilters, UnleashClient
from .zaia import AsyncZaiaClient, ZaiaClient

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AssistantBridgeError",
    "AsyncJyloClient",
    "AsyncUnleashClient",
    "AsyncZaiaClient",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EmptyAnswerError",
    "IncompleteAnswerError",
    "InternalServerError",
    "InvalidRequestError",
    "JyloAuth",
    "JyloClient",
    "NotFoundError",
    "PartialWriteError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "SearchFilters",
    "StreamError",
    "UnleashClient",
    "UnprocessableEntityError",
    "ZaiaClient",
    "__version__",
]
