"""The `evenhand` command as a user runs it: a real process, its output and exit code."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from evenhand.actions.service import token_owner
from evenhand.store.database import make_engine
from evenhand.store.tables import api_tokens
from tests.conftest import FIXTURES

pytestmark = pytest.mark.process

SHOPIFY = FIXTURES / "shopify"


def evenhand(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evenhand", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working folder where `evenhand init` has run with the default database."""
    result = evenhand("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_init_creates_the_database_and_a_documented_settings_file(workdir: Path) -> None:
    assert (workdir / "evenhand.sqlite3").exists()
    settings = (workdir / "evenhand.toml").read_text(encoding="utf-8")
    assert 'margin_rate = "0.40"' in settings and "# Gross margin assumed" in settings


def test_import_then_customer_json(workdir: Path) -> None:
    imported = evenhand("import", "shopify-orders", str(SHOPIFY / "orders_export.csv"), cwd=workdir)
    assert imported.returncode == 0, imported.stderr
    assert "5 new" in imported.stdout
    shown = evenhand("customer", "Anna.Svensson@example.se", "--json", cwd=workdir)
    assert shown.returncode == 0, shown.stderr
    figures = json.loads(shown.stdout)
    assert figures["email"] == "anna.svensson@example.se"
    assert (figures["orders"], figures["net_revenue"], figures["gross_margin"]) == (
        2,
        "2146.70",
        "858.68",
    )
    assert (figures["currency"], figures["open_disputes"]) == ("SEK", 0)
    assert any("Gross margin" in note for note in figures["method"])
    listed = evenhand("customers", "--top", "5", cwd=workdir)
    assert "anna.svensson@example.se" in listed.stdout
    assert "2 146.70" in listed.stdout and "858.68" in listed.stdout  # figures never cut


def test_a_bad_file_exits_non_zero_naming_file_line_and_column(workdir: Path) -> None:
    path = SHOPIFY / "orders_bad_total.csv"
    result = evenhand("import", "shopify-orders", str(path), cwd=workdir)
    assert result.returncode == 4
    assert "orders_bad_total.csv, line 5, column 'Total'" in result.stderr.replace("\n", "")
    empty = evenhand("customers", "--json", cwd=workdir)
    assert json.loads(empty.stdout) == []


def test_skip_invalid_lists_the_rejected_orders(workdir: Path) -> None:
    result = evenhand(
        "import",
        "shopify-orders",
        str(SHOPIFY / "orders_bad_total.csv"),
        "--skip-invalid",
        cwd=workdir,
    )
    assert result.returncode == 0, result.stderr
    assert "rejected #1003 (line 5, Total)" in result.stdout


def test_the_database_comes_from_db_or_the_environment(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    assert evenhand("init", "--db", f"sqlite:///{other}", cwd=tmp_path).returncode == 0
    env = {"EVENHAND_DB": f"sqlite:///{other}", "PATH": "/usr/bin:/bin"}
    imported = evenhand("import", "disputes", str(SHOPIFY / "disputes.json"), cwd=tmp_path, env=env)
    assert imported.returncode == 0, imported.stderr
    assert "waits for its order" in imported.stdout
    assert not (tmp_path / "evenhand.sqlite3").exists()


def test_commands_on_a_missing_database_say_to_run_init(tmp_path: Path) -> None:
    result = evenhand("customers", cwd=tmp_path)
    assert result.returncode == 6 and "evenhand init" in result.stderr


def test_unknown_customer(workdir: Path) -> None:
    result = evenhand("customer", "nobody@example.se", cwd=workdir)
    assert result.returncode == 7 and "nobody@example.se" in result.stderr


def test_a_locked_database_fails_cleanly_and_changes_nothing(workdir: Path) -> None:
    # Given another process holding the write lock on the database
    holder = sqlite3.connect(workdir / "evenhand.sqlite3")
    holder.execute("BEGIN IMMEDIATE")
    env = {
        "PATH": "/usr/bin:/bin",
        "EVENHAND_DB": f"sqlite:///{workdir / 'evenhand.sqlite3'}?timeout=0.2",
    }
    try:
        result = evenhand(
            "import", "shopify-orders", str(SHOPIFY / "orders_export.csv"), cwd=workdir, env=env
        )
    finally:
        holder.rollback()
        holder.close()
    # Then the import says so, with the database exit code, and stores nothing
    assert result.returncode == 6, result.stderr
    assert "database is locked" in result.stderr and "Traceback" not in result.stderr
    listed = evenhand("customers", "--json", cwd=workdir)
    assert json.loads(listed.stdout) == []


def test_token_create_prints_a_working_token_on_its_last_line(workdir: Path) -> None:
    # given `evenhand token create`, when its last line is used as a bearer token
    created = evenhand("token", "create", "helpdesk-bridge", cwd=workdir)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    engine = make_engine(f"sqlite:///{workdir / 'evenhand.sqlite3'}")
    # then it is the token's only appearance: the database holds its hash, which verifies it
    assert token_owner(engine, token=token) == "helpdesk-bridge"
    with engine.connect() as connection:
        stored = connection.execute(select(api_tokens.c.token_sha256)).scalar_one()
    assert token not in stored and len(stored) == 64
    again = evenhand("token", "create", "helpdesk-bridge", cwd=workdir)
    assert again.returncode == 9 and "exists" in again.stderr
    engine.dispose()


@pytest.mark.parametrize("command", [["worker", "--once"], ["serve", "--port", "0"]])
def test_the_service_refuses_to_start_without_the_readers_build(
    workdir: Path, command: list[str]
) -> None:
    # given: a database, and a reader folder where nothing was built
    env = os.environ | {"EVENHAND_READER_FOLDER": str(workdir / "no-build")}
    # when: the worker or the service starts
    result = evenhand(*command, cwd=workdir, env=env)
    # then: it stops at once, naming the command that builds the reader
    assert result.returncode == 10, result.stderr
    assert "evenhand reader build" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.training
def test_triage_builds_a_missing_reader_saying_so_once(workdir: Path) -> None:
    # given: a shop and a reader folder where nothing was built
    env = os.environ | {"EVENHAND_READER_FOLDER": str(workdir / "models")}
    shop = SHOPIFY / "orders_for_triage.csv"
    assert evenhand("import", "shopify-orders", str(shop), cwd=workdir).returncode == 0
    tickets = FIXTURES / "tickets" / "tickets.jsonl"
    # when: tickets are triaged twice
    first = evenhand("triage", str(tickets), "--json", cwd=workdir, env=env)
    second = evenhand("triage", str(tickets), "--json", cwd=workdir, env=env)
    # then: the first run builds the models with one line said, the second only loads them
    assert "building the reader's models" in first.stderr
    assert "building" not in second.stderr
    decided = [
        [(d.get("intent"), d.get("remedy")) for d in map(json.loads, run.stdout.splitlines())]
        for run in (first, second)
    ]
    # (the broken vase comes from an address the shop has never seen: a person looks)
    assert decided[0] == decided[1] and ("damaged_item", "human_review") in decided[0]
    assert len(list((workdir / "models").glob("reader-*.npz"))) == 1


def _stored_counts(workdir: Path) -> tuple[int, int, int]:
    with sqlite3.connect(workdir / "evenhand.sqlite3") as database:
        return tuple(
            database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("decisions", "tickets", "guide_versions")
        )


def test_triage_with_another_guide_is_a_dry_run_and_stores_nothing(workdir: Path) -> None:
    # given: a shop, and a guide file that differs from the one in force (a lower VIP line)
    shop = SHOPIFY / "orders_for_triage.csv"
    assert evenhand("import", "shopify-orders", str(shop), cwd=workdir).returncode == 0
    default = Path(__file__).parents[1] / "src" / "evenhand" / "guides" / "default.yaml"
    trial = workdir / "trial.yaml"
    trial.write_text(
        default.read_text(encoding="utf-8")
        .replace("vip_threshold: 5000", "vip_threshold: 10")
        .replace("shop_name: Nordhem", "shop_name: Tygladan"),
        encoding="utf-8",
    )
    tickets = FIXTURES / "tickets" / "tickets.jsonl"
    before = _stored_counts(workdir)
    # when: tickets are triaged by that guide, and again by the guide in force with --dry-run
    trial_run = evenhand("triage", str(tickets), "--guide", str(trial), "--json", cwd=workdir)
    dry_run = evenhand("triage", str(tickets), "--dry-run", "--json", cwd=workdir)
    # then: both decide and show every ticket (the file's two broken lines named, exit 2),
    # say so, and leave the database as it was
    for run in (trial_run, dry_run):
        assert run.returncode == 2 and "could not be read" in run.stderr, run.stderr
        assert "dry run" in run.stderr and run.stdout.count("\n") >= 3
    # and: the default guide's replies are signed with the demo shop's name, which it says,
    # and the shop's own guide's with its own, which needs no word
    assert "Replies are signed 'Nordhem', the demo shop's name" in dry_run.stderr
    assert "set shop_name in it" in dry_run.stderr
    assert "Nordhem" not in trial_run.stderr and "Tygladan" in trial_run.stdout
    assert _stored_counts(workdir) == before
    # and: a plain run stores its decisions
    assert evenhand("triage", str(tickets), cwd=workdir).returncode == 2
    assert _stored_counts(workdir)[0] > before[0]
