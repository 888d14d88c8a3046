"""Settings the LlamaIndex adapters read from the environment when a field is not given.

(The LangChain side uses ``langchain_core.utils.from_env`` / ``secret_from_env``; these
are the same rules without LangChain: a blank variable counts as unset.)
"""

from __future__ import annotations

import os

from pydantic import SecretStr

__all__ = ["env_secret", "env_str"]


def env_str(name: str) -> str | None:
    """The environment variable ``name``, or None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_secret(name: str) -> SecretStr | None:
    """The environment variable ``name`` as a secret, or None when unset or blank."""
    value = env_str(name)
    return SecretStr(value) if value else None
