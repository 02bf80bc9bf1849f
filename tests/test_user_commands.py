"""`evenhand user ...` as a user runs it: real processes, their output and exit codes, one
audit event per change, and a change from the command line ending a session the web app
holds."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from evenhand.store.database import make_engine
from evenhand.store.tables import audit_events
from evenhand.understand.reader import EmbeddedReader
from tests.sites import AGENT, LEAD, opens, serve_site

pytestmark = pytest.mark.process


def evenhand(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evenhand", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with a database, a manager (LEAD) and an agent made by the command line."""
    assert evenhand("init", cwd=tmp_path).returncode == 0
    for email, role in ((LEAD, "manager"), (AGENT, "agent")):
        made = evenhand(
            "user", "create", email, "--role", role, "--password-stdin",
            cwd=tmp_path, stdin="a long enough password\n",
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
    return tmp_path


def audit_counts(workdir: Path) -> Counter[str]:
    engine = make_engine(f"sqlite:///{workdir / 'evenhand.sqlite3'}")
    with engine.connect() as connection:
        actions = connection.execute(select(audit_events.c.action)).scalars().all()
    engine.dispose()
    return Counter(action for action in actions if action.startswith("user "))


def test_each_user_command_changes_one_user_with_one_audit_event(workdir: Path) -> None:
    def user(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return evenhand("user", *args, cwd=workdir, stdin=stdin)

    # given the only manager: they cannot be disabled, deleted or demoted (exit 9, why)
    for args in (["disable", LEAD], ["delete", LEAD], ["set-role", LEAD, "agent"]):
        refused = user(*args)
        assert refused.returncode == 9, refused.stdout
        assert "(last_manager)" in refused.stderr and "last active manager" in refused.stderr
        assert "Traceback" not in refused.stderr
    # when the agent is disabled (twice: the second changes nothing) and enabled again
    assert "disabled; their sessions ended" in user("disable", AGENT).stdout
    assert "nothing changed" in user("disable", AGENT).stdout
    assert user("enable", AGENT).returncode == 0
    # and given a password too short, then a good one
    short = user("set-password", AGENT, "--password-stdin", stdin="short\n")
    assert (short.returncode, "(weak_password)" in short.stderr) == (9, True)
    assert (
        user("set-password", AGENT, "--password-stdin", stdin="a new long password\n").returncode
        == 0
    )
    # and the agent made a manager, after which the lead may step down and be deleted
    assert "is now manager" in user("set-role", AGENT, "manager").stdout
    assert user("set-role", LEAD, "agent").returncode == 0
    assert user("delete", LEAD).returncode == 0
    # and a user who is not there is named (exit 7)
    missing = user("enable", "nobody@nordhem.example")
    assert missing.returncode == 7 and "(user_not_found)" in missing.stderr
    # then each change that was made is one audit event, and nothing refused is one
    assert audit_counts(workdir) == Counter(
        {
            "user create": 2,
            "user disable": 1,
            "user enable": 1,
            "user set-password": 1,
            "user set-role": 2,
            "user delete": 1,
        }
    )


def test_a_change_from_the_command_line_ends_a_session_the_web_app_holds(
    tmp_path: Path, reader: EmbeddedReader
) -> None:
    assert evenhand("init", cwd=tmp_path).returncode == 0
    url = f"sqlite:///{tmp_path / 'evenhand.sqlite3'}"
    for site in serve_site(url, reader):
        # given the agent signed in to the running app
        agent = site.sign_in(AGENT)
        assert opens(agent, "/queue")
        # when another process disables them, then their next request is sent to sign in
        assert evenhand("user", "disable", AGENT, cwd=tmp_path).returncode == 0
        assert not opens(agent, "/queue")
