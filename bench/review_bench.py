"""Review benchmark: building the review's candidates from three layers of 34,000 random spans each.

    .venv/bin/python bench/review_bench.py

Printed beside a reference in the same run: sorting the same 102,000 spans by (start, end, tag),
the least any grouping of them must do. Target: candidates in <= 5 s (the review opens on them).
Each figure is the median of 3 runs.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # random_layers, shared with the tests

from random_layers import random_layers

from tui.core.review import build_candidates

RUNS = 3
TARGET_S = 5.0


def median_seconds(action) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    layers = random_layers(random.Random(7), 3, 34_000, 2_000_000)
    spans = [a for items in layers.values() for a in items]
    reference = median_seconds(lambda: sorted(spans, key=lambda a: (a.start, a.end, a.tag)))
    candidates = median_seconds(lambda: build_candidates(layers))
    print(f"review candidates, {len(spans):,} spans in 3 layers (median of {RUNS})")
    print(f"  sort the spans (reference)   {reference * 1000:8.0f} ms")
    print(f"  build_candidates             {candidates * 1000:8.0f} ms   target <= {TARGET_S:.0f} s: "
          f"{'met' if candidates <= TARGET_S else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
