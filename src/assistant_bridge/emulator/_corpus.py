"""The emulator's bundled corpus: a fictional company's pages, tickets, mails, events, files.

The data lives in ``corpus.json`` beside this module (shipped in the wheel). `Item` is one
resource with every attribute a search filter can select on; `Corpus` holds the items,
the web pages the web-search tool can find, the fixed "now" of the emulated world, and
the user a plain API key acts as. `resource_wire` renders an item as the Unleash
``Resource`` object.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Corpus", "Item", "WebPage", "load_corpus", "parse_time"]


def parse_time(text: str) -> dt.datetime:
    """An ISO-8601 date or date-time as an aware datetime (``Z`` and naive read as UTC).

    Raises:
        ValueError: the text is not ISO-8601.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _time(value: str | None) -> dt.datetime | None:
    return parse_time(value) if value else None


@dataclass(frozen=True)
class Item:
    """One resource of the corpus (page, ticket, email, event, file, message or person)."""

    id: str
    app_id: str
    type: str
    class_: str
    external_id: str
    title: str
    url: str
    path: str
    created_by: str
    modified_by: str
    created_at: str
    modified_at: str
    content: str
    labels: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    starred_by: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    mentioned: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    sent_to: tuple[str, ...] = ()
    shared_with: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    related_contacts: tuple[str, ...] = ()
    sent_from: str | None = None
    shared_by: str | None = None
    status: str | None = None
    cycle: str | None = None
    reporter: str | None = None
    assigned_to: str | None = None
    reviewer: str | None = None
    due_at: str | None = None
    event_start: str | None = None
    event_end: str | None = None
    extension: str | None = None
    file_type_group: str | None = None
    has_attachments: bool = False
    email: str | None = None
    job_title: str | None = None
    department: str | None = None
    managed_by: str | None = None
    is_manager: bool | None = None
    rsvp: dict[str, str] = field(default_factory=dict)
    custom: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Item:
        """Build an item from its ``corpus.json`` object (lists become tuples)."""
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "custom":
                values[key] = {k: tuple(v) for k, v in value.items()}
            elif isinstance(value, list):
                values[key] = tuple(value)
            else:
                values[key] = value
        return cls(**values)

    @property
    def time(self) -> dt.datetime:
        """The item's main time: an event's start, else its last modification."""
        return parse_time(self.event_start or self.modified_at)

    @property
    def created(self) -> dt.datetime:
        """When the item was created."""
        return parse_time(self.created_at)

    @property
    def modified(self) -> dt.datetime:
        """When the item was last modified."""
        return parse_time(self.modified_at)

    @property
    def due(self) -> dt.datetime | None:
        """The due date of a ticket."""
        return _time(self.due_at)

    @property
    def event_span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """An event's start and end."""
        start, end = _time(self.event_start), _time(self.event_end)
        return (start, end or start) if start else None

    @property
    def subtitle(self) -> str:
        """A one-line description: kind, path and date."""
        kind = {"bamboohr": "Person"}.get(self.app_id, self.type.capitalize())
        when = (self.event_start or self.modified_at)[:10]
        return f"{kind} · {self.path} · {when}"

    @property
    def name(self) -> str:
        """The short name the v1 ``Resource.name`` carries."""
        return self.title


@dataclass(frozen=True)
class WebPage:
    """A public web page the emulated web-search tool can find."""

    id: str
    url: str
    title: str
    site_name: str
    icon: str
    description: str

    def wire(self) -> dict[str, Any]:
        """The v2 ``WebSource`` object."""
        return {
            "id": self.id,
            "url": self.url,
            "icon": self.icon,
            "title": self.title,
            "siteName": self.site_name,
            "description": self.description,
        }


@dataclass(frozen=True)
class Corpus:
    """The whole emulated world."""

    company: str
    now: dt.datetime
    default_user: str
    items: tuple[Item, ...]
    web: tuple[WebPage, ...]
    custom_properties: tuple[str, ...]

    def get(self, item_id: str) -> Item | None:
        """The item with this id, if any."""
        return next((item for item in self.items if item.id == item_id), None)

    def people(self) -> dict[str, Item]:
        """The person items by email (lower case)."""
        return {item.email.lower(): item for item in self.items if item.email}

    def knows_user(self, account: str) -> bool:
        """Whether ``account`` is the email or employee id of someone in the company."""
        wanted = account.strip().lower()
        return any(
            wanted in (p.email.lower(), p.external_id.lower())
            for p in self.people().values()
            if p.email
        )

    def user_email(self, account: str) -> str:
        """The email of the person an ``unleash-account`` value names."""
        wanted = account.strip().lower()
        for email, person in self.people().items():
            if wanted in (email, person.external_id.lower()):
                return email
        return wanted


def resource_wire(item: Item) -> dict[str, Any]:
    """The Unleash ``Resource`` object for an item (v1 and v2 alike)."""
    data: dict[str, Any] = {
        "path": item.path,
        "createdBy": item.created_by,
        "modifiedBy": item.modified_by,
        "createdTime": item.created_at,
        "modifiedTime": item.modified_at,
        "labels": list(item.labels),
    }
    optional = {
        "status": item.status,
        "assignedTo": item.assigned_to,
        "reporter": item.reporter,
        "dueTime": item.due_at,
        "sentFrom": item.sent_from,
        "eventStart": item.event_start,
        "eventEnd": item.event_end,
        "extension": item.extension,
        "jobTitle": item.job_title,
        "department": item.department,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return {
        "id": item.id,
        "appId": item.app_id,
        "type": item.type,
        "externalId": item.external_id,
        "name": item.name,
        "data": data,
        "title": item.title,
        "subtitle": item.subtitle,
        "url": item.url,
    }


@cache
def load_corpus() -> Corpus:
    """The bundled corpus (read once)."""
    text = resources.files(__package__).joinpath("corpus.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return Corpus(
        company=raw["company"],
        now=parse_time(raw["now"]),
        default_user=raw["default_user"],
        items=tuple(Item.from_json(i) for i in raw["items"]),
        web=tuple(WebPage(**w) for w in raw["web"]),
        custom_properties=tuple(raw["custom_properties"]),
    )


__all__ += ["resource_wire"]
