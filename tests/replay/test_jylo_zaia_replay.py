"""The Jylo and Zaia clients against recorded emulator answers (cassettes; sockets blocked)."""

from __future__ import annotations

import pytest

from assistant_bridge import AsyncJyloClient, JyloClient, NotFoundError, ZaiaClient
from assistant_bridge.jylo import parse_citations

from ._recorded import JYLO_ASSISTANT, JYLO_MODEL, TRAVEL_ANSWER, TRAVEL_CITED_SPANS

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

SENDER = "5b0f9a3c-1d2e-4f60-8a7b-9c0d1e2f3a4b"
APPROVALS = (
    "This policy applies to every Brightwater employee and contractor who travels on company business."
    " Every business trip must be approved by your manager in Navan before you book anything. Book flights,"
    " hotels and rail through Navan, so that Finance can track spend and locate travellers in an emergency.\n\n"
    "Read the Travel and Expense Policy before your first business trip."
)
"""The emulator's answer to "Who approves business travel?"."""


def public_resolver(host: str) -> list[str]:
    return ["93.184.216.34"]


def test_jylo_models_assistants_and_a_cited_answer() -> None:
    with JyloClient() as client:
        model = client.list_models()[0].object_identifier
        assistant = client.list_assistants().items[0].object_identifier
        assert model == JYLO_MODEL
        assert assistant == JYLO_ASSISTANT
        reply = client.create_message(
            assistant, "What is our travel policy?", model_identifier=model
        )
        history = list(client.iter_messages(assistant, page_size=1, desc=False))
    assert reply.is_assistant
    assert reply.text == TRAVEL_ANSWER
    cited = parse_citations(reply.text_with_citations or "")
    assert [(c.source_id, c.start, c.end) for c in cited.citations] == TRAVEL_CITED_SPANS
    assert [m.is_assistant for m in history] == [False, True]


def test_jylo_stream_ends_with_the_stored_message_and_crud_works() -> None:
    with JyloClient() as client:
        model = client.list_models()[0].object_identifier
        assistant = client.list_assistants().items[0].object_identifier
        assert model == JYLO_MODEL
        assert assistant == JYLO_ASSISTANT
        with client.stream_message(
            assistant, "Who approves business travel?", model_identifier=model
        ) as stream:
            pieces = list(stream)
        stored = stream.message
        assert stored is not None
        assert stored.object_identifier == "b7271af6-3e1a-4e8f-bdf7-c657e3457ea2"
        assert len(pieces) == 9
        assert "".join(pieces) == stream.text
        assert stream.text == APPROVALS
        assert stored.text == APPROVALS
        fetched = client.get_message(assistant, stored.object_identifier)
        assert fetched.text == stored.text
        client.delete_message(assistant, stored.object_identifier)
        with pytest.raises(NotFoundError):
            client.get_message(assistant, stored.object_identifier)


def test_jylo_upload_and_attach(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "notes.txt"  # type: ignore[operator]
    path.write_text("The Q3 offsite is in Lisbon.")
    with JyloClient() as client:
        model = client.list_models()[0].object_identifier
        assistant = client.list_assistants().items[0].object_identifier
        assert model == JYLO_MODEL
        assert assistant == JYLO_ASSISTANT
        document = client.upload_document(assistant, path)
        assert document.object_identifier == "b7c57aaf-017e-4d7e-a066-24d01ba3b268"
        reply = client.create_message(
            assistant,
            "Where is the offsite?",
            model_identifier=model,
            message_document_identifiers=[document],
        )
    assert reply.text == "The Q3 offsite is in Lisbon."


async def test_async_jylo_stream() -> None:
    async with AsyncJyloClient() as client:
        model = (await client.list_models())[0].object_identifier
        assistant = (await client.list_assistants()).items[0].object_identifier
        assert model == JYLO_MODEL
        assert assistant == JYLO_ASSISTANT
        stream = await client.stream_message(
            assistant, "What is our travel policy?", model_identifier=model
        )
        async with stream:
            text = "".join([piece async for piece in stream])
    assert text == TRAVEL_ANSWER
    assert stream.message is not None
    assert stream.message.text == TRAVEL_ANSWER


def test_zaia_chats_threads_messages_and_export() -> None:
    with ZaiaClient(_resolver=public_resolver) as client:
        chat = client.list_chats().items[0]
        assert chat.id == "b19aa6ef-e23e-4a4d-bb92-b2df466a7d5d"
        threads = client.list_chat_threads(chat.id)
        thread_id = threads.items[0].id if threads.items else None
        before = len(client.list_chat_messages(chat.id, chat_thread_id=thread_id))
        created = client.create_chat_message(
            chat.id,
            "Please book the Lisbon offsite.",
            chat_thread_id=thread_id,
            external_id="ticket-42",
            sender_id=SENDER,
            role="user",
        )
        after = client.list_chat_messages(chat.id, chat_thread_id=thread_id)
        export = client.export_chat_messages(
            "2025-01-01T00:00:00Z", "https://hooks.example.com/zaia"
        )
    assert created.id == "cf8d4db5-0ae4-4b4f-858f-ccd13ef095fc"
    assert before == 3
    assert len(after) == before + 1
    assert [m.id for m in after][-1] == created.id
    assert export.message == "Export started. A POST will be made to callbackUrl when ready."
