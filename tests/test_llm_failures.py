"""The optional LLM reader when its endpoint fails (against the local chat-completions
server of `tests/llm_fake.py`): 429 with Retry-After, 5xx, answers past the timeout, a
wrong key, malformed and schema-breaking JSON, no endpoint at all; each keeps the built-in
reading and says why, and the key is never logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from evenhand.actions.settings_text import settings_file_text
from evenhand.understand.llm_schema import Fallback
from evenhand.understand.model import LLM_STAGE, Intent, Message
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW
from tests.llm_fake import (
    API_KEY,
    BROKEN,
    FakeLlm,
    Llm,
    a_reading,
    completion,
    llm_endpoint,
    llm_server,
    payload,
    read,
    without_use,
)


@pytest.fixture
def llm() -> Iterator[Llm]:
    with llm_endpoint(NOW) as endpoint:
        yield endpoint


# Failures: each keeps the built-in reading and says why


def test_a_429_is_tried_again_after_its_retry_after(llm: Llm, reader: EmbeddedReader) -> None:
    llm.fake.rate_limit_next("2")
    [reading] = read(llm.reader(reader), BROKEN)
    assert llm.waits == [2.0]
    assert reading.llm is not None and (reading.llm.attempts, reading.llm.fallback) == (2, None)
    assert reading.intent_source == LLM_STAGE


def test_a_429_twice_falls_back_as_rate_limited(llm: Llm, reader: EmbeddedReader) -> None:
    llm.fake.rate_limit_next("1")
    llm.fake.rate_limit_next("1")
    [built_in] = reader.read_many([Message(body=BROKEN)])
    [reading] = read(llm.reader(reader), BROKEN)
    assert reading.llm is not None
    assert (reading.llm.fallback, reading.llm.attempts) == (Fallback.RATE_LIMITED, 2)
    assert len(llm.fake.requests) == 2 and llm.waits == [1.0]  # one retry, bounded
    assert without_use(reading) == built_in


def test_a_retry_after_longer_than_the_timeout_is_not_waited_for(
    llm: Llm, reader: EmbeddedReader
) -> None:
    llm.fake.rate_limit_next("3600")
    [reading] = read(llm.reader(reader), BROKEN)
    assert reading.llm is not None and reading.llm.fallback == Fallback.RATE_LIMITED
    assert (reading.llm.attempts, llm.waits) == (1, [])


def test_a_retry_after_given_as_an_http_date_is_honoured(llm: Llm, reader: EmbeddedReader) -> None:
    llm.fake.rate_limit_next("Wed, 21 Oct 2015 07:28:00 GMT")  # in the past: at once
    [reading] = read(llm.reader(reader), BROKEN)
    assert llm.waits == [0.0] and reading.llm is not None and reading.llm.fallback is None


def test_a_5xx_is_tried_once_more_then_falls_back(llm: Llm, reader: EmbeddedReader) -> None:
    llm.fake.fail_next(503)
    [first] = read(llm.reader(reader), BROKEN)
    assert first.llm is not None and (first.llm.attempts, first.llm.fallback) == (2, None)
    llm.fake.fail_next(500)
    llm.fake.fail_next(502)
    [second] = read(llm.reader(reader), BROKEN)
    assert second.llm is not None
    assert (second.llm.attempts, second.llm.fallback) == (2, Fallback.SERVER_ERROR)
    assert second.intent_source != LLM_STAGE and second.reader == "built-in"


def test_an_answer_past_the_timeout_is_not_waited_for(llm: Llm, reader: EmbeddedReader) -> None:
    llm.fake.slow_next(30.0)
    [reading] = read(llm.reader(reader, llm_timeout_seconds=0.3), BROKEN)
    assert reading.llm is not None
    assert (reading.llm.fallback, reading.llm.attempts) == (Fallback.TIMEOUT, 1)
    assert reading.intent is Intent.DAMAGED_ITEM and reading.reader == "built-in"


def test_a_wrong_key_is_refused_without_a_retry(llm: Llm, reader: EmbeddedReader) -> None:
    [reading] = read(llm.reader(reader, llm_api_key="sk-wrong"), BROKEN)
    assert reading.llm is not None
    assert (reading.llm.fallback, reading.llm.attempts) == (Fallback.REFUSED, 1)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ((200, {}, completion("{'language': 'en', intent: damaged_item")), Fallback.MALFORMED),
        ((200, {}, completion("Sure! The intent is damaged_item.")), Fallback.MALFORMED),
        ((200, {}, b"<html>502 Bad Gateway</html>"), Fallback.MALFORMED),
        ((200, {}, {"choices": []}), Fallback.MALFORMED),
        ((200, {}, payload("refusal.json")), Fallback.MALFORMED),
        ((200, {}, completion(json.dumps(a_reading("refund_now")))), Fallback.INVALID),
        ((200, {}, completion(json.dumps(a_reading(confidence=1.7)))), Fallback.INVALID),
        ((200, {}, completion(json.dumps(a_reading(language="english")))), Fallback.INVALID),
        ((200, {}, completion(json.dumps(a_reading() | {"tier": "vip"}))), Fallback.INVALID),
        ((200, {}, completion(json.dumps({"intent": "damaged_item"}))), Fallback.INVALID),
        (
            (200, {}, completion(json.dumps(a_reading(signals=[{"kind": "insult"}])))),
            Fallback.INVALID,
        ),
    ],
)
def test_a_malformed_or_schema_breaking_answer_keeps_the_built_in_reading(
    llm: Llm, reader: EmbeddedReader, answer: Any, reason: Fallback
) -> None:
    llm.fake.script.append(answer)
    [built_in] = reader.read_many([Message(body=BROKEN)])
    [reading] = read(llm.reader(reader), BROKEN)
    assert reading.llm is not None and reading.llm.fallback == reason
    assert without_use(reading) == built_in


def test_an_unreachable_endpoint_falls_back(reader: EmbeddedReader) -> None:
    with llm_server(FakeLlm()) as base_url:
        pass  # the port is closed again
    llm = Llm(FakeLlm(), base_url, NOW)
    [reading] = read(llm.reader(reader), BROKEN)
    assert reading.llm is not None and reading.llm.fallback == Fallback.UNREACHABLE


def test_the_key_is_never_logged_nor_written_to_the_settings_file(
    llm: Llm, reader: EmbeddedReader, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    llm.fake.rate_limit_next("1")
    llm.fake.rate_limit_next("1")
    llm.fake.content_next("not json")
    read(llm.reader(reader), BROKEN, BROKEN)
    read(llm.reader(reader, llm_api_key="sk-wrong-but-secret"), BROKEN)
    assert "rate_limited" in caplog.text and "malformed" in caplog.text
    assert API_KEY not in caplog.text and "sk-wrong-but-secret" not in caplog.text
    assert API_KEY not in settings_file_text(llm.settings())
