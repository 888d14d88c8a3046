"""Full resource text for retrieved sources: ``GET /resources/{id}/content`` per source.

Search hits and chat sources carry a snippet (or a title); a retriever with
``fetch_content=True`` replaces it with the resource's full text. Only enterprise
resources and search hits with an id have content; one that is gone (404) keeps its
snippet. The async form fetches concurrently, at most ``limit`` at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

from .._transport import NotFoundError
from ..sources import Source
from ..unleash import AsyncUnleashClient, UnleashClient

__all__ = ["awith_content", "with_content"]

_CONTENT_KINDS = frozenset({"search", "enterprise"})


def _wants_content(source: Source) -> bool:
    return source.kind in _CONTENT_KINDS and bool(source.id)


def _with_text(source: Source, text: str) -> Source:
    return replace(source, text=text) if text else source


def with_content(client: UnleashClient, sources: list[Source]) -> list[Source]:
    """``sources`` with each resource's full text in place of its snippet, in order."""
    out: list[Source] = []
    for source in sources:
        if _wants_content(source):
            with contextlib.suppress(NotFoundError):  # not found: keep the snippet
                source = _with_text(source, client.resource_content(str(source.id)).text)
        out.append(source)
    return out


async def awith_content(
    client: AsyncUnleashClient, sources: list[Source], *, limit: int
) -> list[Source]:
    """Async `with_content`: at most ``limit`` fetches at once; one failure cancels the rest."""
    gate = asyncio.Semaphore(limit)

    async def one(source: Source) -> Source:
        if not _wants_content(source):
            return source
        async with gate:
            try:
                content = await client.resource_content(str(source.id))
            except NotFoundError:
                return source
        return _with_text(source, content.text)

    tasks = [asyncio.ensure_future(one(s)) for s in sources]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
