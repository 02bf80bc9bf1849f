"""The shop reader (issue 23): a labelled history read at the edge, a reader learnt from it,
compared with the built-in one under cross-validation, adopted, rolled back, and recorded on
each decision.

The history is `fixtures/shop_history/fjallgarn.csv`: 190 tickets of Fjällgarn, a fictional
yarn shop (not the demo shop), with its own label names and its customers' own voice, written
by hand for this test apart from the reader's corpus (`write_history.py` says how: a greeting,
one of six core sentences per label, a detail and a closing, chosen with a fixed seed). Its
core sentences repeat within a label (about twice each), so the cross-validated figures are
those of a shop whose customers say the same things in the same words: generous to the shop
reader. On it (5 folds): built-in macro-F1 0.856 (7.7% sent to `other`), shop 0.969 (1.6%).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from sqlalchemy import select

from evenhand.actions.guide import load_guide
from evenhand.actions.reader import load_reader
from evenhand.actions.shop_reader import (
    Learnt,
    adopt_version,
    adopted_version,
    adoptions,
    learn_shop_reader,
    read_history,
    reads_better,
)
from evenhand.actions.triage import triage_tickets
from evenhand.cli.shop_reader_commands import comparison_table
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.store.tables import decisions
from evenhand.understand import shop_baseline, shop_scheme, shop_training
from evenhand.understand.model import Intent, Message
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.shop_artefact import shop_reader
from evenhand.understand.shop_data import ShopRow, read_mapping
from evenhand.understand.shop_scheme import scheme_reading
from tests.conftest import FIXTURES, NOW, own_reader_folder

HISTORY = FIXTURES / "shop_history" / "fjallgarn.csv"
MAPPING = FIXTURES / "shop_history" / "fjallgarn.yaml"
TICKETS = FIXTURES / "tickets" / "tickets.jsonl"


def test_the_mapping_names_intents_and_labels_it_leaves_out_are_counted() -> None:
    # Given Fjällgarn's history and its mapping, which leaves the sellers' spam out
    # When it is read
    kind, history = read_history(HISTORY, MAPPING)
    assert kind == "csv"
    # Then every mapped row is there with its intent, and the spam is counted, not kept
    assert len(history.rows) == 182
    assert history.left_out == {"spam-saljare": 8}
    assert {row.intent for row in history.rows} >= {Intent.WRONG_ITEM, Intent.FEEDBACK}
    assert history.rows[0].line == 2  # the header is line 1


def test_a_mapping_gives_the_shops_scheme_and_without_one_it_is_evenhands(tmp_path: Path) -> None:
    # Given Fjällgarn's mapping, whose thirteen intents name no parcel never received
    _, history = read_history(HISTORY, MAPPING)
    assert history.scheme is not None and len(history.scheme) == 13
    assert Intent.DELIVERED_NOT_RECEIVED not in history.scheme
    # and a history without a mapping, whose labels are Evenhand's intents
    path = tmp_path / "history.csv"
    path.write_text("text,label\nWhere is it?,where_is_my_order\n", encoding="utf-8")
    assert read_history(path)[1].scheme is None


def test_an_intent_outside_the_scheme_trains_as_the_label_the_shops_rows_give_it() -> None:
    # Given a shop whose scheme has a damaged item, delivery and a subscription cancelled,
    # and rows as the built-in model reads them: four wrong items the shop calls damaged and
    # one it calls other; three parcels never received it calls deliveries; two missing items
    # split between labels; three refund questions it tags as damaged items; three surprise
    # renewals it tags as cancellations; one question about shipping
    scheme = frozenset({Intent.DAMAGED_ITEM, Intent.WHERE_IS_MY_ORDER, Intent.CANCEL_SUBSCRIPTION})
    rows = [
        *[("damaged_item", "wrong_item")] * 4,
        ("other", "wrong_item"),
        *[("where_is_my_order", "delivered_not_received")] * 3,
        ("damaged_item", "missing_item"),
        ("where_is_my_order", "missing_item"),
        *[("damaged_item", "refund_status")] * 3,
        *[("cancel_subscription", "subscription_unexpected_charge")] * 3,
        ("where_is_my_order", "shipping_question"),
    ]
    # When the corpus's intents are read in the shop's scheme
    reading = scheme_reading(scheme, [g for g, _ in rows], [r for _, r in rows])
    # Then a wrong item trains as a damaged item (four of five rows; both our mistakes), and
    # a parcel never received as a delivery (a label that moves no money)
    assert reading.label("wrong_item") == "damaged_item"
    assert reading.label("delivered_not_received") == "where_is_my_order"
    assert reading.folded() == {
        Intent.WRONG_ITEM: Intent.DAMAGED_ITEM,
        Intent.DELIVERED_NOT_RECEIVED: Intent.WHERE_IS_MY_ORDER,
    }
    # and nothing trains as a label that moves money unless it is of its kind: a refund
    # question is no damaged item, a surprise renewal no cancellation (its refund rule stays)
    assert reading.label("refund_status") == "refund_status"
    assert reading.label("subscription_unexpected_charge") == "subscription_unexpected_charge"
    # and what the rows do not show clearly stays as it is, as the built-in reader reads it
    assert reading.label("missing_item") == "missing_item"
    assert reading.label("shipping_question") == "shipping_question"
    assert reading.label("damaged_item") == "damaged_item" and reading.label("other") == "other"
    # and a shop that took Evenhand's whole scheme trains on the corpus as it is
    assert scheme_reading(None, [g for g, _ in rows], [r for _, r in rows]).folded() == {}


def test_a_history_without_a_label_column_is_refused_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("text,tag\nMy yarn is late,paket-var\n", encoding="utf-8")
    with pytest.raises(EvenhandError) as refused:
        read_history(path)
    assert refused.value.code is InputError.MISSING_COLUMN
    assert "label" in str(refused.value) and str(path) in str(refused.value)


def test_an_empty_text_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("text,label\nWhere is it?,where_is_my_order\n ,feedback\n", encoding="utf-8")
    with pytest.raises(EvenhandError) as refused:
        read_history(path)
    assert refused.value.code is InputError.MISSING_VALUE
    assert "line 3" in str(refused.value) and "'text'" in str(refused.value)


def test_a_mapping_to_an_unknown_intent_is_refused_naming_the_label(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("paket-var: where_is_my_yarn\n", encoding="utf-8")
    with pytest.raises(EvenhandError) as refused:
        read_mapping(path)
    assert "paket-var" in str(refused.value) and "where_is_my_yarn" in str(refused.value)


def test_without_a_mapping_labels_must_be_intents_and_others_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("text,label\nWhere is it?,where_is_my_order\nHi,paket-var\n", "utf-8")
    _, history = read_history(path)
    assert [row.intent for row in history.rows] == [Intent.WHERE_IS_MY_ORDER]
    assert history.left_out == {"paket-var": 1}


@pytest.fixture(scope="module")
def shop_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A reader folder of its own holding the built-in reader's artefact (linked), and a
    migrated SQLite database."""
    return own_reader_folder(tmp_path_factory.mktemp("readers"))


@pytest.fixture(scope="module")
def learnt(shop_settings: Settings) -> Learnt:
    return learn_shop_reader(shop_settings, path=HISTORY, mapping=MAPPING)


@pytest.mark.training
def test_the_shop_reader_beats_the_built_in_one_on_the_shops_rows_under_cv(
    learnt: Learnt,
) -> None:
    # Given Fjällgarn's 182 mapped rows, When a shop reader is learnt from them
    comparison = learnt.details["comparison"]
    built_in, shop = comparison["built_in"], comparison["shop"]
    # Then the comparison covers every intent the rows hold, with the figures side by side
    assert comparison["rows"] == 182 and comparison["folds"] == 5
    assert set(shop["intents"]) == set(built_in["intents"]) and len(shop["intents"]) == 13
    assert comparison["too_few"] == {}
    # and the shop reader is well above the built-in one, sending no more to other (measured:
    # about 0.96 against 0.911 since the corpus's batches t4 and t5; 0.10 above before them)
    assert shop["macro_f1"] >= built_in["macro_f1"] + 0.04
    assert shop["other_share"] <= built_in["other_share"]
    assert learnt.details["left_out"] == {"spam-saljare": 8}
    # and the plain TF-IDF + logistic regression on the same folds stands beside them
    assert set(comparison["baseline"]["intents"]) == set(shop["intents"])


@pytest.mark.training
def test_learn_adopts_only_a_shop_reader_that_reads_at_least_as_well(learnt: Learnt) -> None:
    # Given Fjällgarn's shop reader, which reads its history better than the built-in one
    assert reads_better(learnt.details)
    # When the figures say the built-in reader read the rows better
    comparison = learnt.details["comparison"]
    worse = {"shop": comparison["built_in"], "built_in": comparison["shop"]}
    # Then `learn --adopt` would not adopt it
    assert not reads_better({**learnt.details, "comparison": {**comparison, **worse}})


@pytest.mark.training
def test_adopt_list_and_roll_back(learnt: Learnt, shop_settings: Settings) -> None:
    engine = make_engine(shop_settings.db)
    # Given no adoption, the built-in reader reads
    assert adopted_version(shop_settings) is None
    # When the shop reader is adopted, then the built-in one again (a rollback)
    figures = adopt_version(engine, shop_settings, version=learnt.version, by="t", now=NOW)
    assert adopted_version(shop_settings) == learnt.version
    adopt_version(engine, shop_settings, version="built-in", by="t", now=NOW)
    # Then the list shows both, newest first, with the figures the shop reader was adopted on
    history = adoptions(engine)
    assert [row["version"] for row in history] == ["built-in", learnt.version]
    assert history[1]["figures"] == figures == learnt.details
    assert adopted_version(shop_settings) is None
    # and an unknown version is refused, naming what is stored
    with pytest.raises(EvenhandError, match=learnt.version):
        adopt_version(engine, shop_settings, version="0123456789abcdef", by="t", now=NOW)


@pytest.mark.training
def test_a_decision_records_the_reader_that_read_it(
    learnt: Learnt, shop_settings: Settings
) -> None:
    engine = make_engine(shop_settings.db)
    # Given the shop reader adopted
    adopt_version(engine, shop_settings, version=learnt.version, by="t", now=NOW)
    reader = load_reader(shop_settings)
    # When tickets are triaged with the reader in force
    triage_tickets(
        engine,
        records=read_tickets(TICKETS),
        guide=load_guide(shop_settings),
        reader=reader,
        settings=shop_settings,
        now=NOW,
    )
    # Then each decision names the shop reader's version
    with engine.connect() as connection:
        readers = set(connection.execute(select(decisions.c.reader)).scalars())
    assert readers == {f"shop:{learnt.version}"}
    adopt_version(engine, shop_settings, version="built-in", by="t", now=NOW)
    in_force = load_reader(shop_settings)
    assert isinstance(in_force, EmbeddedReader)
    assert in_force.name == "built-in"


def test_the_plain_baseline_is_cross_validated_on_the_readers_folds(
    monkeypatch: pytest.MonkeyPatch, reader: EmbeddedReader
) -> None:
    # Given Fjällgarn's rows, and the shop model's training spied on (it returns the
    # built-in intent model: this test is about the folds, not the shop model's figures)
    _, history = read_history(HISTORY, MAPPING)
    shop_folds: list[frozenset[int]] = []
    baseline_folds: list[tuple[frozenset[int], frozenset[int]]] = []

    def shop_model(
        rows: list[ShopRow], start: object = None, counted: object = None, scheme: object = None
    ) -> object:
        shop_folds.append(frozenset(row.line for row in rows))
        return reader.models.intent.classifier

    real = shop_baseline.baseline_readings

    def baseline(kept: list[ShopRow], tested: list[ShopRow]) -> list[str]:
        baseline_folds.append(
            (frozenset(row.line for row in kept), frozenset(row.line for row in tested))
        )
        return real(kept, tested)

    real_scheme = shop_scheme.scheme_reading
    scheme_golds: list[list[str]] = []

    def scheme(intents: frozenset[Intent], gold: list[str], read_as: list[str]) -> object:
        scheme_golds.append(gold)
        return real_scheme(intents, gold, read_as)

    monkeypatch.setattr(shop_training, "train_shop_intent_model", shop_model)
    monkeypatch.setattr(shop_training, "baseline_readings", baseline)
    monkeypatch.setattr(shop_training, "scheme_reading", scheme)
    # When the readers are compared, in the shop's scheme
    comparison = shop_training.compare(reader.models, history.rows, scheme=history.scheme)
    # Then the plain TF-IDF + logistic regression is trained on each fold the shop reader
    # is, and read on the rest, every row once
    assert shop_folds == [kept for kept, _ in baseline_folds] and len(shop_folds) == 5
    # and each fold reads the shop's scheme from its own training rows only
    by_line = {row.line: row.intent.value for row in history.rows}
    assert [sorted(gold) for gold in scheme_golds] == [
        sorted(by_line[line] for line in kept) for kept in shop_folds
    ]
    tested = sorted(line for _, lines in baseline_folds for line in lines)
    assert tested == sorted(row.line for row in history.rows) and len(tested) == 182
    # and its figures stand beside the readers', in the JSON kept with the reader
    figures = comparison.as_json()["baseline"]
    assert isinstance(figures, dict) and set(figures["intents"]) == set(
        comparison.as_json()["shop"]["intents"]  # type: ignore[index]
    )
    assert 0.5 < figures["macro_f1"] <= 1.0
    # and `learn` prints it beside them, with how the shop reader stands against it
    console = Console(record=True, width=200)
    comparison_table(console, {"rows": 182, "left_out": {}, "comparison": comparison.as_json()})
    printed = console.export_text()
    assert "plain TF-IDF+LR P/R/F1" in printed
    assert f"{figures['macro_f1']:.3f}" in printed
    assert "the plain TF-IDF + logistic regression" in printed


class _UnsureFirstStage:
    """A shop's first stage, unsure among its three intents."""

    classes = ("damaged_item", "other", "where_is_my_order")

    def predict_proba(self, texts: list[str]) -> Any:
        return np.array([[0.40, 0.25, 0.35]] * len(texts))


class _SureOfAShippingQuestion:
    """The built-in second opinion, over Evenhand's intents: a shipping question."""

    def probabilities_many(self, texts: list[str]) -> list[dict[Intent, float]]:
        return [{Intent.SHIPPING_QUESTION: 0.85, Intent.DAMAGED_ITEM: 0.15} for _ in texts]


def test_a_shop_readers_second_opinion_is_read_in_the_shops_scheme(
    reader: EmbeddedReader,
) -> None:
    # Given a shop reader whose first stage is unsure, and a built-in second opinion sure of a
    # shipping question, an intent the shop's scheme reads as a delivery
    second: Any = _SureOfAShippingQuestion()
    models = replace(reader.models, second_opinion=second)
    first: Any = _UnsureFirstStage()
    in_scheme = {Intent.SHIPPING_QUESTION: Intent.WHERE_IS_MY_ORDER}
    shop = shop_reader(models, first, second_opinion_in=in_scheme)
    without = shop_reader(models, first)
    message = Message(body="Do you ship to Åland, and how long does it take?")
    # When both read the message
    # Then the second opinion's shipping question counts for the delivery it is read as
    assert shop.read(message).intent is Intent.WHERE_IS_MY_ORDER
    # and without the scheme it would count for nothing, and the damaged item would lead
    assert without.read(message).intent is Intent.DAMAGED_ITEM
