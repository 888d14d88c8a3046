"""The sync and async twins are kept in step by this test, not by hand.

For each pair (the three vendor clients, Jylo's message streams, the typed streams, the
adapter core's Unleash and Jylo answer streams) it checks the same public names, the
same parameters of every method (names, kinds, defaults and annotations), coroutine-ness
where the async twin awaits, and a full docstring on every async public method (and
every property) equal to the sync one's after `normalised`. The clients' ``Args:``
sections must match the same way.

`normalised` turns the async wording into the sync one; it is all this test forgives:

- class names: ``AsyncUnleashClient`` -> ``UnleashClient`` (any ``Async`` prefix of a
  class name, ``httpx.AsyncClient`` included), with "an" before one becoming "a";
- ``async iterator`` -> ``iterator``; ``async with`` -> ``with``; ``async for`` -> ``for``
  (again with "an" -> "a" before them); ``await `` is dropped;
- runs of whitespace are one space (line breaks may differ).

Annotations are compared the same way, with ``Awaitable[None]`` read as ``None`` (an
async sleep returns an awaitable where the sync one returns nothing).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from assistant_bridge import (
    AsyncJyloClient,
    AsyncUnleashClient,
    AsyncZaiaClient,
    JyloClient,
    UnleashClient,
    ZaiaClient,
)
from assistant_bridge._adapter_core import (
    AnswerStream,
    AsyncAnswerStream,
    AsyncJyloAnswerStream,
    JyloAnswerStream,
)
from assistant_bridge._transport import AsyncStream, Stream
from assistant_bridge.jylo import AsyncMessageStream, MessageStream

PAIRS: list[tuple[type[Any], type[Any]]] = [
    (UnleashClient, AsyncUnleashClient),
    (JyloClient, AsyncJyloClient),
    (ZaiaClient, AsyncZaiaClient),
    (MessageStream, AsyncMessageStream),
    (Stream, AsyncStream),
    (AnswerStream, AsyncAnswerStream),
    (JyloAnswerStream, AsyncJyloAnswerStream),
]
CLIENTS = PAIRS[:3]
IDS = [sync.__name__ for sync, _ in PAIRS]

_RULES: list[tuple[str, str]] = [
    (r"\b([Aa])n (``|`)?async (with|for)\b", r"\1 \2\3"),
    (r"\b([Aa])n (``|`)?Async(?=[A-Z])", r"\1 \2"),
    (r"\basync iterator\b", "iterator"),
    (r"\basync (with|for)\b", r"\1"),
    (r"\bAsync(?=[A-Z])", ""),
    (r"\bawait\s+", ""),
]


def normalised(text: str) -> str:
    """The async wording of ``text`` in the sync one's (see the module docstring)."""
    for pattern, replacement in _RULES:
        text = re.sub(pattern, replacement, text)
    return " ".join(text.split())


def annotation(value: Any) -> str:
    """An annotation (a string here: the modules use postponed annotations), normalised."""
    text = value if isinstance(value, str) else inspect.formatannotation(value)
    return normalised(text.replace("Awaitable[None]", "None"))


def public(cls: type[Any]) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def methods(cls: type[Any]) -> list[str]:
    return sorted(
        name for name in public(cls) if inspect.isfunction(inspect.getattr_static(cls, name))
    )


def doc(obj: Any) -> str:
    return inspect.getdoc(obj) or ""


def args_section(text: str) -> str:
    """The ``Args:`` section of a docstring (up to the next blank line and heading)."""
    match = re.search(r"^Args:\n(.*?)(?:\n\n|\Z)", text, re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=IDS)
def test_the_same_public_names(sync: type[Any], async_: type[Any]) -> None:
    assert public(sync) == public(async_)


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=IDS)
def test_the_same_kinds_of_attribute(sync: type[Any], async_: type[Any]) -> None:
    for name in public(sync):
        kinds = {type(inspect.getattr_static(cls, name)).__name__ for cls in (sync, async_)}
        assert len(kinds) == 1, f"{name}: {kinds}"


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=IDS)
def test_the_same_parameters(sync: type[Any], async_: type[Any]) -> None:
    for name in ["__init__", *methods(sync)]:
        ours = inspect.signature(getattr(sync, name))
        theirs = inspect.signature(getattr(async_, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        for param, twin in zip(ours.parameters.values(), theirs.parameters.values(), strict=True):
            where = f"{sync.__name__}.{name}({param.name})"
            assert param.kind == twin.kind, where
            assert param.default == twin.default, where
            assert annotation(param.annotation) == annotation(twin.annotation), where
        returns = (annotation(ours.return_annotation), annotation(theirs.return_annotation))
        assert returns[0] == returns[1], f"{sync.__name__}.{name} returns"


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=IDS)
def test_the_async_twin_awaits_and_iterates_asynchronously(
    sync: type[Any], async_: type[Any]
) -> None:
    for name in methods(sync):
        ours, theirs = getattr(sync, name), getattr(async_, name)
        assert not inspect.iscoroutinefunction(ours), f"{sync.__name__}.{name} is sync"
        returns = str(inspect.signature(ours).return_annotation)
        if returns.startswith("Iterator["):  # checks its arguments at once, then iterates
            assert not inspect.iscoroutinefunction(theirs), name
            assert str(inspect.signature(theirs).return_annotation).startswith("AsyncIterator[")
        else:
            assert inspect.iscoroutinefunction(theirs), f"{async_.__name__}.{name} awaits"


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=IDS)
def test_every_async_method_has_the_sync_docstring_in_full(
    sync: type[Any], async_: type[Any]
) -> None:
    for name in sorted(public(sync)):
        ours = inspect.getattr_static(sync, name)
        theirs = inspect.getattr_static(async_, name)
        if not (inspect.isfunction(ours) or isinstance(ours, property)):
            continue
        assert doc(theirs), f"{async_.__name__}.{name} has no docstring"
        assert normalised(doc(theirs)) == normalised(doc(ours)), f"{async_.__name__}.{name}"


@pytest.mark.parametrize(("sync", "async_"), CLIENTS, ids=IDS[:3])
def test_the_clients_document_the_same_arguments(sync: type[Any], async_: type[Any]) -> None:
    ours, theirs = args_section(doc(sync)), args_section(doc(async_))
    assert ours, f"{sync.__name__} documents its arguments"
    assert normalised(theirs) == normalised(ours)


def test_the_normalisation_is_the_documented_one() -> None:
    assert normalised("An `AsyncStream` of `ChatEvent` s; use it in an ``async with`` block.") == (
        "A `Stream` of `ChatEvent` s; use it in a ``with`` block."
    )
    assert normalised("An async iterator (for ``async for``)") == "An iterator (for ``for``)"
    assert normalised("an ``httpx.AsyncClient``; ``await stream.until_done()``") == (
        "an ``httpx.Client``; ``stream.until_done()``"
    )
