"""langchain-tests' standard retriever suite for both Unleash retrievers.

The suite runs against an in-process fake Unleash (httpx.MockTransport) that honours
``paging.size`` and ``nextToken``; the cassette-replayed runs against recordings from the
emulator come with the replay tests.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("langchain_tests")

from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant_bridge.langchain._retrievers import (
    UnleashChatRetriever,
    UnleashSearchRetriever,
)
from tests.unit.langchain.test_retrievers import FakeUnleash, async_client, sync_client


def _clients() -> dict[str, Any]:
    fake = FakeUnleash(page_cap=2)
    return {"client": sync_client(fake), "async_client": async_client(fake)}


class TestUnleashSearchRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[UnleashSearchRetriever]:
        return UnleashSearchRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return _clients()

    @property
    def retriever_query_example(self) -> str:
        return "travel policy"


class TestUnleashChatRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[UnleashChatRetriever]:
        return UnleashChatRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return _clients()

    @property
    def retriever_query_example(self) -> str:
        return "How do I book travel?"
