"""Documents uploaded to the emulated Jylo assistants: the upload record and its text.

`new_document` reads an upload (text types are extracted; others are stored as
unsupported, with no text), `no_file_record` is the record of an upload that carried no
file (seed 003 makes ``file`` optional, so that is no error: ``uploadSuccessful`` is
false), and `summarise` answers a message that attaches documents but asks nothing.
Every record has exactly the fields seed 003 lists for the upload's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._composer import Answer, Segment
from ._corpus import Item
from ._http import stable_uuid
from ._text import summary

__all__ = ["Document", "new_document", "no_file_record", "summarise"]

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/csv")
_TEXT_EXTENSIONS = (".txt", ".md", ".csv", ".json", ".html", ".xml")


@dataclass
class Document:
    """An uploaded document and its extracted text."""

    wire: dict[str, Any]
    text: str

    def item(self) -> Item:
        """The document as a corpus item, so answers can cite it."""
        when, name = self.wire["dateAdded"], self.wire["name"]
        return Item(
            id=self.wire["objectIdentifier"],
            app_id="jylo",
            type="document",
            class_="document",
            external_id=self.wire["documentUploadObjectIdentifier"],
            title=name,
            url="",
            path=f"/{name}",
            created_by="",
            modified_by="",
            created_at=when,
            modified_at=when,
            content=self.text,
        )


def _record(object_id: str, upload_id: str, when: str, **fields: Any) -> dict[str, Any]:
    """An upload record in seed 003's field order; ``fields`` fill in the rest."""
    record: dict[str, Any] = {
        "name": None,
        "parentObjectIdentifier": None,
        "isDirectory": False,
        "documentUploadObjectIdentifier": upload_id,
        "contentType": None,
        "size": None,
        "objectIdentifier": object_id,
        "dateAdded": when,
        "uploadSuccessful": False,
        "tokenCount": None,
        "metadataTokenCount": None,
        "unsupportedFileType": None,
        "unPackingComplete": None,
        "unPackingFailed": None,
        "uploadInProgress": False,
        "url": None,
        "hasChildren": False,
    }
    record.update(fields)
    return record


def new_document(when: str, filename: str, content_type: str, data: bytes) -> Document:
    """The document an upload of ``data`` stores, added at logical time ``when``."""
    name = filename.rsplit("/", 1)[-1] or "upload"
    supported = content_type.startswith(_TEXT_TYPES) or name.lower().endswith(_TEXT_EXTENSIONS)
    text = data.decode("utf-8", "replace") if supported else ""
    object_id = stable_uuid("jylo-document", name, len(data), when)
    wire = _record(
        object_id,
        stable_uuid("jylo-upload", object_id),
        when,
        name=name,
        contentType=content_type,
        size=len(data),
        uploadSuccessful=True,
        tokenCount=(len(text) + 3) // 4,
        metadataTokenCount=12,
        unsupportedFileType=not supported,
        unPackingComplete=supported,
        unPackingFailed=not supported,
    )
    return Document(wire, text)


def no_file_record(when: str) -> dict[str, Any]:
    """The answer to an upload without a file: nothing stored, ``uploadSuccessful: false``."""
    upload_id = stable_uuid("jylo-upload", "no-file", when)
    return _record(stable_uuid("jylo-document", "no-file", when), upload_id, when)


def summarise(docs: Sequence[Item]) -> Answer:
    """An outline of each document, cited (for a message with documents and no text)."""
    segments: list[Segment] = []
    for item in docs:
        outline = summary(item, 3)
        if outline:
            lead = "\n\n" if segments else ""
            segments.append(Segment(f"{lead}{item.title}: {' '.join(outline)}", (item.id,)))
    if not segments:
        segments.append(Segment("The attached documents have no text I can read."))
    return Answer(tuple(segments), tuple(docs), (), "")
