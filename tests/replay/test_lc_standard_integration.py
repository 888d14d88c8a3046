"""langchain-tests' standard integration suites, replayed from emulator cassettes."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests, RetrieversIntegrationTests

from assistant_bridge import JyloClient
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    UnleashChatRetriever,
    UnleashSearchRetriever,
)

from ._local_files import offline_downloads


@pytest.mark.vcr
@pytest.mark.block_network
class TestChatUnleashIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatUnleash

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {}  # key and base URL from the environment (the emulator's, see conftest)

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return False  # Unleash reports no token usage

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "unleash-assistant-tracing-name"


@pytest.mark.vcr
@pytest.mark.block_network
class TestChatUnleashV1Integration(TestChatUnleashIntegration):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"api_version": "v1"}


@pytest.mark.vcr
@pytest.mark.block_network
class TestChatJyloIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatJylo

    @property
    def chat_model_params(self) -> dict[str, Any]:
        # The emulator's default assistant and first model (recorded with each test).
        with JyloClient() as client:
            return {
                "assistant_id": client.list_assistants().items[0].object_identifier,
                "model": client.list_models()[0].object_identifier,
            }

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return False  # Jylo reports no token usage

    @property
    def model_override_value(self) -> str:
        return "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"  # the emulator's second model

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True  # uploaded as a Jylo document (v1 base64 and OpenAI file_data blocks)

    @property
    def supports_image_inputs(self) -> bool:
        return True  # uploaded as a Jylo document (v1 base64 and OpenAI image_url data URLs)

    @property
    def supports_image_urls(self) -> bool:
        return False  # Jylo cannot fetch a URL: a link is refused before any request

    @pytest.fixture(autouse=True)
    def _offline_downloads(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # test_pdf_inputs / test_image_inputs download their files: serve local copies
        offline_downloads(monkeypatch)


@pytest.mark.vcr
@pytest.mark.block_network
class TestUnleashSearchRetrieverIntegration(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[UnleashSearchRetriever]:
        return UnleashSearchRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {}

    @property
    def retriever_query_example(self) -> str:
        return "travel policy"


@pytest.mark.vcr
@pytest.mark.block_network
class TestUnleashChatRetrieverIntegration(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[UnleashChatRetriever]:
        return UnleashChatRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {}

    @property
    def retriever_query_example(self) -> str:
        return "What is our travel policy?"
