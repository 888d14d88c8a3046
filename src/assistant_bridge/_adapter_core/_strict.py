"""Strict constructors: an unknown field is an error with the nearest names, as per call.

`StrictFields` is a pydantic mixin (framework-free: pydantic only) for every adapter
model: a constructor keyword that is neither a field, nor a field's alias, nor a name
listed in ``_accepted_names`` raises `InvalidRequestError` naming it and the nearest
valid names, before anything else runs (no client is made, no request sent). Fields the
frameworks define (``callbacks``, ``tags``, ``callback_manager``, ...) are fields, so
they stay accepted. `spread_search_kwargs` maps a LangChain-style ``search_kwargs``
mapping onto a retriever's own fields; `check_connection` checks the connection keywords
of the non-pydantic adapters (the chat message histories).

`FiltersField` is the annotation of a ``filters`` field: at run time ``SearchFilters |
None`` (the class's validators parse a mapping), and to a type checker a descriptor that
reads `SearchFilters` but accepts a mapping too, so ``filters={"app_id": [...]}``
type-checks without the pydantic mypy plugin. Its default is `NO_FILTERS`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, ClassVar, Optional

from pydantic import AliasChoices, BaseModel, model_validator

from .._transport import InvalidRequestError
from ..unleash import SearchFilters
from ._options import unknown_name

__all__ = [
    "NO_FILTERS",
    "FiltersField",
    "StrictFields",
    "check_connection",
    "constructor_names",
    "reject_unknown_fields",
    "spread_search_kwargs",
]

NO_FILTERS: Any = None
"""The default of a `FiltersField` (None), typed so that a type checker takes it."""

if TYPE_CHECKING:

    class FiltersField:
        """What a type checker sees of a ``filters`` field.

        Reading gives `SearchFilters` (or None); the constructor also takes a mapping of
        filter names, which the model's validators turn into `SearchFilters`.
        """

        def __get__(self, obj: object, owner: type | None = None) -> SearchFilters | None: ...

        def __set__(self, obj: object, value: SearchFilters | Mapping[str, Any] | None) -> None: ...

else:
    FiltersField = Optional[SearchFilters]  # noqa: UP045 - a runtime alias pydantic reads


@functools.cache
def constructor_names(model: type[BaseModel]) -> frozenset[str]:
    """Every keyword that sets a field of ``model``: names, aliases, validation aliases."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        if info.alias:
            names.add(info.alias)
        choice = info.validation_alias
        if isinstance(choice, str):
            names.add(choice)
        elif isinstance(choice, AliasChoices):
            names.update(c for c in choice.choices if isinstance(c, str))
    return frozenset(names)


def reject_unknown_fields(given: Iterable[str], known: Collection[str], owner: str) -> None:
    """Raise for the first of ``given`` that is not in ``known``.

    Raises:
        InvalidRequestError: ``"<name>: not a field of <owner>; did you mean ...?"``
            (``field`` is the name, ``suggestions`` the nearest known names).
    """
    for name in given:
        if name not in known:
            raise unknown_name(name, sorted(known), f"{name}: not a field of {owner}")


def spread_search_kwargs(
    data: Mapping[str, Any],
    options: Collection[str],
    owner: str,
    renames: Mapping[str, str] | None = None,
    normalize: Callable[[str, Any], Any] | None = None,
) -> dict[str, Any]:
    """``data`` with each ``search_kwargs`` item set as the field it names.

    Args:
        data: the constructor's keywords (``search_kwargs`` is kept as given).
        options: the fields ``search_kwargs`` may set (say ``k``, ``filters``).
        owner: the class name, for errors.
        renames: other names LangChain users write, to the field they mean
            (``{"filter": "filters"}``).
        normalize: a field's value in the form two values are compared in (so that a
            dict and the model made from it are the same value); default: as given.

    Raises:
        InvalidRequestError: ``search_kwargs`` is not a mapping, names no such option
            (with the nearest ones), or gives a field a value other than the one given
            to the constructor itself.
    """
    search = data.get("search_kwargs")
    if search is None:
        return dict(data)
    if not isinstance(search, Mapping):
        raise InvalidRequestError(
            f"search_kwargs: must be a mapping of option names to values, got {search!r}",
            field="search_kwargs",
        )
    renames = renames or {}
    same = normalize or (lambda _name, value: value)
    spread = dict(data)
    for key, value in search.items():
        name = renames.get(key, key)
        if name not in options:
            raise unknown_name(
                str(key),
                sorted(options),
                f"search_kwargs: {key!r} is not an option of {owner}",
                f" (options: {', '.join(sorted(options))})",
            )
        if name in data and same(name, data[name]) != same(name, value):
            raise InvalidRequestError(
                f"{name}: given twice with different values ({name}={data[name]!r} and "
                f"search_kwargs[{key!r}]={value!r}); give it once",
                field=name,
            )
        spread[name] = value
    return spread


def check_connection(given: Iterable[str], connection: type[Any], owner: str) -> None:
    """Check the connection keywords of an adapter built on a `Connection` dataclass.

    Raises:
        InvalidRequestError: a keyword that is no public field of ``connection``.
    """
    known = [f.name for f in dataclasses.fields(connection) if not f.name.startswith("_")]
    reject_unknown_fields(given, known, owner)


class StrictFields(BaseModel):
    """A pydantic model whose constructor rejects unknown keywords with the nearest names.

    The check runs in ``__init__`` (the error is the `InvalidRequestError` itself) and in
    a ``mode="before"`` model validator (``model_validate`` of a mapping, where pydantic
    wraps it in its ``ValidationError``). Subclasses may list other accepted keywords in
    ``_accepted_names``, extend `_strict_input` (say, to spread ``search_kwargs``), and
    override `_construction_errors` to translate the error into their framework's class.
    """

    _accepted_names: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, /, **data: Any) -> None:
        with self._construction_errors():
            data = self._strict_input(data)
        super().__init__(**data)

    @classmethod
    def _construction_errors(cls) -> AbstractContextManager[object]:
        """Where the constructor's checks run (a framework translates errors here)."""
        return nullcontext()

    @classmethod
    def _strict_input(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """The constructor's keywords, checked: an unknown one raises."""
        known = constructor_names(cls) | cls._accepted_names
        reject_unknown_fields(data, known, cls.__name__)
        return dict(data)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return cls._strict_input(data)
        return data
