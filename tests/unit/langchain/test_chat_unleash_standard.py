"""langchain-tests' standard unit suite for the chat models."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests

from assistant_bridge.langchain import ChatUnleash


class TestChatUnleashUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatUnleash

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"api_key": "test-key", "base_url": "https://unleash.test"}

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "UNLEASH_API_KEY": "env-key",
                "UNLEASH_BASE_URL": "https://tenant.unleash.test",
                "UNLEASH_ACCOUNT": "ana@example.com",
            },
            {},
            {"base_url": "https://tenant.unleash.test", "account": "ana@example.com"},
        )
