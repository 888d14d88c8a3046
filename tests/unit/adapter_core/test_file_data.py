"""Inline file bytes: strict base64, RFC 2397 data URLs and media types, each error named."""

from __future__ import annotations

import base64

import pytest

from assistant_bridge import InvalidRequestError
from assistant_bridge._adapter_core import (
    check_media_type,
    decode_base64,
    is_data_url,
    parse_data_url,
)

DATA = bytes(range(256))


def test_base64_in_lines_and_url_safe_form_decodes() -> None:
    encoded = base64.b64encode(DATA).decode()
    wrapped = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    assert decode_base64(wrapped, "block") == DATA
    assert decode_base64(base64.urlsafe_b64encode(DATA).decode(), "block") == DATA


@pytest.mark.parametrize(
    ("text", "rule"),
    [("", "empty"), ("abc", "not valid base64"), ("ab$c", "not valid base64")],
)
def test_bad_base64_names_the_block(text: str, rule: str) -> None:
    with pytest.raises(InvalidRequestError, match=rule) as caught:
        decode_base64(text, "messages[0].content[1]")
    assert caught.value.field == "messages[0].content[1]"


def test_data_urls_give_their_type_and_bytes() -> None:
    url = "data:Image/PNG;name=x.png;base64," + base64.b64encode(DATA).decode()
    assert is_data_url(url)
    assert not is_data_url("https://x.test/a.png")
    assert parse_data_url(url, "b", image=True) == ("image/png", DATA)
    assert parse_data_url("data:text/plain;charset=utf-8,a%20b", "b") == ("text/plain", b"a b")
    assert parse_data_url("data:;base64,aGk=", "b") == (None, b"hi")


@pytest.mark.parametrize(
    ("url", "image", "rule"),
    [
        ("https://x.test/a.pdf", False, "cannot fetch a file from a URL"),
        ("data:application/pdf;base64", False, "needs a ','"),
        ("data:application/pdf;base64,!!", False, "not valid base64"),
        ("data:text/plain,", False, "has no data"),
        ("data:pdf;base64,aGk=", False, "must be a media type"),
        ("data:application/pdf;base64,aGk=", True, r"needs an 'image/\*' mime type"),
        ("data:;base64,aGk=", True, "must name its 'image/"),
    ],
)
def test_bad_data_urls_are_refused(url: str, image: bool, rule: str) -> None:
    with pytest.raises(InvalidRequestError, match=rule):
        parse_data_url(url, "b", image=image)


def test_media_types_are_normalised_and_checked() -> None:
    assert check_media_type("Application/PDF; charset=binary", "b") == "application/pdf"
    assert check_media_type(None, "b") is None
    with pytest.raises(InvalidRequestError, match="must be a media type"):
        check_media_type(3, "b")
    with pytest.raises(InvalidRequestError, match="an image block needs"):
        check_media_type("text/plain", "b", image=True)
