"""The file and image blocks of a LangChain human message as Jylo uploads (no I/O here).

`file_block` reads one block into an `Attachment` (uploaded with seed 003's
``POST .../messages/document`` before the message is posted) or the id of an already
uploaded document. The forms read, each checked before any request:

- LangChain v1 standard blocks: ``{"type": "file" | "image", "base64": ...,
  "mime_type": ...}``, or with ``"url"`` holding a ``data:`` URL, or ``"file_id"``;
- LangChain v0 blocks: ``{"type": ..., "source_type": "base64" | "url" | "id", "data" |
  "url" | "id": ..., "mime_type": ...}``;
- OpenAI chat-completions blocks: ``{"type": "file", "file": {"filename": ...,
  "file_data": "data:application/pdf;base64,..."}}`` (``file_data`` may also be bare
  base64, or ``file_id`` an uploaded document's id) and ``{"type": "image_url",
  "image_url": {"url": "data:image/png;base64,..."}}`` (or the URL as a string);
- this package's own forms: ``"path"`` (a local file) and raw ``"bytes"`` / ``"data"``.

Rules: a link (``http(s)``) is refused (Jylo cannot fetch URLs); base64 must be valid; a
mime type must be ``type/subtype``, and an image block's an ``image/*`` type. The
filename is the block's ``filename`` / ``name`` / ``title`` (also under ``file``,
``extras`` or ``metadata``), else the path's name, else ``attachment-<n><extension>``.

langchain-core turns an OpenAI ``file`` block into a v1 block before the model sees it,
and labels it ``application/pdf`` whatever its data URL said; so a block labelled
``application/pdf`` whose bytes are not a PDF is sent with the type its filename names
(``notes.txt``: ``text/plain``).
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping
from typing import Any

from .._adapter_core import (
    Attachment,
    check_media_type,
    decode_base64,
    default_filename,
    is_data_url,
    parse_data_url,
)
from ._errors import InvalidRequestError

__all__ = ["FILE_TYPES", "file_block"]

FILE_TYPES = ("file", "image", "image_url")
"""The block types `file_block` reads."""


_PDF = "application/pdf"


def _is_pdf(data: bytes | str) -> bool:
    return not isinstance(data, bytes) or data.lstrip()[:5] == b"%PDF-"


def _holders(block: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    nested = [block.get(key) for key in ("file", "extras", "metadata")]
    return [block, *(h for h in nested if isinstance(h, Mapping))]


def _filename(block: Mapping[str, Any]) -> str | None:
    for holder in _holders(block):
        for key in ("filename", "name", "title"):
            value = holder.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _file_id(block: Mapping[str, Any]) -> str | None:
    nested = block.get("file")
    found = block.get("file_id") or (block.get("id") if block.get("source_type") == "id" else None)
    if not found and isinstance(nested, Mapping):
        found = nested.get("file_id")
    return found if isinstance(found, str) and found else None


def _url(block: Mapping[str, Any], where: str) -> str | None:
    """The URL the block gives its bytes by (``image_url``'s, or ``url``), if any."""
    if block.get("type") == "image_url":
        inner = block.get("image_url")
        url = inner.get("url") if isinstance(inner, Mapping) else inner
        if not isinstance(url, str) or not url:
            raise InvalidRequestError(
                f"{where}: an 'image_url' block needs 'image_url': {{'url': "
                "'data:image/...;base64,...'}}",
                field=where,
            )
        return url
    url = block.get("url")
    if url or block.get("source_type") == "url":
        if not isinstance(url, str) or not url:
            raise InvalidRequestError(f"{where}: 'url' must be a data URL string", field=where)
        return url
    return None


def _inline(block: Mapping[str, Any], where: str) -> tuple[str | None, bytes | str | None]:
    """The bytes (or path) a block carries, with the media type its data URL names."""
    image = block.get("type") in ("image", "image_url")
    url = _url(block, where)
    if url is not None:
        return parse_data_url(url, where, image=image)
    nested = block.get("file")
    if isinstance(nested, Mapping) and nested.get("file_data") is not None:
        data = nested["file_data"]
        if not isinstance(data, str):
            raise InvalidRequestError(
                f"{where}: 'file.file_data' must be a 'data:<mime type>;base64,...' string",
                field=where,
            )
        if is_data_url(data):
            return parse_data_url(data, where, image=image)
        return None, decode_base64(data, where)
    encoded = block.get("base64")
    if encoded is None and block.get("source_type") == "base64":
        encoded = block.get("data")
    if encoded is not None:
        if not isinstance(encoded, str):
            raise InvalidRequestError(f"{where}: 'base64' must be a string", field=where)
        return None, decode_base64(encoded, where)
    for key in ("bytes", "data"):
        if isinstance(block.get(key), (bytes, bytearray)):
            return None, bytes(block[key])
    path = block.get("path")
    return None, path if isinstance(path, str) and path else None


def file_block(block: Mapping[str, Any], where: str, index: int) -> Attachment | str:
    """A file or image block as an attachment to upload, or an uploaded document's id.

    Args:
        block: the content block (a dict whose ``type`` is in `FILE_TYPES`).
        where: the block's place (``messages[2].content[1]``), for errors.
        index: how many attachments the message has before this one (names
            ``attachment-<index + 1>`` when the block gives no filename).

    Raises:
        InvalidRequestError: a link instead of inline data, malformed base64 or data
            URL, a malformed or unsupported mime type, or no data at all.
    """
    found = _file_id(block)
    if found is not None:
        return found
    url_mime, data = _inline(block, where)
    if data is None:
        raise InvalidRequestError(
            f"{where}: a {block.get('type')!r} block needs 'base64', a data URL, 'path', "
            "'bytes' or 'file_id' to be attached to a Jylo message",
            field=where,
        )
    meta = block.get("metadata")
    given = block.get("mime_type") or (meta.get("mime_type") if isinstance(meta, Mapping) else None)
    mime = url_mime or check_media_type(given, where, image=block.get("type") == "image")
    name = _filename(block)
    if name is None and isinstance(data, str):
        name = os.path.basename(data) or None  # a path names itself
    named = mimetypes.guess_type(name)[0] if name is not None else None
    if mime is None or (mime == _PDF and named and not _is_pdf(data)):
        mime = named or mime
    return Attachment(data, name or default_filename(mime, index), mime)
