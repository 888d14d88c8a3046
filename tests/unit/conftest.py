"""Shared fixtures of the unit tests.

`twin` runs a client test twice, on the sync and on the async client: the test is
``async``, builds its client with ``twin(sync_factory, async_factory)`` and awaits every
call on the facade it gets back, which calls the sync client or awaits the async one.
Streams and other objects the client returns are wrapped with ``twin.wrap`` the same
way; ``twin.collect`` reads an iterator or async iterator to a list, and ``async with``
on a facade enters the object's ``with`` or ``async with``::

    async def test_search(twin: Twin) -> None:
        client = twin(lambda: client_for(recorder), lambda: async_client_for(recorder))
        async with client:
            result = await client.search("x")
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any

import pytest


class Facade:
    """A sync or async object behind one awaited interface.

    Each method call is awaited: a sync method's result is returned, an async one's is
    awaited. Attributes that are not methods are read as they are.
    """

    def __init__(self, target: Any) -> None:
        self.target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.target, name)
        if not callable(value):
            return value

        async def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        return call

    async def __aenter__(self) -> Facade:
        if hasattr(self.target, "__aenter__"):
            await self.target.__aenter__()
        else:
            self.target.__enter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if hasattr(self.target, "__aexit__"):
            await self.target.__aexit__(exc_type, exc, tb)
        else:
            self.target.__exit__(exc_type, exc, tb)


class Twin:
    """Builds the sync or the async client of a `twin` run (``is_async`` says which)."""

    def __init__(self, is_async: bool) -> None:
        self.is_async = is_async

    def __call__(self, sync: Callable[[], Any], async_: Callable[[], Any]) -> Facade:
        """The client of this run, from the factory of its flavour, as a `Facade`."""
        return Facade(async_() if self.is_async else sync())

    @staticmethod
    def wrap(target: Any) -> Facade:
        """Any object a client returned (a stream, say), as a `Facade`."""
        return Facade(target.target if isinstance(target, Facade) else target)

    @staticmethod
    async def collect(iterable: Any) -> list[Any]:
        """Every item of an iterator or async iterator (or of a facade of one)."""
        if isinstance(iterable, Facade):
            iterable = iterable.target
        if hasattr(iterable, "__aiter__"):
            return [item async for item in iterable]
        return list(iterable)


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> Twin:
    """Runs the test once with the sync client and once with the async one (see `Twin`)."""
    return Twin(is_async=request.param == "async")
