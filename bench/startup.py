"""How long a user waits for a command to answer, beside yardsticks timed in the same run.

Each figure is the median (and min) of several whole-process runs, wall and CPU seconds
(the CPU of the process and its children, from the kernel's accounting). Yardsticks:
`python -c pass`, `python -c "import typer"` (the CLI's own floor) and `sum(range(10**8))`
in a fresh interpreter, so machines of different speed compare.

Targets (issue 19, on the project's machine): --help <= 0.5 s; customer --json <= 1 s;
triage of one ticket <= 2 s wall, <= 1.5 s CPU; serve, start to the first decided ticket
over HTTP, <= 3 s.

    .venv/bin/python bench/startup.py [--runs 5]

Needs the reader's build (`evenhand reader build`); makes its own demo shop in a scratch
folder first (about half a minute, not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

PYTHON = sys.executable
EVENHAND = [PYTHON, "-m", "evenhand"]


def timed(command: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of the command (CPU of it and what it started)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def report(name: str, runs: list[tuple[float, float]], target: str = "") -> None:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    print(
        f"{name:<46} wall {statistics.median(walls):6.2f} s (min {min(walls):5.2f})"
        f"  cpu {statistics.median(cpus):6.2f} s  {target}"
    )


def repeat(runs: int, once: Callable[[], tuple[float, float]]) -> list[tuple[float, float]]:
    once()  # warm the page cache
    return [once() for _ in range(runs)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_until_first_decision(
    folder: Path, env: dict[str, str], token: str
) -> tuple[float, float]:
    """From starting `evenhand serve` to the answer of its first POST /api/tickets."""
    port = free_port()
    ticket = {
        "id": f"bench-{port}",
        "created_at": "2026-11-20T10:00:00Z",
        "channel": "email",
        "customer_email": "someone@example.se",
        "body": "Hej! Muggen kom trasig, handtaget har gått av. Ordernummer #10417.",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    server = subprocess.Popen(
        [*EVENHAND, "serve", "--port", str(port), "--no-worker"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while True:
                try:
                    answer = client.post(
                        "/api/tickets", json=ticket, headers={"Authorization": f"Bearer {token}"}
                    )
                    break
                except httpx.TransportError:
                    time.sleep(0.02)
        wall = time.perf_counter() - started
        answer.raise_for_status()
    finally:
        server.terminate()
        server.wait(timeout=30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evenhand-startup-") as scratch:
        run(Path(scratch), runs=args.runs)


def run(folder: Path, *, runs: int) -> None:
    env = os.environ | {"EVENHAND_DB": f"sqlite:///{folder / 'evenhand.sqlite3'}"}
    setup = subprocess.run(
        [*EVENHAND, "demo", "--folder", str(folder / "demo")],
        cwd=folder,
        env=env,
        check=False,
        capture_output=True,
    )
    if setup.returncode:
        raise SystemExit(setup.stderr.decode())
    customer = json.loads(
        subprocess.run(
            [*EVENHAND, "customers", "--top", "1", "--json"],
            cwd=folder,
            env=env,
            capture_output=True,
            check=True,
        ).stdout
    )[0]["email"]
    one = folder / "one-ticket.jsonl"
    ticket = (folder / "demo" / "tickets.jsonl").read_text(encoding="utf-8").splitlines()[0]
    token = subprocess.run(
        [*EVENHAND, "token", "create", "bench"],
        cwd=folder,
        env=env,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split()[-1]

    def command(*args: str) -> Callable[[], tuple[float, float]]:
        return lambda: timed(list(args), cwd=folder, env=env)

    print(f"{runs} runs each after a warm-up; median wall and CPU seconds")
    report("yardstick: python -c pass", repeat(runs, command(PYTHON, "-c", "pass")))
    report(
        "yardstick: python -c 'import typer'", repeat(runs, command(PYTHON, "-c", "import typer"))
    )
    report(
        "yardstick: python -c 'sum(range(10**8))'",
        repeat(runs, command(PYTHON, "-c", "sum(range(10**8))")),
    )
    report("evenhand --help", repeat(runs, command(*EVENHAND, "--help")), "target <= 0.5 s")
    report(
        "evenhand customer EMAIL --json",
        repeat(runs, command(*EVENHAND, "customer", customer, "--json")),
        "target <= 1 s",
    )
    counter = iter(range(10_000))

    def triage_one() -> tuple[float, float]:
        record = json.loads(ticket)
        record["id"] = f"{record['id']}-bench-{next(counter)}"  # a new ticket each run
        one.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        return timed([*EVENHAND, "triage", str(one), "--json"], cwd=folder, env=env)

    report(
        "evenhand triage one-ticket.jsonl --json",
        repeat(runs, triage_one),
        "target <= 2 s wall, <= 1.5 s cpu",
    )
    report(
        "evenhand serve: start to first decided ticket",
        repeat(runs, lambda: serve_until_first_decision(folder, env, token)),
        "target <= 3 s",
    )


if __name__ == "__main__":
    main()
