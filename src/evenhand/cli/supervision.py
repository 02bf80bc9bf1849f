"""`evenhand serve` keeps its inbox worker running: a child process, started again with a
growing pause whenever it dies; and the worker's side of it, which ends the worker when its
parent is gone (a `serve` killed with SIGKILL leaves no orphan working for long)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable

FIRST_PAUSE_SECONDS = 1.0  # before the first restart; doubled for each quick death after
LONGEST_PAUSE_SECONDS = 60.0
STEADY_SECONDS = 60.0  # a worker that ran this long died of something new: pause afresh
STOP_WAIT_SECONDS = 30.0
PARENT_POLL_SECONDS = 0.5
ORPHAN_GRACE_SECONDS = 10.0  # an orphaned worker finishes its batch, or is ended after this


class Supervisor:
    """Runs `start()`'s process, and starts it again after each death, until `stop()`."""

    def __init__(self, start: Callable[[], subprocess.Popen[bytes]]) -> None:
        self._start = start
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)
        self.restarts = 0

    def begin(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        pause = FIRST_PAUSE_SECONDS
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                self._child = child = self._start()
            started = time.monotonic()
            code = child.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > STEADY_SECONDS:
                pause = FIRST_PAUSE_SECONDS
            print(
                f"serve: the inbox worker exited (code {code}); starting it again in {pause:g} s",
                file=sys.stderr,
            )
            self._stopping.wait(pause)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
            self.restarts += 1

    def stop(self) -> None:
        """No more restarts; the worker asked to stop (SIGTERM), and waited for."""
        with self._lock:
            self._stopping.set()
            child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def exit_with_parent(parent_pid: int, stop: Callable[[], None]) -> None:
    """In the worker: once its parent `parent_pid` is gone, `stop()` (the batch in hand is
    finished), and end the process if it has not ended `ORPHAN_GRACE_SECONDS` later."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_SECONDS)
        print("worker: the service that started it is gone; stopping", file=sys.stderr)
        stop()
        time.sleep(ORPHAN_GRACE_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
