"""Local stand-ins for the files langchain-tests downloads, so no test touches the network.

langchain-tests' ``test_pdf_inputs`` and ``test_image_inputs`` fetch a PDF and a PNG with
``httpx.get`` from the internet before they build their base64 blocks. `offline_downloads`
replaces the ``httpx`` name in that module (only there, for one test) with `LocalFiles`,
which answers those two URLs with small files built here, and refuses any other URL. The
model under test still gets the standard base64 and OpenAI data-URL blocks.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import pytest

__all__ = ["PDF", "PDF_URL", "PNG", "PNG_URL", "LocalFiles", "offline_downloads"]


def _pdf() -> bytes:
    """A one-page PDF 1.4 reading "Dummy PDF file" (objects, xref table and trailer)."""
    stream = b"BT /F1 24 Tf 72 720 Td (Dummy PDF file) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png() -> bytes:
    """A 2x2 RGB PNG (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x00\x00\x00\x00\xff" for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


PDF = _pdf()
PNG = _png()


@dataclass
class _Downloaded:
    content: bytes


class LocalFiles:
    """Stands in for the ``httpx`` module: ``get`` answers the known URLs from memory."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def get(self, url: str, **_: object) -> _Downloaded:
        """The local file for ``url``; an unknown URL is an error (no network in tests)."""
        if url not in self.files:
            raise AssertionError(f"a test tried to download {url!r}; add a local stand-in")
        return _Downloaded(self.files[url])


PDF_URL = "https://www.w3.org/WAI/ER/tests/xhtml/testfiles/resources/pdf/dummy.pdf"
PNG_URL = (
    "https://raw.githubusercontent.com/langchain-ai/docs/"
    "4d11d08b6b0e210bd456943f7a22febbd168b543/src/images/agentic-rag-output.png"
)
"""The URLs langchain-tests' ``test_pdf_inputs`` and ``test_image_inputs`` download."""


def offline_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point langchain-tests' chat-model suite at local copies of its PDF and PNG."""
    from langchain_tests.integration_tests import chat_models

    monkeypatch.setattr(chat_models, "httpx", LocalFiles({PDF_URL: PDF, PNG_URL: PNG}))
