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
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

__all__ = ["OwnLazyState"]

_M = TypeVar("_M", bound="OwnLazyState")


class OwnLazyState(BaseModel):
    """A pydantic model whose private attributes in ``_lazy_state`` restart in every copy.

    Subclasses list the private attributes that hold what was made on first use (clients,
    connection caches, the lock guarding them) in ``_lazy_state`` (a subclass's names add
    to its bases'), and the fields that hold caller-given objects to share rather than
    deep-copy in ``_shared_fields``. Assigning a field after first use restarts that
    state too, so ``model.client = other`` (or a new key or URL) takes effect at the next
    call.
    """

    _lazy_state: ClassVar[tuple[str, ...]] = ()
    _shared_fields: ClassVar[tuple[str, ...]] = ("client", "async_client")

    @classmethod
    def _lazy_names(cls) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for klass in reversed(cls.__mro__):
            names.update(dict.fromkeys(klass.__dict__.get("_lazy_state", ())))
        return tuple(n for n in names if n in cls.__private_attributes__)

    def _restart_lazy_state(self) -> None:
        private = self.__pydantic_private__
        if private is None:
            return
        for name in self._lazy_names():
            attr = type(self).__private_attributes__[name]
            factory = attr.default_factory
            private[name] = factory() if factory is not None else copy.copy(attr.default)  # type: ignore[call-arg]

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in type(self).model_fields:
            # What was made on first use came from the old settings (a given client, a key,
            # a URL): the next call makes it again from what is set now.
            self._restart_lazy_state()

    def __copy__(self: _M) -> _M:
        new = super().__copy__()
        new._restart_lazy_state()
        return new

    def __deepcopy__(self: _M, memo: dict[int, Any] | None = None) -> _M:
        memo = {} if memo is None else memo
        private = self.__pydantic_private__ or {}
        kept = [private.get(name) for name in self._lazy_names()]
        kept += [self.__dict__.get(name) for name in self._shared_fields]
        for value in kept:
            if value is not None:
                memo[id(value)] = value  # "already copied": the copy refers to the same
        new = super().__deepcopy__(memo)
        new._restart_lazy_state()  # ... and its own lazy state replaces the shared one
        return new

    def model_copy(self: _M, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> _M:
        """A copy with its own lazily made clients (``deep``: fields deep-copied too).

        Caller-given clients are shared, never deep-copied. (pydantic 2.14 builds a deep
        copy with ``update`` from ``__copy__`` and then deep-copies the private state,
        locks included; going through `__deepcopy__` avoids that.)
        """
        if not deep:
            return super().model_copy(update=update)
        twin = self.__deepcopy__()
        return super(OwnLazyState, twin).model_copy(update=update) if update else twin

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private:
            lazy = self._lazy_names()
            state["__pydantic_private__"] = {k: v for k, v in private.items() if k not in lazy}
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self._restart_lazy_state()
