"""Unleash ``SearchFilters`` on the emulator's side: checking a filters object, matching items.

Every documented filter is honoured wherever the corpus can express it (`FILTERS` maps
each API name to its kind and how it selects an `Item`). List filters match when any
value matches (case-insensitively), except ``label``, which needs every label, and
``pathPrefix``, which matches path prefixes. Time filters bound the item's time:
``fromTime``/``untilTime`` its main time, ``create*`` its creation, ``modified*`` its last
change, ``due*`` a ticket's due date and ``eventTimeFrame*`` an event's span. Per-user
filters (``isStarred``, ``rsvp``) use the acting user.

``SearchFilters`` ends in ``property*``: any other key is allowed (the JS SDK types them
as ``string[]``). An extra property filters like a list filter on the tenant's custom
properties (``corpus.custom_properties``) the items carry; a property no item has, or a
value that is not a string or a list of strings, matches nothing. Only a documented
filter with a value of the wrong type is an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ._corpus import Corpus, Item, parse_time

__all__ = ["FILTERS", "FilterSet", "check_filters", "values_of"]

Kind = Literal["list", "bool", "time", "str"]
_RECENT = dt.timedelta(days=30)
_DONE = {"done", "closed", "resolved"}


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def values_of(item: Item, name: str, user: str) -> tuple[str, ...]:
    """The values an item has for a list filter."""
    table: dict[str, Callable[[], tuple[str, ...]]] = {
        "resourceId": lambda: (item.id,),
        "rsvp": lambda: _one(item.rsvp.get(user)),
        "appId": lambda: (item.app_id,),
        "type": lambda: (item.type,),
        "anyLabel": lambda: item.labels,
        "sentTo": lambda: item.sent_to,
        "sentFrom": lambda: _one(item.sent_from),
        "createdBy": lambda: (item.created_by,),
        "modifiedBy": lambda: (item.modified_by,),
        "reporter": lambda: _one(item.reporter),
        "assignedTo": lambda: _one(item.assigned_to),
        "reviewer": lambda: _one(item.reviewer),
        "class": lambda: (item.class_,),
        "sharedBy": lambda: _one(item.shared_by),
        "sharedWith": lambda: item.shared_with,
        "linkId": lambda: item.links,
        "status": lambda: _one(item.status),
        "cycle": lambda: _one(item.cycle),
        "extension": lambda: _one(item.extension),
        "jobTitle": lambda: _one(item.job_title),
        "location": lambda: item.location,
        "department": lambda: _one(item.department),
        "managedBy": lambda: _one(item.managed_by),
        "participants": lambda: item.participants,
        "topic": lambda: item.topics,
        "mentioned": lambda: item.mentioned,
        "path": lambda: (item.path,),
        "fileTypeGroup": lambda: _one(item.file_type_group),
        "relatedContacts": lambda: item.related_contacts,
    }
    getter = table.get(name)
    return getter() if getter else item.custom.get(name, ())


def _bool(item: Item, name: str, user: str) -> bool | None:
    if name == "isStarred":
        return user in (s.lower() for s in item.starred_by)
    if name == "hasAttachments":
        return item.has_attachments
    if name == "hasLinks":
        return bool(item.links)
    return item.is_manager  # isManager: None for anything that is not a person


def _time_of(item: Item, name: str) -> dt.datetime | None:
    if name in ("fromTime", "untilTime"):
        return item.time
    if name.startswith("create"):
        return item.created
    if name.startswith("modified"):
        return item.modified
    return item.due


def _involved(item: Item, person: str, corpus: Corpus) -> bool:
    """``recentActivityFor``: the person touched the item in the 30 days before "now"."""
    people = {item.created_by, item.modified_by, *item.participants, *item.sent_to}
    people |= set(_one(item.sent_from))
    recent = corpus.now - _RECENT <= item.modified <= corpus.now
    return recent and person in (p.lower() for p in people)


def _working_on(item: Item, person: str) -> bool:
    """``workingOn``: open work assigned to, reviewed by or created by the person."""
    if item.status is None or item.status.lower() in _DONE:
        return False
    owners = _one(item.assigned_to) + _one(item.reviewer) + (item.created_by,)
    return person in (p.lower() for p in owners)


_LIST_NAMES = [
    "resourceId",
    "rsvp",
    "appId",
    "type",
    "label",
    "anyLabel",
    "sentTo",
    "sentFrom",
    "createdBy",
    "modifiedBy",
    "reporter",
    "assignedTo",
    "reviewer",
    "class",
    "sharedBy",
    "sharedWith",
    "linkId",
    "status",
    "cycle",
    "extension",
    "jobTitle",
    "location",
    "department",
    "managedBy",
    "participants",
    "topic",
    "mentioned",
    "pathPrefix",
    "path",
    "fileTypeGroup",
    "relatedContacts",
]
_BOOL_NAMES = ("isStarred", "hasAttachments", "isManager", "hasLinks")
_TIME_NAMES = [
    "fromTime",
    "untilTime",
    "createBeforeTime",
    "createAfterTime",
    "modifiedBeforeTime",
    "modifiedAfterTime",
    "dueBeforeTime",
    "dueAfterTime",
    "eventTimeFrameStart",
    "eventTimeFrameEnd",
]
_STR_NAMES = ("recentActivityFor", "workingOn")

FILTERS: dict[str, Kind] = {
    **dict.fromkeys(_LIST_NAMES, "list"),
    **dict.fromkeys(_BOOL_NAMES, "bool"),
    **dict.fromkeys(_TIME_NAMES, "time"),
    **dict.fromkeys(_STR_NAMES, "str"),
}
"""Every documented filter by API name, with its kind."""


def _type_error(kind: Kind, value: Any) -> str | None:
    if value is None:
        return None
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "The value must be an array of strings or null."
    elif kind == "bool":
        if not isinstance(value, bool):
            return "The value must be true, false or null."
    elif kind == "time":
        if not isinstance(value, str):
            return "The value must be an ISO-8601 date-time string or null."
        try:
            parse_time(value)
        except ValueError:
            return f"The value {value!r} is not a valid ISO-8601 date-time."
    elif not isinstance(value, str):
        return "The value must be a string or null."
    return None


def check_filters(raw: Any, corpus: Corpus, prefix: str) -> dict[str, list[str]]:
    """The validation errors of a ``SearchFilters`` object, keyed by field path."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        return {prefix: ["The filters must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    for key, value in raw.items():
        kind = FILTERS.get(key)
        if kind is None:
            continue  # an extra property: allowed (see the module docstring)
        message = _type_error(kind, value)
        if message:
            errors[f"{prefix}.{key}"] = [message]
    return errors


def _lower(values: Iterable[str]) -> set[str]:
    return {v.lower() for v in values}


@dataclass(frozen=True)
class FilterSet:
    """A checked filters object, ready to select items for a user."""

    raw: dict[str, Any]
    corpus: Corpus
    user: str

    def matches(self, item: Item) -> bool:
        """Whether the item passes every filter that is set."""
        return all(
            self._one(item, name, value) for name, value in self.raw.items() if value is not None
        )

    def _one(self, item: Item, name: str, value: Any) -> bool:
        kind = FILTERS.get(name)
        if kind is None:
            return self._extra(item, name, value)
        if kind == "list":
            return self._list(item, name, value)
        if kind == "bool":
            return _bool(item, name, self.user) is value
        if kind == "str":
            person = str(value).strip().lower()
            if name == "recentActivityFor":
                return _involved(item, person, self.corpus)
            return _working_on(item, person)
        return self._time(item, name, parse_time(str(value)))

    def _list(self, item: Item, name: str, value: list[str]) -> bool:
        wanted = _lower(value)
        if not wanted:
            return True
        if name == "label":
            return wanted <= _lower(item.labels)
        if name == "pathPrefix":
            return any(item.path.lower().startswith(w) for w in wanted)
        return bool(wanted & _lower(values_of(item, name, self.user)))

    def _extra(self, item: Item, name: str, value: Any) -> bool:
        """An extra property: a string or strings matched against the item's own values."""
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return False
        if not values:
            return True
        return bool(_lower(values) & _lower(item.custom.get(name, ())))

    @staticmethod
    def _time(item: Item, name: str, bound: dt.datetime) -> bool:
        if name.startswith("eventTimeFrame"):
            span = item.event_span
            if span is None:
                return False
            return span[1] >= bound if name.endswith("Start") else span[0] <= bound
        when = _time_of(item, name)
        if when is None:
            return False
        lower = name.startswith("from") or "After" in name
        return when >= bound if lower else when <= bound

    def select(self, items: Iterable[Item]) -> list[Item]:
        """The items that pass, in their given order."""
        return [item for item in items if self.matches(item)]
