"""Strict constructors on the LangChain side: the core's `StrictFields`, errors translated.

`LangChainStrictFields` is the mixin every LangChain class of this package takes (chat
models, retrievers, tools): an unknown constructor keyword raises this package's LangChain
`InvalidRequestError` (also LangChain's ``ModelInvalidRequestError``) naming it and the
nearest field names, before anything else runs.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from .._adapter_core import StrictFields
from ._errors import translated_errors

__all__ = ["LangChainStrictFields"]


class LangChainStrictFields(StrictFields):
    """`StrictFields` whose constructor errors are the LangChain twins of the package's."""

    @classmethod
    def _construction_errors(cls) -> AbstractContextManager[object]:
        return translated_errors()
