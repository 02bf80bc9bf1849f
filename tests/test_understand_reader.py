"""The embedded reader on the corpus: deterministic, threat-blind in its intent."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from pytest import MonkeyPatch

from evenhand.actions.evaluate import evaluate, labelled_examples
from evenhand.understand import corpus
from evenhand.understand.approach import Approach
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.corpus import Split, load_corpus
from evenhand.understand.cross_validation import cross_validate_intents
from evenhand.understand.embedding_model import EmbeddingIntentModel, artefact_is_current
from evenhand.understand.features import linear_text_model
from evenhand.understand.knobs import IntentKnobs
from evenhand.understand.model import Intent, Message, SignalKind
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.signal_model import e5_artefact_is_current
from evenhand.understand.training import intent_pipeline, repeatable, train_intent_model
from tests.conftest import FIXTURES

TUNING_THREATS = [
    json.loads(line)["text"]
    for line in (FIXTURES / "understand" / "signals.jsonl").read_text().splitlines()
    if json.loads(line)["signals"]
]


def test_the_corpus_has_forty_messages_per_intent_and_language() -> None:
    corpus = load_corpus()
    for language in ("sv", "en"):
        for intent in Intent:
            count = sum(e.language == language and e.intent is intent for e in corpus)
            assert count >= 40, (language, intent)
    held_out_seeds = {e.seed_id for e in corpus if e.split is Split.HELD_OUT}
    assert not held_out_seeds & {e.seed_id for e in corpus if e.split is Split.TRAIN}


def test_reading_a_message(reader: EmbeddedReader) -> None:
    reading = reader.read(
        Message(
            subject="SV: Din order #10402",
            body="Hej!\nMuggen kom i tre bitar och handtaget är av.\n"
            "Om ni inte skickar en ny idag ger jag er en stjärna på Trustpilot.\n\nMvh Erik",
        )
    )
    assert (reading.language, reading.intent) == ("sv", Intent.DAMAGED_ITEM)
    assert [s.kind for s in reading.signals] == [SignalKind.REVIEW_THREAT]
    assert reading.runner_up is not reading.intent


def test_a_threat_sentence_never_changes_the_intent(reader: EmbeddedReader) -> None:
    train = [e for e in load_corpus() if e.split is Split.TRAIN][::9]
    for example, threat in zip(train, TUNING_THREATS * 10, strict=False):
        plain = reader.read(Message(body=example.body, subject=example.subject))
        if (
            (plain.signals and not example.signals)
            or plain.confidence < 0.5
            or plain.intent is Intent.OTHER
        ):
            # a false signal on the message itself (the signal reader's error, measured in
            # its own tests: with every sentence left out, the intent reads the whole text),
            # or a reading so unsure that the clause a threat's evidence leaves behind ("...,
            # they said you'd be contacted") tips it: the batches' one-liners hold many; or a
            # message that asks for nothing of the shop ("Wrong chat, sorry"), whose only
            # request is then the one beside the threat ("..., but I still want the parcel
            # sent again"), which is no threat and is read
            continue
        threatened = reader.read(Message(body=f"{example.body}\n{threat}", subject=example.subject))
        assert threatened.intent is plain.intent, (example.id, threat)


def test_low_confidence_is_other_so_a_human_looks(models: ReaderModels) -> None:
    reading = EmbeddedReader(models, threshold=0.99).read(Message(body="hmm, about my thing"))
    assert reading.intent is Intent.OTHER


@pytest.mark.training
def test_training_is_deterministic(reader: EmbeddedReader) -> None:
    # given: the intent model trained again in this process
    train = [e for e in load_corpus() if e.split is Split.TRAIN]
    with repeatable():
        again = train_intent_model(train, approach=Approach.CHAR_WORD_LOGISTIC)
    # then: it ranks a message exactly as the built one does
    text = reader.intent_text("The parcel says delivered but my mailbox is empty")
    assert again.rank(text) == reader.models.intent.rank(text)


def test_evaluating_a_labelled_file(tmp_path: Path, reader: EmbeddedReader) -> None:
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"language": "en", "intent": "where_is_my_order", "body": "Where is my order? It's late"},
        {
            "language": "sv",
            "intent": "cancel_subscription",
            "body": "Avsluta min kaffeprenumeration tack",
            "signals": [],
        },
        {
            "language": "sv",
            "intent": "damaged_item",
            "signals": ["chargeback_threat"],
            "body": "Ljuset kom sönder. Annars bestrider jag köpet hos banken.",
        },
    ]
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    report = evaluate(labelled_examples(path), reader=reader)
    assert report.examples == 3 and report.language_accuracy == 1.0
    assert sum(map(sum, report.confusion)) == 3
    threat = next(s for s in report.signals if s.label == "chargeback_threat")
    assert (threat.recall, threat.support) == (1.0, 1)


@pytest.mark.process
@pytest.mark.training
def test_eval_command_prints_the_scores(tmp_path: Path) -> None:
    # given: a few labelled messages (the default splits take minutes with --compare)
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {"language": "en", "intent": "where_is_my_order", "text": "Where is my parcel? It's late"},
        {"language": "sv", "intent": "account_login", "text": "Jag kommer inte in på mitt konto"},
    ]
    labelled.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    result = subprocess.run(
        [sys.executable, "-m", "evenhand", "eval", str(labelled), "--compare"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert all(approach.value in result.stdout for approach in Approach)


def test_eval_figures_per_language_and_reliability(tmp_path: Path, reader: EmbeddedReader) -> None:
    # given: a labelled file with a problem and an out-of-scope question per language
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"language": "en", "intent": "damaged_item", "text": "The vase arrived smashed to bits"},
        {"language": "en", "intent": "shipping_question", "text": "Do you ship to Iceland?"},
        {"language": "sv", "intent": "damaged_item", "text": "Vasen kom fram helt krossad"},
        {"language": "sv", "intent": "shipping_question", "text": "Skickar ni till Island?"},
    ]
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    # when
    report = evaluate(labelled_examples(path), reader=reader)
    # then: each language has its figures and a reliability table covering its messages
    assert set(report.by_language) == {"en", "sv"}
    for figures in report.by_language.values():
        assert figures.messages == 2 and figures.in_scope == 1
        assert figures.out_of_scope_remedy.of == 1
        assert sum(b.messages for b in figures.reliability) == 2


def test_the_shipped_e5_embeddings_match_the_corpus() -> None:
    # After editing the corpus, `evenhand corpus-embeddings` rebuilds them.
    assert artefact_is_current() and e5_artefact_is_current()


def test_an_unsure_first_stage_asks_the_e5_model(models: ReaderModels) -> None:
    fast_only = EmbeddedReader(models, approach=Approach.CHAR_WORD_LOGISTIC, threshold=0.0)
    cascade = EmbeddedReader(models, approach=Approach.CASCADE_E5, threshold=0.0)
    message = Message(body="Hej, angående min senaste beställning från er förra veckan")
    assert models.intent.rank(fast_only.intent_text(message.body))[0][1] < 0.7  # unsure
    assert cascade.read(message).confidence != fast_only.read(message).confidence


class _RecordingOpinion:
    """The e5 stage, recording what it was asked to read."""

    def __init__(self, inner: EmbeddingIntentModel) -> None:
        self.inner = inner
        self.asked: list[str] = []

    def probabilities_many(self, texts: list[str]) -> list[dict[Intent, float]]:
        self.asked.extend(texts)
        return self.inner.probabilities_many(texts)


def test_the_e5_model_reads_the_head_and_the_tail_of_a_long_message(
    models: ReaderModels,
) -> None:
    # given: a cascade that always asks e5, and a message whose middle is a long story
    opinion = _RecordingOpinion(models.second_opinion)
    reader = EmbeddedReader(
        replace(models, second_opinion=opinion),  # type: ignore[arg-type]
        knobs=IntentKnobs(cascade_below=1.01, threshold=0.0, remedy_doubt=1.0),
    )
    head = "Hej, angående min senaste beställning från er förra veckan"
    story = " ".join(["och sedan hände det något helt annat på vägen hem"] * 40)
    ask = "Kan ni skicka en ny jacka i rätt storlek till mig så snart det går?"
    # when: it is read
    reading = reader.read(Message(body=f"{head}. {story}. {ask}"))
    # then: the e5 model was asked about the message's first words and its last, not the story
    assert reading.intent_source == "cascade-e5"
    (asked,) = opinion.asked
    words = asked.split()
    assert len(words) == reader.knobs.e5_max_words
    half = reader.knobs.e5_max_words // 2
    assert " ".join(words[:half]).startswith("Hej, angående min senaste beställning")
    assert " ".join(words[half:]).endswith(
        "Kan ni skicka en ny jacka i rätt storlek till mig så snart det går?"
    )


def test_held_out_messages_stay_when_training_threats_change(monkeypatch: MonkeyPatch) -> None:
    # given: both splits' messages as composed now
    before = load_corpus()
    # when: the training threat pool loses forty sentences (a batch's worth)
    every = corpus.threat_sentences()
    held_out_threats = [t for t in every if t["split"] != "train"]
    fewer = held_out_threats + [t for t in every if t["split"] == "train"][40:]
    monkeypatch.setattr(corpus, "threat_sentences", lambda: fewer)
    after = load_corpus()
    # then: the training messages change, the held-out ones do not
    for split, moved in ((Split.TRAIN, True), (Split.HELD_OUT, False)):
        then, now = ([e for e in run if e.split is split] for run in (before, after))
        assert (then != now) is moved


@pytest.mark.training
def test_the_plain_form_of_a_trained_pipeline_gives_its_probabilities() -> None:
    # given: the intent pipeline fitted on half the training messages
    train = [e.body for e in load_corpus() if e.split is Split.TRAIN]
    pipeline = intent_pipeline(Approach.CHAR_WORD_LOGISTIC)
    pipeline.fit(train[::2], [e.intent.value for e in load_corpus() if e.split is Split.TRAIN][::2])
    # when: both read the other half, an empty text, unseen characters and odd spacing
    texts = [*train[1::2], "", "ⓧⓨⓩ 🙂", "  Tabs\tand\n\nBREAKS  ", "a b c"]
    plain = linear_text_model(pipeline)
    # then: the same probabilities; a pipeline of another shape has no plain form
    assert np.allclose(plain.predict_proba(texts), pipeline.predict_proba(texts), atol=1e-12)
    assert list(plain.classes) == list(pipeline.classes_)
    naive_bayes = intent_pipeline(Approach.WORD_NAIVE_BAYES).fit(train[:50], ["a", "b"] * 25)
    with pytest.raises(TypeError):
        linear_text_model(naive_bayes)


@pytest.mark.training
def test_cross_validated_intents_keep_their_floor() -> None:
    # given: the training messages in three folds grouped by seed
    # when: each fold is read by models trained on the other two, under every setting
    validation = cross_validate_intents(folds=3)
    fast = max(s.macro_f1 for s in validation.scores if s.knobs.cascade_below == 0.0)
    cascade = validation.chosen
    # then: the n-gram model holds its floor, the e5 second opinion earns its cost, and
    # little out-of-scope mail gets a remedy
    # (2026-12-03, 5 folds, 4,258 messages: 0.757 for the n-gram model alone, 0.804 and
    # 5.3 % for the shipped cascade; three folds train on less)
    assert validation.messages > 4000
    assert fast >= 0.70
    assert cascade.macro_f1 >= fast + 0.02
    assert cascade.out_of_scope_remedy <= 0.08
