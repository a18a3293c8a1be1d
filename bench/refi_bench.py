"""REFI-QDA benchmarks: qdpx export and import beside the W3C export and import, in one run.

    .venv/bin/python bench/refi_bench.py [COUNT ...]

Uses core_bench's generated data (bench/data/, git-ignored): a 1 MB document with emoji, CJK,
combining marks in NFD and CRLF line ends, and layers of 10,000 and 100,000 annotations (20%
with notes). Times are the median of 3 runs (time.perf_counter); peaks are tracemalloc's peak
of Python allocations during one more run, so they count what the step itself holds.
  export = the CLI's path: the chunks written to a file through atomic_write_chunks
  import = read the file and plan the import into an empty layer (what `hedgerow import` does
           before it saves)
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from core_bench import DATA, annotation_file, document_path  # noqa: E402

from tui.core.atomic import atomic_write_chunks  # noqa: E402
from tui.core.document import Document  # noqa: E402
from tui.core.export import pieces  # noqa: E402
from tui.core.importer import parse_export, plan_import  # noqa: E402
from tui.core.layer import Layer  # noqa: E402
from tui.core.refi_qda_import import annotations_from_project  # noqa: E402
from tui.core.refi_qda_read import read_qdpx  # noqa: E402
from tui.core.refi_qda_write import qdpx_chunks  # noqa: E402
from tui.core.store import AnnotationStore  # noqa: E402
from tui.core.tags import TagSet  # noqa: E402

RUNS = 3
COUNTS = (10_000, 100_000)


def measure(action: Callable[[], object]) -> tuple[float, float]:
    """(median ms over RUNS, tracemalloc peak MiB of one more run)."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / (1024 * 1024)


def main() -> int:
    counts = tuple(int(c) for c in sys.argv[1:]) or COUNTS
    DATA.mkdir(parents=True, exist_ok=True)
    document = Document.load(document_path("1 MB", 1_000_000))
    tags = TagSet()
    rows = []
    for count in counts:
        layer = AnnotationStore(annotation_file(document, count)).load(document.text).layer
        w3c, qdpx = DATA / f"refi-{count}.jsonld", DATA / f"refi-{count}.qdpx"

        def export_w3c(w3c: Path = w3c, layer: Layer = layer) -> None:
            atomic_write_chunks(w3c, (p.encode("utf-8") for p in pieces("w3c", document, layer)))

        def export_qdpx(qdpx: Path = qdpx, layer: Layer = layer) -> None:
            atomic_write_chunks(qdpx, qdpx_chunks(document, [("bench", layer)], tags))

        def import_w3c(w3c: Path = w3c, count: int = count) -> None:
            found = parse_export(w3c.read_text(encoding="utf-8"), str(w3c))
            assert len(plan_import(document, (), found).new) == count

        def import_qdpx(qdpx: Path = qdpx, count: int = count) -> None:
            found = annotations_from_project(read_qdpx(qdpx), document, tags, "bench", str(qdpx))
            assert len(plan_import(document, (), found.annotations).new) == count

        for what, reference, subject, path_of in (("export", export_w3c, export_qdpx, (w3c, qdpx)),
                                                  ("import", import_w3c, import_qdpx, (w3c, qdpx))):
            ref_ms, ref_peak = measure(reference)
            ms, peak = measure(subject)
            sizes = f"{path_of[0].stat().st_size / 1e6:.1f} / {path_of[1].stat().st_size / 1e6:.1f} MB"
            rows.append((f"{what} {count:,}", sizes, ref_ms, ref_peak, ms, peak))
    print(f"hedgerow REFI-QDA benchmarks (median of {RUNS} runs; peak = tracemalloc, Python {sys.version.split()[0]})")
    print(f"{'what':<16} {'w3c / qdpx file':>18}  {'w3c ms':>9} {'w3c peak':>9}  {'qdpx ms':>9} {'qdpx peak':>9}")
    for what, sizes, ref_ms, ref_peak, ms, peak in rows:
        print(f"{what:<16} {sizes:>18}  {ref_ms:>9.0f} {ref_peak:>5.1f} MiB  {ms:>9.0f} {peak:>5.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
