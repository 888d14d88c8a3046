"""The strict-constructor mechanism of the adapter core, on a plain pydantic model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from pydantic import AliasChoices, Field, ValidationError

from assistant_bridge import InvalidRequestError
from assistant_bridge._adapter_core import (
    StrictFields,
    check_connection,
    constructor_names,
    reject_unknown_fields,
    spread_search_kwargs,
)


class Sample(StrictFields):
    """A model with a plain field, an aliased field and a validation-alias field."""

    temperature: float | None = None
    token: str | None = Field(default=None, alias="api_key")
    model: str = Field(default="m", validation_alias=AliasChoices("model", "model_name"))

    _accepted_names: ClassVar[frozenset[str]] = frozenset({"legacy"})


def test_constructor_names_are_fields_aliases_and_validation_aliases() -> None:
    assert constructor_names(Sample) == {"temperature", "token", "api_key", "model", "model_name"}


def test_a_typo_names_the_field_and_the_nearest_one() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Sample(tempreature=0.3)
    assert str(caught.value) == "tempreature: not a field of Sample; did you mean temperature?"
    assert caught.value.field == "tempreature"
    assert caught.value.suggestions == ["temperature"]


def test_a_name_far_from_every_field_has_no_hint() -> None:
    with pytest.raises(InvalidRequestError, match=r"^zzzzzzzz: not a field of Sample$"):
        Sample(zzzzzzzz=1)


def test_fields_aliases_and_accepted_names_pass() -> None:
    sample = Sample(temperature=0.1, api_key="k", model_name="x", legacy=True)
    assert (sample.temperature, sample.token, sample.model) == (0.1, "k", "x")
    assert Sample(model="y").model == "y"


def test_model_validate_rejects_too_inside_pydantics_error() -> None:
    with pytest.raises(ValidationError, match="modle: not a field of Sample; did you mean model"):
        Sample.model_validate({"modle": "x"})


def test_reject_unknown_fields_checks_any_names() -> None:
    reject_unknown_fields(["a"], ["a", "b"], "Thing")
    with pytest.raises(InvalidRequestError, match=r"^bb: not a field of Thing; did you mean b\?"):
        reject_unknown_fields(["a", "bb"], ["a", "b"], "Thing")


def test_search_kwargs_set_the_fields_they_name() -> None:
    data = {"search_kwargs": {"k": 2, "filter": {"app_id": "x"}}}
    spread = spread_search_kwargs(data, {"k", "filters"}, "R", {"filter": "filters"})
    assert spread == {**data, "k": 2, "filters": {"app_id": "x"}}


def test_search_kwargs_absent_leaves_the_keywords_alone() -> None:
    assert spread_search_kwargs({"k": 3}, {"k"}, "R") == {"k": 3}


def test_an_unknown_search_kwargs_key_names_the_options() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        spread_search_kwargs({"search_kwargs": {"kk": 2}}, {"k", "filters"}, "R")
    assert str(caught.value) == (
        "search_kwargs: 'kk' is not an option of R; did you mean k? (options: filters, k)"
    )
    assert caught.value.field == "kk"


def test_search_kwargs_must_be_a_mapping() -> None:
    with pytest.raises(InvalidRequestError, match=r"^search_kwargs: must be a mapping"):
        spread_search_kwargs({"search_kwargs": [("k", 2)]}, {"k"}, "R")


def test_search_kwargs_conflicting_with_a_field_is_an_error() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        spread_search_kwargs({"k": 3, "search_kwargs": {"k": 2}}, {"k"}, "R")
    assert str(caught.value) == (
        "k: given twice with different values (k=3 and search_kwargs['k']=2); give it once"
    )
    assert caught.value.field == "k"


def test_the_same_value_twice_is_no_conflict_in_its_compared_form() -> None:
    data = {"filters": {"app_id": ["x"]}, "search_kwargs": {"filters": {"app_id": "x"}}}

    def as_list(name: str, value: Any) -> Any:
        return {key: v if isinstance(v, list) else [v] for key, v in value.items()}

    spread = spread_search_kwargs(data, {"filters"}, "R", normalize=as_list)
    assert spread["filters"] == {"app_id": "x"}
    with pytest.raises(InvalidRequestError, match="given twice"):
        spread_search_kwargs(data, {"filters"}, "R")


@dataclass
class _Connection:
    base_url: str | None = None
    api_key: str | None = None
    _cache: Any = None


def test_check_connection_takes_the_public_fields_of_a_dataclass() -> None:
    check_connection({"base_url": "u", "api_key": "k"}, _Connection, "History")
    with pytest.raises(InvalidRequestError, match=r"^base_ulr: not a field of History; did"):
        check_connection({"base_ulr": "u"}, _Connection, "History")
    with pytest.raises(InvalidRequestError, match=r"^_cache: not a field of History"):
        check_connection({"_cache": 1}, _Connection, "History")
