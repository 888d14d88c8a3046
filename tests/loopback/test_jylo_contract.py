"""The Jylo client and the emulator agree on seed 003's contract (issue 12's Jylo fixes).

Each test pins one fix: paging values (int32, no invented cap, pages from 1) that the
client and the emulator accept alike, ``sorting`` as an integer, the stream the client's
``Accept`` gets (SSE: its q-values prefer it), and the reads the documents allow (a
message whose ``text`` is null).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant_bridge import BadRequestError, InvalidRequestError
from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator
from assistant_bridge.jylo import ItemSorting, JyloClient

MODEL = "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"
MAX_INT32 = 2**31 - 1
PAGING_VALUES = [
    -(2**31),
    -1,
    0,
    1,
    2,
    100,
    101,
    10**6,
    10**6 + 1,
    MAX_INT32 - 1,
    MAX_INT32,
    MAX_INT32 + 1,
    2**63,
]


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


@pytest.fixture
def client(url: EmulatorURL) -> Iterator[JyloClient]:
    httpx.post(f"{url}/_emulator/reset")
    with JyloClient(
        client_id=EMULATOR_KEYS["jylo_client_id"],
        client_secret=EMULATOR_KEYS["jylo_client_secret"],
        project_id=EMULATOR_KEYS["jylo_project_id"],
        base_url=url.jylo,
        token_url=url.jylo_token,
        settings_url=url.jylo_settings,
        max_retries=0,
    ) as jylo:
        yield jylo


@pytest.fixture
def raw(url: EmulatorURL) -> Iterator[httpx.Client]:
    """Plain httpx with a token, to ask the emulator what the client would refuse."""
    form = {
        "grant_type": "client_credentials",
        "client_id": EMULATOR_KEYS["jylo_client_id"],
        "client_secret": EMULATOR_KEYS["jylo_client_secret"],
        "audience": "https://jga.jylo.ai/external/v2",
    }
    token = httpx.post(url.jylo_token, data=form).json()["access_token"]
    project = EMULATOR_KEYS["jylo_project_id"]
    with httpx.Client(
        base_url=f"{url.jylo}/projects/{project}", headers={"authorization": f"Bearer {token}"}
    ) as http:
        yield http


@pytest.fixture
def assistant(client: JyloClient) -> str:
    found = client.list_assistants().items[0].id
    assert found
    for question in ("What is our travel policy?", "Who owns the billing service?"):
        client.create_message(found, question, model_identifier=MODEL)
    return found


def client_takes(call: Any) -> bool:
    """Whether the client builds the request (True) or refuses it before sending (False)."""
    try:
        call()
    except InvalidRequestError:
        return False
    except BadRequestError:
        pytest.fail("the client sent a value the emulator refuses")
    return True


@pytest.mark.parametrize("name", ["pageNumber", "pageSize"])
def test_paging_bounds_agree_on_both_sides(
    client: JyloClient, raw: httpx.Client, assistant: str, name: str
) -> None:
    """Every value is accepted by both (and answered) or refused by both; no cap at 100."""
    keyword = "page_number" if name == "pageNumber" else "page_size"
    for value in PAGING_VALUES:
        answer = raw.get(f"/assistants/{assistant}/messages", params={name: value})
        assert answer.status_code in (200, 400), value
        if answer.status_code == 400:
            assert name in answer.json()["errors"]
        taken = client_takes(lambda v=value: client.list_messages(assistant, **{keyword: v}))
        assert taken == (answer.status_code == 200), (
            f"{name}={value}: client {taken}, emulator {answer.status_code}"
        )
        assert taken == (1 <= value <= MAX_INT32), value


def test_the_largest_page_holds_everything_and_pages_start_at_one(
    client: JyloClient, assistant: str
) -> None:
    everything = client.list_messages(assistant, page_size=MAX_INT32)
    assert len(everything) == 4
    assert client.list_messages(assistant, page_size=MAX_INT32, page_number=2).items == []
    first = client.list_messages(assistant, page_number=1, page_size=1, desc=False)
    assert first[0].text == "What is our travel policy?"
    assert [m.id for m in client.iter_messages(assistant, page_size=1, desc=False)] == [
        m.id for m in client.list_messages(assistant, page_size=150, desc=False)
    ]


def test_sorting_is_an_integer_the_emulator_understands(client: JyloClient, assistant: str) -> None:
    by_text = client.list_messages(assistant, sorting=ItemSorting.TEXT, desc=False)
    texts = [m.text or "" for m in by_text]
    assert texts == sorted(texts)
    by_date = client.list_messages(assistant, sorting=ItemSorting.DATE_ADDED, desc=False)
    dates = [m.date_added for m in by_date]
    assert dates == sorted(d for d in dates if d is not None)
    assert texts != [m.text for m in by_date], "the two sortings differ here"
    with pytest.raises(InvalidRequestError, match="sorting: must be an integer"):
        client.list_messages(assistant, sorting="dateAdded")  # type: ignore[arg-type]
    with pytest.raises(BadRequestError) as refused:  # any int is sent; the emulator knows 0 and 1
        client.list_messages(assistant, sorting=2)
    assert "sorting" in str(refused.value)


def test_the_clients_accept_gets_server_sent_events(client: JyloClient, assistant: str) -> None:
    with client.stream_message(
        assistant, "What is our travel policy?", model_identifier=MODEL
    ) as stream:
        text = "".join(stream)
    assert stream.response.headers["content-type"].startswith("text/event-stream")
    assert stream.response.request.headers["accept"].startswith("text/event-stream")
    assert stream.message is not None
    assert stream.message.text == text
    assert stream.message.text_with_citations


def test_a_stored_message_with_null_text_reads_back(
    client: JyloClient, raw: httpx.Client, assistant: str
) -> None:
    answer = raw.post(
        f"/assistants/{assistant}/messages", json={"text": None, "modelIdentifier": MODEL}
    )
    assert answer.status_code == 200
    newest = client.list_messages(assistant, page_size=2)
    assert [m.text for m in newest][1] is None
    assert newest[0].text == answer.json()["text"]
