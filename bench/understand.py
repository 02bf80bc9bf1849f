"""Reading speed of the embedded reader on one CPU core.

Prints p50 and p99 latency per message and the throughput, over the corpus's messages and
the validation splits' (outside-style mail, longer and more varied), each read alone, and
how often the e5 stage was asked; the yardstick is timed in the same run. Target: p50 <= 5
ms, p99 <= 100 ms.

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python bench/understand.py [--rounds 1] [--every 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from evenhand.actions.reader import load_reader
from evenhand.settings import Settings
from evenhand.understand.corpus import load_corpus
from evenhand.understand.evaluation import validation_examples, validation_splits
from evenhand.understand.model import Message
from yardstick import print_yardstick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--every", type=int, default=4, help="Read every Nth corpus message.")
    args = parser.parse_args()
    print_yardstick()
    started = time.perf_counter()
    reader = load_reader(Settings(), announce=print)
    reader.read(Message(body="warm up"))
    print(f"training and loading: {time.perf_counter() - started:.2f} s")
    corpus = [Message(body=e.body, subject=e.subject) for e in load_corpus()[:: args.every]]
    outside = [
        Message(body=e.body) for name in validation_splits() for e in validation_examples(name)
    ]
    for name, messages in (("corpus", corpus), ("validation", outside)):
        timings, asked = [], 0
        for _ in range(args.rounds):
            for message in messages:
                begun = time.perf_counter()
                reading = reader.read(message)
                timings.append((time.perf_counter() - begun) * 1000)
                asked += reading.intent_source == "cascade-e5"
        timings.sort()
        p99 = timings[min(len(timings) - 1, int(0.99 * len(timings)))]
        print(
            f"{name}: {len(timings):,} readings: p50 {statistics.median(timings):.2f} ms, "
            f"p99 {p99:.2f} ms, {len(timings) / (sum(timings) / 1000):,.0f} messages/s, "
            f"read by the e5 blend {100 * asked / len(timings):.0f} % "
            "(target p50 <= 5 ms, p99 <= 100 ms)"
        )


if __name__ == "__main__":
    main()
