"""Reading a ``multipart/form-data`` body with the standard library (no extra dependency).

Starlette's own form parser needs the ``python-multipart`` package; the emulator only
needs the file fields of small uploads, which the `email` package parses fine.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP

__all__ = ["FormFile", "parse_files"]


@dataclass(frozen=True)
class FormFile:
    """One file field: its field name, file name, content type and bytes."""

    field: str
    filename: str
    content_type: str
    data: bytes


def parse_files(content_type: str, body: bytes) -> list[FormFile] | None:
    """The file fields of a multipart body, or None when it is not ``multipart/form-data``."""
    if (
        not content_type.lower().startswith("multipart/form-data")
        or "boundary=" not in content_type
    ):
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    files: list[FormFile] = []
    for part in message.get_payload():
        if not isinstance(part, Message):
            continue
        field = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        if not isinstance(field, str) or filename is None:
            continue
        data = part.get_payload(decode=True)
        files.append(
            FormFile(
                field=field,
                filename=filename,
                content_type=part.get_content_type(),
                data=data if isinstance(data, bytes) else b"",
            )
        )
    return files
