"""langchain-tests' standard unit suite for ChatJylo."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests

from assistant_bridge.langchain._chat_jylo import ChatJylo

MODEL = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
ASSISTANT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"


class TestChatJyloUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatJylo

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "client_id": "client-id",
            "client_secret": "client-secret",
            "base_url": "https://api.acme.uk.jylo.ai",
            "project_id": "proj-1",
            "assistant_id": ASSISTANT,
            "model": MODEL,
        }

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return True  # file blocks are uploaded as Jylo documents

    @property
    def supports_image_inputs(self) -> bool:
        return True  # image blocks are uploaded as Jylo documents

    @property
    def supports_image_urls(self) -> bool:
        return False  # Jylo cannot fetch a URL

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "JYLO_CLIENT_ID": "env-client",
                "JYLO_CLIENT_SECRET": "env-secret",
                "JYLO_BASE_URL": "https://api.acme.eu.jylo.ai",
                "JYLO_PROJECT_ID": "proj-env",
                "JYLO_ASSISTANT_ID": ASSISTANT,
                "JYLO_MODEL_IDENTIFIER": MODEL,
            },
            {},
            {
                "client_id": "env-client",
                "client_secret": "env-secret",
                "base_url": "https://api.acme.eu.jylo.ai",
                "project_id": "proj-env",
                "assistant_id": ASSISTANT,
                "model_identifier": MODEL,
            },
        )
