"""File bytes given inline to a chat model: base64 text, ``data:`` URLs, media types.

Both adapters turn the file and image blocks of a user message into Jylo document
uploads (seed 003: ``POST .../messages/document``, one multipart ``file``). The blocks
carry their bytes inline in a few common forms; this module reads them and checks them
before any request, each failure naming the block (``where``) and the rule:

- `decode_base64`: strict base64 (line breaks and spaces are ignored, any other
  character, wrong padding or an empty payload is an error);
- `parse_data_url`: an RFC 2397 ``data:[<media type>][;base64],<data>`` URL as its media
  type and bytes (percent-encoded data without ``;base64`` is read too); anything else,
  such as an ``http(s)`` link, is refused, since Jylo cannot fetch a URL;
- `check_media_type`: a ``type/subtype`` media type, lower-cased without parameters; an
  image block needs an ``image/*`` type;
- `default_filename`: the name of an attachment its block does not name.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from urllib.parse import unquote_to_bytes

from .._transport import InvalidRequestError

__all__ = [
    "check_media_type",
    "decode_base64",
    "default_filename",
    "is_data_url",
    "parse_data_url",
]

_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_SPACE = re.compile(r"\s+")


def decode_base64(text: str, where: str) -> bytes:
    """The bytes of base64 ``text``; malformed or empty base64 raises, naming ``where``.

    Args:
        text: standard base64 (``+/``) or its URL-safe form (``-_``), padded.
        where: the block or field the text came from, for the error.

    Raises:
        InvalidRequestError: ``text`` is empty or is not valid base64.
    """
    compact = _SPACE.sub("", text)
    if not compact:
        raise InvalidRequestError(f"{where}: the base64 data is empty", field=where)
    if "-" in compact or "_" in compact:
        compact = compact.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequestError(
            f"{where}: the data is not valid base64 (only A-Z, a-z, 0-9, '+', '/' and "
            "'=' padding to a multiple of 4 characters)",
            field=where,
        ) from None


def is_data_url(value: object) -> bool:
    """Whether ``value`` is a string that starts as a ``data:`` URL."""
    return isinstance(value, str) and value[:5].lower() == "data:"


def check_media_type(value: object, where: str, *, image: bool = False) -> str | None:
    """``value`` as a ``type/subtype`` media type (lower case, parameters dropped).

    Args:
        value: the media type given with the block, or None (unknown).
        where: the block, for the error.
        image: the block is an image block, which needs an ``image/*`` type.

    Returns:
        The media type, or None when ``value`` is None or empty.

    Raises:
        InvalidRequestError: not a string of the form ``type/subtype``, or, for an
            image block, not an ``image/*`` type.
    """
    if value is None or value == "":
        return None
    mime = value.split(";", 1)[0].strip().lower() if isinstance(value, str) else ""
    if not _MEDIA_TYPE.match(mime):
        raise InvalidRequestError(
            f"{where}: the mime type must be a media type such as 'application/pdf' or "
            f"'image/png', got {value!r}",
            field=where,
        )
    if image and not mime.startswith("image/"):
        raise InvalidRequestError(
            f"{where}: an image block needs an 'image/*' mime type, got {mime!r} (send "
            "other files as a 'file' block)",
            field=where,
        )
    return mime


def parse_data_url(url: str, where: str, *, image: bool = False) -> tuple[str | None, bytes]:
    """The media type and bytes of a ``data:`` URL.

    Args:
        url: ``data:[<media type>][;base64],<data>``.
        where: the block, for the error.
        image: the URL is an image's, so its media type must be ``image/*``.

    Returns:
        The media type (None when the URL names none) and the decoded bytes.

    Raises:
        InvalidRequestError: ``url`` is not a ``data:`` URL (Jylo cannot fetch a link),
            has no ``,``, names a malformed or (for an image) non-image media type, or
            has malformed base64 or no data.
    """
    if not is_data_url(url):
        shown = url if len(url) <= 60 else url[:57] + "..."
        raise InvalidRequestError(
            f"{where}: Jylo cannot fetch a file from a URL ({shown!r}); download it and pass "
            "its bytes as base64 or as a 'data:<mime type>;base64,...' URL",
            field=where,
        )
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise InvalidRequestError(
            f"{where}: a data URL needs a ',' before its data ('data:<mime type>;base64,<data>')",
            field=where,
        )
    params = [p.strip() for p in header.split(";")]
    encoded = len(params) > 1 and params[-1].lower() == "base64"
    mime = check_media_type(params[0], where, image=image)
    if image and mime is None:
        raise InvalidRequestError(
            f"{where}: an image data URL must name its 'image/*' type "
            "('data:image/png;base64,...')",
            field=where,
        )
    if encoded:
        return mime, decode_base64(payload, where)
    data = unquote_to_bytes(payload)
    if not data:
        raise InvalidRequestError(f"{where}: the data URL has no data", field=where)
    return mime, data


def default_filename(media_type: str | None, index: int) -> str:
    """The name of an attachment its block does not name: ``attachment-<index + 1><ext>``.

    Args:
        media_type: the attachment's media type (its usual extension is appended).
        index: how many attachments the message has before this one.
    """
    ext = (mimetypes.guess_extension(media_type) if media_type else None) or ""
    return f"attachment-{index + 1}{ext}"
