"""The shop's labelled history from its helpdesk (issue 23): Zendesk tickets exports (the
list, JSON Lines of the incremental export's pages) and Gorgias tickets, labelled by their
tags through the mapping; tags the mapping does not name left out and counted; bad input
refused naming file, line, ticket and field; and `reader suggest-mapping`'s proposal.

The files are in the helpdesks' documented shapes: `fixtures/zendesk/incremental_tickets.jsonl`
(two pages of `GET /api/v2/incremental/tickets/cursor.json`, one per line, with their
`after_cursor` and `end_of_stream`), `fixtures/gorgias/labelled_tickets.json` (a page of
`GET /api/tickets`, tags as `{"id", "name", "uri", "decoration"}`), and Spoke & Sprocket's
export (`fixtures/shop_history_b/`, see its `write_history.py`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from evenhand.actions.guide import load_guide
from evenhand.actions.intent_corrections import Correction, correct_intent
from evenhand.actions.service import find_decision
from evenhand.actions.shop_reader import (
    Learnt,
    adopted_version,
    learn_shop_reader,
    read_history,
    suggest_mapping,
)
from evenhand.actions.triage import triage_tickets
from evenhand.cli.app import app
from evenhand.cli.shop_reader_commands import comparison_table
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.labelled_tickets import read_labelled
from evenhand.ingest.tickets import TicketIn, TicketProblem, read_tickets
from evenhand.settings import Settings, reader_folder
from evenhand.store.database import make_engine
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.model import Intent
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.shop_artefact import load_shop_reader
from evenhand.understand.shop_data import read_mapping
from evenhand.understand.shop_mapping import suggest
from tests.conftest import FIXTURES, NOW, own_reader_folder
from tests.test_cli import evenhand

SHOP_B = FIXTURES / "shop_history_b" / "spoke_and_sprocket.json"
SHOP_B_MAP = FIXTURES / "shop_history_b" / "spoke_and_sprocket.yaml"
INCREMENTAL = FIXTURES / "zendesk" / "incremental_tickets.jsonl"
GORGIAS = FIXTURES / "gorgias" / "labelled_tickets.json"


def a_zendesk_ticket(**overrides: Any) -> dict[str, Any]:
    """A ticket of Zendesk's tickets list, as documented; override what the test is about."""
    ticket: dict[str, Any] = {
        "url": "https://spokeandsprocket.zendesk.com/api/v2/tickets/7001.json",
        "id": 7001,
        "via": {"channel": "email"},
        "created_at": "2026-11-03T09:00:00Z",
        "subject": "Order SS-20001",
        "description": "The chain I ordered never came, tracking stuck since Friday.",
        "requester_id": 900,
        "tags": ["wismo_chase"],
    }
    ticket.update(overrides)
    return ticket


def a_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def an_export(tmp_path: Path, *tickets: dict[str, Any]) -> Path:
    path = tmp_path / "tickets.json"
    lines = ",\n".join(f"    {json.dumps(ticket)}" for ticket in tickets)
    path.write_text(f'{{\n  "tickets": [\n{lines}\n  ],\n  "count": {len(tickets)}\n}}\n', "utf-8")
    return path


def test_a_zendesk_export_is_labelled_by_its_tags_through_the_mapping() -> None:
    # Given Spoke & Sprocket's Zendesk export and its mapping of tags to intents
    # When it is read
    kind, history = read_history(SHOP_B, SHOP_B_MAP)
    # Then each ticket with one mapped tag is a row with that tag's intent
    assert kind == "zendesk"
    assert len(history.rows) == 285
    assert {row.intent for row in history.rows} >= {Intent.WHERE_IS_MY_ORDER, Intent.OTHER}
    # and tags the mapping does not name are counted, not kept
    assert set(history.left_out) == {"vip", "urgent", "merged", "social"}
    # and a ticket with no mapped tag, or with two that disagree, is left out and counted
    assert (history.unlabelled, history.ambiguous) == (3, 2)
    assert history.rows[0].line == 3  # the line where the ticket starts in the file


MEKBOLAGET = FIXTURES / "shop_history_d" / "mekbolaget.csv"


def test_a_shops_csv_keeps_its_line_breaks_and_maps_its_own_lines_between_intents() -> None:
    # Given Mekbolaget's CSV (CRLF line ends, some texts quoted over several lines) and a
    # mapping with the shop's own lines: a part that does not fit because the customer chose
    # wrong is a return, another article in the box a wrong item; the core deposit back and
    # money for a return both the refund's status
    # When it is read
    kind, history = read_history(MEKBOLAGET, MEKBOLAGET.with_suffix(".yaml"))
    assert kind == "csv" and len(history.rows) == 420
    assert (history.left_out, history.unlabelled, history.ambiguous) == ({}, 0, 0)
    by_line = {row.line: row for row in history.rows}
    # Then a text quoted over three lines keeps its line breaks and is named by its first line
    letter = by_line[83]
    assert letter.text.startswith("Hej\nJag lade en beställning 2/5")
    assert letter.text.endswith("209977.\nMvh Kerstin") and 85 not in by_line
    assert letter.intent is Intent.WHERE_IS_MY_ORDER and 86 in by_line
    # and each label's rows get the intent its mapping line names
    assert by_line[22].intent is Intent.WRONG_ITEM  # FEL ART: krom, not black
    assert by_line[32].intent is Intent.RETURN_REQUEST  # RETUR-FELKÖP: "jag hade kollat fel"
    assert by_line[41].intent is Intent.REFUND_STATUS  # PANT: the core deposit
    assert by_line[124].intent is Intent.REFUND_STATUS  # ÅTERBET: a cancelled order's money


def test_a_zendesk_ticket_with_its_comments_gives_the_requesters_first_words(
    tmp_path: Path,
) -> None:
    comments = [
        {"id": 1, "author_id": 42, "public": True, "body": "Welcome to the workshop!"},
        {"id": 2, "author_id": 900, "public": False, "body": "internal"},
        {"id": 3, "author_id": 900, "public": True, "body": "My hanger arrived bent."},
        {"id": 4, "author_id": 900, "public": True, "body": "Any news?"},
    ]
    path = an_export(tmp_path, a_zendesk_ticket(comments=comments, tags=["arrived_bent"]))
    (ticket,) = read_labelled(path).tickets
    assert ticket.text == "My hanger arrived bent."
    assert ticket.labels == ("arrived_bent",) and ticket.ticket_id == "7001"


def test_a_zendesk_ticket_an_agent_opened_is_left_out_and_counted(tmp_path: Path) -> None:
    # Given an export with a ticket the customer opened, one an agent opened by phone (its
    # description is the agent's), and one an agent opened whose customer never answered
    agent_note = "Called the customer: we will refund order SS-20001 in full."
    customers = a_zendesk_ticket(
        id=7001,
        requester_id="900",
        comments=[{"id": 1, "author_id": 900, "public": True, "body": "Chain never came."}],
    )
    by_phone = a_zendesk_ticket(id=7002, submitter_id=42, description=agent_note)
    unanswered = a_zendesk_ticket(
        id=7003, comments=[{"id": 2, "author_id": 42, "public": True, "body": agent_note}]
    )
    path = an_export(tmp_path, customers, by_phone, unanswered)
    # When it is read as a labelled history
    _, history = read_history(path, a_mapping(tmp_path, "wismo_chase: where_is_my_order\n"))
    # Then only the customer's words are a row (an id as text is the same user), and the
    # two tickets with an agent's words only are left out and counted
    assert [row.text for row in history.rows] == ["Chain never came."]
    assert history.not_the_customers == 2


def test_a_gorgias_outreach_the_customer_never_answered_is_left_out_and_counted(
    tmp_path: Path,
) -> None:
    # Given the Gorgias page with one more ticket: an agent's outreach, unanswered
    document = json.loads(GORGIAS.read_text("utf-8"))
    outreach = json.loads(json.dumps(document["data"][0]))
    outreach["id"] = 91099
    outreach["messages"] = [
        {**message, "from_agent": True, "body_text": "Your bike is ready for pick-up."}
        for message in outreach["messages"][:1]
    ]
    document["data"].append(outreach)
    path = tmp_path / "gorgias.json"
    path.write_text(json.dumps(document, indent=2), "utf-8")
    # When it is read, Then the file is not refused: the outreach is left out and counted
    _, history = read_history(path, SHOP_B_MAP)
    assert len(history.rows) == 2 and history.not_the_customers == 1


def test_the_incremental_exports_pages_as_json_lines_are_read_ticket_by_ticket() -> None:
    # Given two pages of Zendesk's incremental ticket export, one per line
    labelled = read_labelled(INCREMENTAL)
    # Then every ticket of every page is read, with the line of its page
    assert labelled.kind == "zendesk"
    assert [t.ticket_id for t in labelled.tickets] == ["5001", "5002", "5003"]
    assert [t.line for t in labelled.tickets] == [1, 1, 2]
    assert labelled.tickets[1].labels == ("fit_check", "urgent")
    _, history = read_history(INCREMENTAL, SHOP_B_MAP)
    assert [row.intent for row in history.rows] == [
        Intent.CANCEL_ORDER,
        Intent.PRODUCT_QUESTION,
        Intent.FEEDBACK,
    ]
    assert history.left_out == {"urgent": 1}


def test_gorgias_tickets_are_labelled_by_their_tags_names() -> None:
    # Given a page of Gorgias tickets: tags are objects, messages include agents' and notes
    kind, history = read_history(GORGIAS, SHOP_B_MAP)
    # Then the words are the customer's first public message, the label its tags' names
    assert kind == "gorgias"
    assert [(row.intent, row.text[:22]) for row in history.rows] == [
        (Intent.WHERE_IS_MY_ORDER, "Still no sign of my ca"),
        (Intent.DAMAGED_ITEM, "The rotor arrived warp"),
    ]
    assert history.left_out == {"vip": 1}
    assert history.unlabelled == 1  # the seller's pitch had no tag


@pytest.mark.parametrize(
    ("ticket", "field", "code"),
    [
        (a_zendesk_ticket(description=None), "description", InputError.MISSING_VALUE),
        (a_zendesk_ticket(tags="wismo_chase"), "tags", InputError.BAD_VALUE),
        (a_zendesk_ticket(tags=["ok", 7]), "tags[1]", InputError.BAD_VALUE),
        (a_zendesk_ticket(comments={"body": "x"}), "comments", InputError.BAD_VALUE),
    ],
)
def test_a_bad_zendesk_ticket_is_refused_naming_file_line_ticket_and_field(
    tmp_path: Path, ticket: dict[str, Any], field: str, code: InputError
) -> None:
    # Given an export whose second ticket is malformed
    path = an_export(tmp_path, a_zendesk_ticket(id=7000), ticket)
    # When it is read, Then it is refused, naming where
    with pytest.raises(EvenhandError) as refused:
        read_labelled(path)
    message = str(refused.value)
    assert refused.value.code is code
    assert str(path) in message and "line 4" in message and "ticket 7001" in message
    assert f"'{field}'" in message


def test_a_gorgias_tag_without_a_name_is_refused(tmp_path: Path) -> None:
    document = json.loads(GORGIAS.read_text("utf-8"))
    document["data"][1]["tags"] = [{"id": 13, "uri": "/api/tags/13/"}]
    path = tmp_path / "gorgias.json"
    path.write_text(json.dumps(document, indent=2), "utf-8")
    with pytest.raises(EvenhandError, match=r"ticket 91002: tags\[0\]\.name"):
        read_labelled(path)


def test_a_broken_json_line_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    good = INCREMENTAL.read_text("utf-8").splitlines()[0]
    path.write_text(f'{good}\n{{"tickets": [\n', "utf-8")
    with pytest.raises(EvenhandError, match="line 2"):
        read_labelled(path)


def test_a_mapping_can_leave_a_label_out_and_a_broken_one_names_its_line(
    tmp_path: Path,
) -> None:
    assert read_mapping(a_mapping(tmp_path, "wismo_chase: where_is_my_order\nvip: ~\n")) == {
        "wismo_chase": Intent.WHERE_IS_MY_ORDER
    }
    with pytest.raises(EvenhandError, match="line 2"):
        read_mapping(a_mapping(tmp_path, "a: other\nb: other: x\n"))
    # and a label mapped to an intent Evenhand does not have names its line and label
    with pytest.raises(EvenhandError, match=r"line 3, column 'trasig'.*'broken' is not an intent"):
        read_mapping(a_mapping(tmp_path, "# the team's tags\nvip: ~\ntrasig: broken\n"))


def test_a_suggestion_proposes_clear_labels_and_marks_scattered_ones_for_review() -> None:
    # Given labels and the built-in reader's readings of their messages
    labels = [("paket",), ("paket", "vip"), ("paket",), ("vip",), ("vip",), ("feedback",)]
    readings = [
        Intent.WHERE_IS_MY_ORDER,
        Intent.WHERE_IS_MY_ORDER,
        Intent.DELIVERED_NOT_RECEIVED,
        Intent.DAMAGED_ITEM,
        Intent.FEEDBACK,
        Intent.OTHER,
    ]
    # When a mapping is suggested
    suggestion = suggest(labels, readings, source="t.json")
    # Then the clear label has its majority intent, the scattered one is left for review,
    # and a label already named as an intent keeps it
    proposed = yaml.safe_load(suggestion.as_yaml())
    assert proposed == {"paket": "where_is_my_order", "vip": None, "feedback": "feedback"}
    (paket, vip, _) = suggestion.labels
    assert (paket.label, paket.messages, round(paket.share, 2)) == ("paket", 3, 0.67)
    assert vip.proposed is None and vip.as_json()["review"] is True


def test_suggest_mapping_on_a_real_export_gives_yaml_to_save(
    models: ReaderModels, tmp_path: Path
) -> None:
    # Given Spoke & Sprocket's export (its agents' tags), When a mapping is suggested
    suggestion = suggest_mapping(Settings(), path=SHOP_B)
    proposed = yaml.safe_load(suggestion.as_yaml())
    # Then every tag is there, the clearest with the intent the shop's own mapping gives it
    truth = read_mapping(SHOP_B_MAP)
    assert set(proposed) == set(truth) | {"vip", "urgent", "merged", "social"}
    agreeing = [tag for tag, intent in truth.items() if proposed[tag] == intent.value]
    assert len(agreeing) >= 19
    # and none is proposed wrong: the others are left for review (the built-in reader is
    # unsure of half their messages)
    assert all(proposed[tag] in (None, intent.value) for tag, intent in truth.items())
    assert {tag for tag in truth if proposed[tag] is None} <= {
        "wrong_spec",
        "rma_send_back",
        "press_enquiry",
    }
    # and the saved file is a mapping `reader learn` takes
    saved = a_mapping(tmp_path, suggestion.as_yaml())
    assert read_mapping(saved)["wismo_chase"] is Intent.WHERE_IS_MY_ORDER


@pytest.mark.process
def test_the_suggest_mapping_command_prints_yaml_and_refuses_a_bad_file(
    models: ReaderModels, tmp_path: Path
) -> None:
    # Given Gorgias tickets, When a mapping is suggested from the command line
    answer = evenhand("reader", "suggest-mapping", str(GORGIAS), cwd=tmp_path)
    # Then the YAML is on standard output, ready to save (one message a tag: too few)
    assert answer.returncode == 0, answer.stderr
    assert yaml.safe_load(answer.stdout) == {"wismo_chase": None, "vip": None, "arrived_bent": None}
    # and a file that is neither CSV nor tickets is refused with where, and no traceback
    bad = tmp_path / "bad.json"
    bad.write_text('{"tickets": [{"id": 1, "tags": []}]}', "utf-8")
    answer = evenhand("reader", "suggest-mapping", str(bad), cwd=tmp_path)
    assert answer.returncode != 0 and "Traceback" not in answer.stderr
    assert "ticket 1: description" in answer.stderr and "line 1" in answer.stderr


# --- the target: a shop apart from the corpus, learnt from its Zendesk export ---------------


@pytest.fixture(scope="module")
def learnt_b(tmp_path_factory: pytest.TempPathFactory, reader: EmbeddedReader) -> Learnt:
    """Spoke & Sprocket's shop reader, learnt from its Zendesk export with two of an
    agent's intent corrections in the database (tickets of another day, another voice)."""
    settings = own_reader_folder(tmp_path_factory.mktemp("readers"))
    engine = make_engine(settings.db)
    triage_tickets(
        engine,
        records=read_tickets(FIXTURES / "tickets" / "agent_day.jsonl"),
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=NOW,
    )
    for decision_id in (1, 2):
        read_as = find_decision(engine, decision_id=decision_id).intent.value
        intent = "feedback" if read_as != "feedback" else "other"
        correct_intent(engine, Correction(decision_id, intent, "", by="t"), now=NOW)
    return learn_shop_reader(settings, path=SHOP_B, mapping=SHOP_B_MAP, corrections=True)


@pytest.mark.training
def test_on_a_shop_apart_from_the_corpus_the_shop_reader_is_well_above_the_built_in_one(
    learnt_b: Learnt,
) -> None:
    # Given Spoke & Sprocket's 285 tagged tickets and two corrections, When a reader is learnt
    details = learnt_b.details
    comparison = details["comparison"]
    built_in, shop = comparison["built_in"], comparison["shop"]
    # Then the corrections are joined and the left-out tags counted
    assert details["corrections"] == {"added": 2, "replaced": 0}
    assert details["rows"] == 287 and details["source"] == "zendesk"
    assert (details["unlabelled"], details["ambiguous"]) == (3, 2)
    # and the shop reader's macro-F1 under cross-validation is well above the built-in
    # reader's (on the 285 rows alone, 2026-12-05: 0.994 against 0.919; the 0.10 held
    # with the built-in reader of 2026-12-04, afternoon, 0.988 against 0.886)
    assert shop["macro_f1"] >= built_in["macro_f1"] + 0.06
    # and no out-of-scope mail (sellers' pitches, the press) is read as an intent whose
    # remedy gives money or goods away (the built-in reader reads some as missing items)
    assert shop["out_of_scope_to_remedy"] == 0
    # and `learn` says so, beside the figures
    console = Console(record=True, width=200)
    comparison_table(console, details)
    printed = console.export_text()
    assert "agents' corrections joined: 2 (2 messages added" in printed
    assert "passed over: the tag 'vip' on 23 tickets (mapped to no intent)" in printed
    assert "left out: 2 tickets whose tags name two intents" in printed


BLADVERKET = FIXTURES / "shop_history_c" / "bladverket.csv"
FJALLGARN = FIXTURES / "shop_history" / "fjallgarn.csv"


def learn_and_adopt(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], Settings]:
    """`evenhand reader learn HISTORY --mapping HISTORY.yaml --adopt --json`, with a reader
    folder and database of its own: what it printed, and the settings it ran with."""
    settings = own_reader_folder(tmp_path)
    monkeypatch.setenv("EVENHAND_READER_FOLDER", str(settings.reader_folder))
    monkeypatch.setenv("EVENHAND_DB", settings.db)
    mapping = history.with_suffix(".yaml")
    command = ["reader", "learn", str(history), "--mapping", str(mapping), "--adopt"]
    answer = CliRunner().invoke(app, [*command, "--json"])
    assert answer.exit_code == 0, answer.output
    learnt: dict[str, Any] = json.loads(answer.stdout)
    return learnt, settings


def side_by_side(learnt: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The built-in and the shop reader's figures from what `learn --json` printed."""
    comparison = learnt["comparison"]
    return comparison["built_in"], comparison["shop"]


@pytest.mark.training
def test_learn_adopts_a_reader_of_a_freely_written_history_only_if_it_reads_it_better(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Bladverket's 430 tickets, each written by hand, When `learn --adopt` runs on it
    learnt, settings = learn_and_adopt(BLADVERKET, tmp_path, monkeypatch)
    built_in, shop = side_by_side(learnt)
    # Then the shop reader is adopted exactly when it reads the rows at least as well as the
    # built-in reader; otherwise the built-in reader stays. The two are close on this shop
    # (2026-12-05: 0.870 against 0.864, adopted; 2026-12-06, the corpus with batch t12:
    # 0.873 against 0.876, not adopted; the shop's n-gram model alone read 0.774, earlier)
    better = shop["macro_f1"] >= built_in["macro_f1"]
    assert learnt["better"] is better and learnt["adopted"] is better
    assert adopted_version(settings) == (learnt["version"] if better else None)
    # and the shop reader never reads its own history clearly worse than the built-in one
    assert shop["macro_f1"] >= built_in["macro_f1"] - 0.01
    # and no out-of-scope mail (pitches, job applications) is read as a remedy intent
    assert shop["out_of_scope_to_remedy"] == 0
    assert learnt["comparison"]["rows"] == 430 and len(shop["intents"]) == 21


@pytest.mark.training
def test_learn_adopt_through_the_cli_adopts_a_reader_that_reads_the_shop_better(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Fjällgarn's history, which its shop reader reads well above the built-in reader
    # (about 0.96 against 0.91), When `learn --adopt` runs on it
    learnt, settings = learn_and_adopt(FJALLGARN, tmp_path, monkeypatch)
    # Then the shop reader is better, adopted, and the one in force
    assert learnt["better"] is learnt["adopted"] is True
    assert adopted_version(settings) == learnt["version"]


NOSBUTIKEN = FIXTURES / "shop_history_e" / "nosbutiken.csv"


@pytest.mark.training
def test_a_shop_that_tags_in_its_own_coarser_lines_gets_a_reader_of_its_scheme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Nosbutiken's 320 tickets, written apart from the corpus and tagged by its team in
    # twelve labels of its own, coarser than Evenhand's intents (every problem with a received
    # product is REKLA, a damaged item; everything about delivery is LEV), When `learn
    # --adopt` runs on it
    learnt, settings = learn_and_adopt(NOSBUTIKEN, tmp_path, monkeypatch)
    built_in, shop = side_by_side(learnt)
    # Then the intents no label names are read in the shop's lines, as its rows show: a wrong
    # or missing item as a damaged item, a parcel never received as a delivery
    relabelled = learnt["scheme"]["relabelled"]
    assert relabelled["wrong_item"] == relabelled["missing_item"] == "damaged_item"
    assert relabelled["delivered_not_received"] == "where_is_my_order"
    # and nothing is trained into a label that moves money unless it is of its kind: "where is
    # my refund?", which the team tags as a return, a product broken after use (a complaint,
    # for a person) and a surprise renewal (refunded by its own rule) stay as they are
    kept = {"refund_status", "faulty_after_use", "subscription_unexpected_charge"}
    assert kept.isdisjoint(relabelled)
    stored = load_shop_reader(reader_folder(settings), learnt["version"])
    assert {"wrong_item", "missing_item", "delivered_not_received"}.isdisjoint(
        stored.intent.classes
    )
    assert {*kept, "other"} <= set(stored.intent.classes)
    # and `learn` says how it read the shop's scheme, beside the figures
    console = Console(record=True, width=300)
    comparison_table(console, learnt)
    printed = console.export_text()
    assert "read in the shop's own scheme:" in printed and "wrong_item as damaged_item" in printed
    # and it reads the shop's rows well above the built-in reader under cross-validation
    # (2026-12-06: 0.827 against 0.731, 0.096 above; 0.731 both before the shop's lines)
    assert shop["macro_f1"] >= built_in["macro_f1"] + 0.07
    assert learnt["adopted"] is True
    # and no out-of-scope mail (sellers, job seekers, a found cat) is read as a remedy intent
    assert shop["out_of_scope_to_remedy"] == 0


MOLNBO = FIXTURES / "shop_history_f" / "molnbo.json"


@pytest.mark.training
def test_a_gorgias_inbox_of_its_own_tags_gets_a_reader_of_the_shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Molnbo's Gorgias export (358 tickets written apart from the corpus, each with the
    # team's tags: 16 labels, some coarser than Evenhand's intents, and tags that are no label
    # such as 'vip'), When `learn --adopt` runs on it
    learnt, _ = learn_and_adopt(MOLNBO, tmp_path, monkeypatch)
    built_in, shop = side_by_side(learnt)
    # Then the customer's first message of each ticket is read, the extra tags passed over and
    # the tickets with no label or two disagreeing labels left out
    assert learnt["source"] == "gorgias" and learnt["rows"] == 351
    assert (learnt["unlabelled"], learnt["ambiguous"]) == (4, 3)
    assert learnt["left_out"]["vip"] == 17
    # and the team's coarser tags are read in its lines (a missing item is a wrong pick)
    relabelled = learnt["scheme"]["relabelled"]
    assert relabelled["missing_item"] == "wrong_item"
    assert relabelled["delivered_not_received"] == "where_is_my_order"
    # and the shop reader reads the rows well above the built-in reader under
    # cross-validation (2026-12-06: 0.917 against 0.828) and is adopted
    assert shop["macro_f1"] >= built_in["macro_f1"] + 0.06
    assert learnt["adopted"] is True
    # and no out-of-scope mail (resellers, pitches) is read as a remedy intent
    assert shop["out_of_scope_to_remedy"] == 0


def test_the_gorgias_inbox_is_a_ticket_file_triage_reads_too() -> None:
    # Given the same export, When it is read as tickets to triage
    records = read_tickets(MOLNBO)
    # Then every ticket is read, none refused, each with the customer's own last words (never
    # an agent's reply or an internal note) and the customer's first name
    tickets = json.loads(MOLNBO.read_text(encoding="utf-8"))["data"]
    assert len(records) == len(tickets) == 358
    for record, ticket in zip(records, tickets, strict=True):
        assert isinstance(record, TicketIn), record
        customers = [m for m in ticket["messages"] if not m["from_agent"] and m["public"]]
        assert record.body == customers[-1]["stripped_text"].strip()
        assert record.first_name == ticket["customer"]["firstname"]


KLARSYNT = FIXTURES / "shop_history_g" / "klarsynt.json"


def test_a_zendesk_export_with_its_comments_gives_each_requesters_words_and_tags() -> None:
    # Given Klarsynt's Zendesk export (354 tickets written apart from the corpus, comments
    # from the requester, agents and private notes; tags of the team's own and others)
    tickets = json.loads(KLARSYNT.read_text(encoding="utf-8"))["tickets"]
    mapping = read_mapping(KLARSYNT.with_suffix(".yaml"))
    # When it is read as a labelled history with its mapping
    kind, history = read_history(KLARSYNT, KLARSYNT.with_suffix(".yaml"))
    # Then each ticket whose label tags name one intent is a row: the requester's first
    # public words, with that intent; the others are left out and counted
    expected = []
    for ticket in tickets:
        intents = {mapping[tag] for tag in ticket["tags"] if tag in mapping}
        if len(intents) == 1:
            words = next(
                c["plain_body"].strip()
                for c in ticket["comments"]
                if c["author_id"] == ticket["requester_id"] and c["public"]
            )
            expected.append((words, *intents))
    assert kind == "zendesk" and len(history.rows) == len(expected) == 347
    assert [(row.text, row.intent) for row in history.rows] == expected
    assert (history.unlabelled, history.ambiguous) == (4, 3)
    # and a tag that is no label is counted on the tickets that are rows
    assert history.left_out["klubbmedlem"] == sum(
        "klubbmedlem" in t["tags"] and {tag for tag in t["tags"] if tag in mapping} != set()
        for t in tickets
    )


def test_the_zendesk_export_is_a_ticket_file_triage_reads_too() -> None:
    # Given the same export, without its users sideloaded, When it is read as tickets to triage
    records = read_tickets(KLARSYNT)
    tickets = json.loads(KLARSYNT.read_text(encoding="utf-8"))["tickets"]
    assert len(records) == len(tickets) == 354
    for record, ticket in zip(records, tickets, strict=True):
        sender = ticket["via"].get("source", {}).get("from", {}).get("address")
        if sender is None:
            # Then a chat or web-form ticket, whose requester's e-mail is only in the users
            # the export left out, is refused naming the field (the rest are still decided)
            assert isinstance(record, TicketProblem)
            assert record.error.startswith("requester.email: missing")
            continue
        # and an e-mailed one is read with the requester's last public words and address
        assert isinstance(record, TicketIn), record
        own = [c for c in ticket["comments"] if c["author_id"] == ticket["requester_id"]]
        assert record.body == [c for c in own if c["public"]][-1]["plain_body"].strip()
        assert record.customer_email == sender.lower()
    assert sum(isinstance(record, TicketIn) for record in records) == 196


def test_with_its_users_sideloaded_the_zendesk_export_gives_every_ticket_its_customer(
    tmp_path: Path,
) -> None:
    # Given the export as `GET /api/v2/tickets.json?include=users` gives it: the requesters as
    # users beside the tickets
    document = json.loads(KLARSYNT.read_text(encoding="utf-8"))
    requesters = sorted({ticket["requester_id"] for ticket in document["tickets"]})
    document["users"] = [
        {"id": user, "name": f"Kund {user}", "email": f"kund{user}@example.se", "role": "end-user"}
        for user in requesters
    ]
    path = tmp_path / "tickets_with_users.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    # When it is read as tickets to triage
    records = read_tickets(path)
    # Then the chat and web-form tickets are read too, each with its requester's address
    assert len(records) == 354 and all(isinstance(record, TicketIn) for record in records)
    chat = [
        r
        for r, t in zip(records, document["tickets"], strict=True)
        if t["via"]["channel"] == "chat"
    ]
    assert chat and all(
        isinstance(r, TicketIn) and r.customer_email.startswith("kund") for r in chat
    )
