"""Sessions that end: the app on a loopback port, driven over HTTP with real cookies, on
SQLite and PostgreSQL. Sign-out, disabling, deleting, a role or a password change end a
user's sessions at once (a copy of the cookie opens nothing after); sessions expire; the
last active manager stays one; sign-in is throttled per e-mail and per address."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine, func, select

from evenhand.actions.service import create_token
from evenhand.actions.users import (
    create_user,
    delete_user,
    disable_user,
    enable_user,
    set_password,
    set_role,
)
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.store.tables import sessions, users
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW
from tests.sites import (
    AGENT,
    DEPUTY,
    LEAD,
    PASSWORD,
    Site,
    admin_form,
    csrf_of,
    opens,
    serve_site,
    try_sign_in,
)


@pytest.fixture
def site(db_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    yield from serve_site(db_url, reader)


# --- sessions end ------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_no_longer_opens_admin(site: Site) -> None:
    # given a signed-in manager, and a copy of their session cookie taken then
    lead = site.sign_in(LEAD)
    assert opens(lead, "/admin")
    copied = httpx.Cookies(lead.cookies)
    # when they sign out
    answer = lead.post("/logout", data={"csrf": csrf_of(lead, "/queue")})
    assert answer.status_code == 303
    # then the copied cookie opens neither /admin nor the queue, and no session is left
    with site.client() as thief:
        assert not opens(thief, "/admin", cookies=copied)
        assert not opens(thief, "/queue", cookies=copied)
    with site.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(sessions)).scalar_one() == 0
    assert [subject for subject, _ in site.events("sign-out")] == [LEAD]


AUDITED = {
    "disable": "user disable",
    "delete": "user delete",
    "role": "user set-role",
    "password": "user set-password",
}


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ("disable", {}),
        ("delete", {}),
        ("role", {"role": "agent"}),
        ("password", {"password": "a new long password"}),
    ],
)
def test_a_change_by_a_manager_ends_the_users_sessions_at_once(
    site: Site, change: str, fields: dict[str, str]
) -> None:
    # given the deputy signed in twice (two browsers), and the lead on /admin
    first, second = site.sign_in(DEPUTY), site.sign_in(DEPUTY)
    lead = site.sign_in(LEAD)
    assert opens(first, "/admin") and opens(second, "/queue")
    # when the lead makes the change on /admin
    answer = admin_form(lead, change, email=DEPUTY, **fields)
    assert (answer.status_code, answer.headers.get("location")) == (303, "/admin")
    # then both of the deputy's sessions are over at their next request; the lead's is not
    assert not opens(first, "/admin")
    assert not opens(second, "/queue")
    assert opens(lead, "/admin")
    # and one audit event names the change, who made it and the sessions it ended
    [(subject, details)] = site.events(AUDITED[change])
    assert subject == DEPUTY
    assert details["by"] == LEAD and details["sessions_ended"] == 2


def test_after_a_change_the_user_signs_in_as_the_change_says(site: Site) -> None:
    # given the deputy demoted to agent and given a new password
    lead = site.sign_in(LEAD)
    assert admin_form(lead, "role", email=DEPUTY, role="agent").status_code == 303
    new = "a new long password"
    assert admin_form(lead, "password", email=DEPUTY, password=new).status_code == 303
    # then the old password is refused and the new one opens the queue, not /admin
    with site.client() as client:
        assert try_sign_in(client, DEPUTY, PASSWORD).status_code == 401
    deputy = site.sign_in(DEPUTY, new)
    assert opens(deputy, "/queue")
    assert deputy.get("/admin").status_code == 403
    # and a disabled user is told so (with the right password only), until enabled again
    assert admin_form(lead, "disable", email=AGENT).status_code == 303
    with site.client() as client:
        refused = try_sign_in(client, AGENT, PASSWORD)
        assert refused.status_code == 403 and "disabled" in refused.text
        assert try_sign_in(client, AGENT, "not the password").status_code == 401
    assert admin_form(lead, "enable", email=AGENT).status_code == 303
    assert opens(site.sign_in(AGENT), "/queue")


def test_a_deleted_user_cannot_sign_in_and_is_no_longer_listed(site: Site) -> None:
    lead = site.sign_in(LEAD)
    assert admin_form(lead, "delete", email=AGENT).status_code == 303
    assert AGENT not in lead.get("/admin").text
    with site.client() as client:
        assert try_sign_in(client, AGENT, PASSWORD).status_code == 401
    with site.engine.connect() as connection:
        kept = connection.execute(select(users.c.password_hash).where(users.c.email == AGENT))
        assert kept.scalar_one() == "!"  # the row stays for their reviews; no password does


def test_sessions_end_after_the_idle_limit_and_after_the_absolute_limit(
    db_url: str, reader: EmbeddedReader
) -> None:
    for site in serve_site(db_url, reader, session_idle_minutes=30, session_max_hours=2):
        # given a session used every 29 minutes: it lives on, but not past 2 hours
        agent = site.sign_in(AGENT)
        for _ in range(4):
            site.clock.advance(minutes=29)
            assert opens(agent, "/queue")
        site.clock.advance(minutes=29)  # 2 h 25 min after sign-in
        assert not opens(agent, "/queue")
        # and a session left alone for 31 minutes has ended
        agent = site.sign_in(AGENT)
        site.clock.advance(minutes=31)
        assert not opens(agent, "/queue")


# --- the last active manager ---------------------------------------------------------------


def test_the_last_active_manager_cannot_be_disabled_deleted_or_demoted(engine: Engine) -> None:
    # given one active manager (the other disabled) and an agent
    for email, role in ((LEAD, Role.MANAGER), (DEPUTY, Role.MANAGER), (AGENT, Role.AGENT)):
        create_user(engine, email=email, role=role, password=PASSWORD, now=NOW)
    assert disable_user(engine, email=DEPUTY, by="test", now=NOW)
    # when anyone tries to disable, delete or demote the lead, it is refused, nothing changed
    attempts: list[Callable[[], bool]] = [
        lambda: disable_user(engine, email=LEAD, by="test", now=NOW),
        lambda: delete_user(engine, email=LEAD, by="test", now=NOW),
        lambda: set_role(engine, email=LEAD, role=Role.AGENT, by="test", now=NOW),
    ]
    for attempt in attempts:
        with pytest.raises(EvenhandError) as refused:
            attempt()
        assert refused.value.code is AccessError.LAST_MANAGER
    with engine.connect() as connection:
        lead = connection.execute(
            select(users.c.role, users.c.disabled_at, users.c.deleted_at).where(
                users.c.email == LEAD
            )
        ).one()
    assert tuple(lead) == ("manager", None, None)
    # then with the deputy enabled again, the lead may be demoted, and the agent changed
    assert enable_user(engine, email=DEPUTY, by="test", now=NOW)
    assert set_role(engine, email=LEAD, role=Role.AGENT, by="test", now=NOW)
    assert set_password(engine, email=AGENT, password="another password", by="test", now=NOW)
    assert not set_role(engine, email=AGENT, role=Role.AGENT, by="test", now=NOW)  # no change


def test_admin_says_why_the_last_manager_stays_one(site: Site) -> None:
    lead = site.sign_in(LEAD)
    assert admin_form(lead, "delete", email=DEPUTY).status_code == 303
    # when the lead tries to demote themselves, the page says why not (409)
    answer = admin_form(lead, "role", email=LEAD, role="agent")
    assert answer.status_code == 409
    assert "last active manager" in answer.text
    assert opens(lead, "/admin")  # and nothing ended their session
    # and a form without the page's CSRF token changes nothing
    forged = lead.post("/admin/users/disable", data={"csrf": "forged", "email": AGENT})
    assert forged.status_code == 403
    assert opens(site.sign_in(AGENT), "/queue")


# --- sign-in throttling ----------------------------------------------------------------------


def test_a_burst_of_100_wrong_passwords_is_refused_after_five_until_the_wait_is_over(
    site: Site,
) -> None:
    # given 100 wrong passwords for the lead, one after the other
    with site.client() as client:
        answers = [try_sign_in(client, LEAD, f"wrong password {n}") for n in range(100)]
        # then the first five are checked (401) and the other 95 refused unchecked (429),
        # saying when to try again
        assert [a.status_code for a in answers] == [401] * 5 + [429] * 95
        assert answers[-1].headers["retry-after"] == "30"
        assert "try again in 30 seconds" in answers[-1].text
        # and even the right password waits until then
        assert try_sign_in(client, LEAD, PASSWORD).status_code == 429
        site.clock.advance(seconds=29)
        assert try_sign_in(client, LEAD, PASSWORD).status_code == 429
        # when the wait is over, the right password signs in
        site.clock.advance(seconds=2)
        assert try_sign_in(client, LEAD, PASSWORD).status_code == 303
    # and each refused try is in the audit trail, with the address it came from
    throttled = site.events("sign-in throttled")
    assert len(throttled) == 97
    assert {subject for subject, _ in throttled} == {LEAD}
    assert {details["client"] for _, details in throttled} == {"127.0.0.1"}
    assert len(site.events("sign-in failed")) == 5


def test_each_wrong_password_past_the_allowance_doubles_the_wait(site: Site) -> None:
    with site.client() as client:
        for _ in range(5):
            assert try_sign_in(client, AGENT, "wrong password").status_code == 401
        for wait in (30, 60, 120):
            refused = try_sign_in(client, AGENT, "wrong password")
            assert (refused.status_code, refused.headers["retry-after"]) == (429, str(wait))
            site.clock.advance(seconds=wait)
            assert try_sign_in(client, AGENT, "wrong password").status_code == 401
        # then a right password after the wait clears the count
        site.clock.advance(seconds=240)
        assert try_sign_in(client, AGENT, PASSWORD).status_code == 303
        assert try_sign_in(client, AGENT, "wrong password").status_code == 401


def test_tries_sent_at_once_are_held_to_the_allowance_too(site: Site) -> None:
    # given 40 wrong passwords for one e-mail sent at the same time from 8 threads
    def one(n: int) -> int:
        with site.client() as client:
            return try_sign_in(client, AGENT, f"wrong {n}").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(one, range(40)))
    # then no more than the allowance were checked
    assert statuses.count(401) == 5 and statuses.count(429) == 35


def test_wrong_passwords_from_one_address_slow_every_e_mail_from_it(site: Site) -> None:
    # given 20 wrong passwords from one address, each for a different e-mail
    spray = {"x-forwarded-for": "203.0.113.7"}
    with site.client(**spray) as client:
        for n in range(20):
            assert try_sign_in(client, f"guess{n}@nordhem.example", "password1").status_code == 401
        # then from that address even a real user with the right password waits
        assert try_sign_in(client, AGENT, PASSWORD).status_code == 429
    # and from another address they sign in
    assert opens(site.sign_in(AGENT, **{"x-forwarded-for": "198.51.100.4"}), "/queue")
    [(_, details)] = site.events("sign-in throttled")
    assert details["client"] == "203.0.113.7"


@pytest.mark.parametrize(
    ("email", "password", "code", "said"),
    [
        ("lena.example.se", "a-long-password", InputError.BAD_VALUE, "not an e-mail address"),
        ("lena @example.se", "a-long-password", InputError.BAD_VALUE, "not an e-mail address"),
        ("l" * 320 + "@example.se", "a-long-password", InputError.BAD_VALUE, "at most 320"),
        ("lena@example.se", " " * 12, AccessError.WEAK_PASSWORD, "spaces only"),
    ],
)
def test_a_user_needs_an_address_and_a_password_of_more_than_spaces(
    engine: Engine, email: str, password: str, code: InputError | AccessError, said: str
) -> None:
    # when a manager adds a user with a bad address or a password of spaces
    with pytest.raises(EvenhandError) as refused:
        create_user(engine, email=email, role=Role.AGENT, password=password, now=NOW)
    # then it is refused, saying why (a 4xx, never a 401 for a typo), and no user is made
    assert refused.value.code is code and said in refused.value.message
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(users)).scalar() == 0


@pytest.mark.parametrize(
    ("name", "code"), [("   ", InputError.MISSING_VALUE), ("x" * 129, InputError.BAD_VALUE)]
)
def test_a_token_needs_a_name_that_fits(engine: Engine, name: str, code: InputError) -> None:
    with pytest.raises(EvenhandError) as refused:
        create_token(engine, name=name, now=NOW)
    assert refused.value.code is code and refused.value.message.startswith("name: ")
