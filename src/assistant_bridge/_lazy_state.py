"""Adapters' lazily made clients: never shared by a copy, never deep-copied or pickled.

The pydantic adapters (chat models, LLMs, retrievers) make their vendor clients on first
use from their settings and keep them in private attributes. A copy (``model_copy``,
``copy.copy``, ``copy.deepcopy``) or an unpickled object must make its own, or a copy
with another ``base_url`` or key would go on talking through the original's client.
Clients the caller passed in (``client=``, ``async_client=``) are the caller's: copies
share them, and deep copies do too.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

__all__ = ["OwnLazyState"]

_M = TypeVar("_M", bound="OwnLazyState")


class OwnLazyState(BaseModel):
    """A pydantic model whose private attributes in ``_lazy_state`` restart in every copy.

    Subclasses list the private attributes that hold what was made on first use (clients,
    connection caches, the lock guarding them) in ``_lazy_state``, and the fields that hold
    caller-given objects to share rather than deep-copy in ``_shared_fields``.
    """

    _lazy_state: ClassVar[tuple[str, ...]] = ()
    _shared_fields: ClassVar[tuple[str, ...]] = ("client", "async_client")

    def _restart_lazy_state(self) -> None:
        private = self.__pydantic_private__
        if private is None:
            return
        for name in self._lazy_state:
            attr = type(self).__private_attributes__[name]
            factory = attr.default_factory
            private[name] = factory() if factory is not None else copy.copy(attr.default)  # type: ignore[call-arg]

    def __copy__(self: _M) -> _M:
        new = super().__copy__()
        new._restart_lazy_state()
        return new

    def __deepcopy__(self: _M, memo: dict[int, Any] | None = None) -> _M:
        memo = {} if memo is None else memo
        private = self.__pydantic_private__ or {}
        kept = [private.get(name) for name in self._lazy_state]
        kept += [self.__dict__.get(name) for name in self._shared_fields]
        for value in kept:
            if value is not None:
                memo[id(value)] = value  # "already copied": the copy refers to the same
        new = super().__deepcopy__(memo)
        new._restart_lazy_state()  # ... and its own lazy state replaces the shared one
        return new

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private:
            state["__pydantic_private__"] = {
                k: v for k, v in private.items() if k not in self._lazy_state
            }
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self._restart_lazy_state()
