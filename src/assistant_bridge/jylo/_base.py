"""What both Jylo clients share: settings, ``repr`` without secrets, and error advice."""

from __future__ import annotations

import httpx

from .._transport import Problem
from ._responses import status_hint
from ._settings import JyloSettings

__all__ = ["DEFAULT_PAGE_SIZE", "JyloMixin"]

DEFAULT_PAGE_SIZE = 50


class JyloMixin:
    """What both Jylo clients share: settings, repr and error hints."""

    _settings: JyloSettings

    @property
    def project_id(self) -> str | None:
        """The project whose assistants this client works with."""
        return self._settings.project_id

    def _project(self) -> str:
        return self._settings.require_project()

    def _models_url(self) -> str:
        return f"{self._settings.require_settings_url()}/models"

    def _status_hint(self, response: httpx.Response, problem: Problem) -> str | None:
        return status_hint(self._settings, response, problem)

    def __repr__(self) -> str:
        s = self._settings
        auth = "token=SecretStr('**********')" if s.token else f"client_id={s.client_id!r}"
        return (
            f"{type(self).__name__}(base_url={s.base_url!r}, project_id={s.project_id!r}, {auth})"
        )
