"""The HTML report's speed and memory, beside the JSON export of the same data as a reference.

    .venv/bin/python bench/report_bench.py      (or: make report-bench)

Data is generated under bench/data/ (git-ignored) on first run, deterministically, with
bench/make_data.py's generators: a corpus of 200 documents of ~20 KB (the seed's paragraphs
shuffled, with emoji, CJK and combining marks mixed in) in 10 subfolders, each with one layer of
50 annotations (a fifth with notes); and one 5 MB document with 20,000 annotations.

Each case runs in its own process, so its peak RSS is its own (VmHWM from /proc/self/status:
Linux carries ru_maxrss over an exec, so a child would report the parent's); "before" is the peak
once Python and hedgerow are imported, so peak - before is what the work itself took. Times are
the median of RUNS runs (the whole command: finding, reading, writing, fsync). Targets (issue 14):
a corpus report of 200 documents in <= 5 s, with memory flat in the number of documents -- the
20-document report is there to show it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DATA = ROOT / "bench" / "data"
CORPUS = DATA / "report-corpus"
BIG = DATA / "report-5mb"
ANNOTATOR = "bench"
DOCUMENTS, FOLDERS, DOCUMENT_SIZE, PER_DOCUMENT = 200, 10, 20_000, 50
BIG_SIZE, BIG_COUNT = 5_000_000, 20_000
RUNS = 3
TARGET_SECONDS = 5.0
GENERATOR_VERSION = "1"


def _write_layer(document_path: Path, project: Path, count: int, rng: random.Random) -> None:
    from make_data import make_annotations

    from tui.core.document import Document
    from tui.core.paths import layer_path
    from tui.core.store import AnnotationStore

    document = Document.load(document_path)
    annotations = make_annotations(document, count, rng, after=0)
    meta = {"annotator": ANNOTATOR,
            "document": {"sha256": document.sha256, "path": document.path.relative_to(project.resolve()).as_posix(),
                         "title": document.title, "length": len(document.text)}}
    AnnotationStore(layer_path(document.path, ANNOTATOR)).save(annotations, meta)


def ensure_data() -> None:
    from make_data import codebook, document_text

    stamp = DATA / ".report-generator"
    wanted = f"{GENERATOR_VERSION} {DOCUMENTS} {DOCUMENT_SIZE} {PER_DOCUMENT} {BIG_SIZE} {BIG_COUNT}\n"
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    print("generating the report bench's data under bench/data/ ...", file=sys.stderr)
    for project in (CORPUS, BIG):
        project.mkdir(parents=True, exist_ok=True)
        (project / "hedgerow.toml").write_text(codebook(), encoding="utf-8")
    rng = random.Random(14)
    for n in range(DOCUMENTS):
        path = CORPUS / "docs" / f"2005-{n % FOLDERS + 1:02d}" / f"edm-{n:03d}.txt"  # stems unique
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document_text(DOCUMENT_SIZE, rng), encoding="utf-8")
        _write_layer(path, CORPUS, PER_DOCUMENT, rng)
    big = BIG / "edm-5mb.txt"
    big.write_text(document_text(BIG_SIZE, rng), encoding="utf-8")
    _write_layer(big, BIG, BIG_COUNT, rng)
    stamp.write_text(wanted)


# -- the cases, each run in a child process -----------------------------------------------------

def corpus_documents(limit: int) -> list[Path]:
    from tui.core.report_sources import find_documents

    return list(find_documents(CORPUS / "docs"))[:limit]


def case_report_corpus(limit: int, out: Path) -> None:
    from tui.cli import main

    folder = CORPUS / "docs"
    if limit < DOCUMENTS:  # a smaller corpus: a folder of links to the first documents
        folder = DATA / f"report-corpus-{limit}"
        if not folder.is_dir():
            folder.mkdir()
            for path in corpus_documents(limit):
                (folder / path.name).symlink_to(path)
    assert main(["report", "--corpus", str(folder), "--annotator", ANNOTATOR, "-o", str(out)]) == 0


def case_json_corpus(limit: int, out: Path) -> None:
    """The reference: every document's JSON export, one after another, into one file (streamed)."""
    from tui.core.atomic import atomic_write_chunks
    from tui.core.export import pieces
    from tui.core.session import Session, SessionOptions

    def chunks():
        for path in corpus_documents(limit):
            session = Session.open(path, SessionOptions(annotator=ANNOTATOR))
            yield from (piece.encode("utf-8") for piece in pieces("json", session.document, session.layer))

    atomic_write_chunks(out, chunks())


def case_report_big(out: Path) -> None:
    from tui.cli import main

    assert main(["report", str(BIG / "edm-5mb.txt"), "--annotator", ANNOTATOR, "-o", str(out)]) == 0


def case_json_big(out: Path) -> None:
    from tui.cli import main

    assert main(["export", str(BIG / "edm-5mb.txt"), "--annotator", ANNOTATOR, "-o", str(out)]) == 0


CASES = {
    "report-200": lambda out: case_report_corpus(200, out),
    "json-200": lambda out: case_json_corpus(200, out),
    "report-20": lambda out: case_report_corpus(20, out),
    "json-20": lambda out: case_json_corpus(20, out),
    "report-5mb": case_report_big,
    "json-5mb": case_json_big,
}


def peak_rss_kib() -> int:
    """This process's peak resident set size (Linux's VmHWM), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_case(name: str) -> None:
    import contextlib
    import io

    import tui.cli
    import tui.core.export
    import tui.core.report  # noqa: F401

    before = peak_rss_kib()
    out = DATA / f"out-{name}"
    started, cpu_started = time.perf_counter(), time.process_time()
    with contextlib.redirect_stderr(io.StringIO()):
        CASES[name](out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = peak_rss_kib()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "before_kib": before, "peak_kib": peak,
                      "bytes": out.stat().st_size}))
    out.unlink()


def measure(name: str) -> dict:
    runs = []
    for _ in range(RUNS):
        result = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True, text=True, check=True)
        runs.append(json.loads(result.stdout))
    return {"seconds": statistics.median(r["seconds"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs),
            "before": max(r["before_kib"] for r in runs) / 1024, "peak": max(r["peak_kib"] for r in runs) / 1024,
            "bytes": runs[0]["bytes"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args.case)
        return
    ensure_data()
    print(f"{'case':<44}{'time':>8}{'CPU':>8}{'RSS before':>13}{'peak':>11}{'work':>11}{'output':>9}")
    rows = [("corpus, 20 documents", "20"), ("corpus, 200 documents", "200"), ("5 MB document, 20,000 ann.", "5mb")]
    figures = {}
    for label, key in rows:
        for kind in ("report", "json"):
            f = figures[kind, key] = measure(f"{kind}-{key}")
            name = f"{label}: {'HTML report' if kind == 'report' else 'JSON export (ref.)'}"
            print(f"{name:<44}{f['seconds']:>7.2f}s{f['cpu']:>7.2f}s{f['before']:>9.1f} MiB{f['peak']:>7.1f} MiB"
                  f"{f['peak'] - f['before']:>7.1f} MiB{f['bytes'] / 1e6:>6.1f} MB")
    corpus = figures["report", "200"]
    growth = (corpus["peak"] - corpus["before"]) - (figures["report", "20"]["peak"] - figures["report", "20"]["before"])
    if corpus["seconds"] <= TARGET_SECONDS:
        verdict = "ok"
    elif corpus["cpu"] <= TARGET_SECONDS:
        verdict = "over in wall-clock time on this loaded machine; its CPU time is within"
    else:
        verdict = "MISSED"
    print(f"\nload average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"(time is wall-clock; CPU is the process's own, which other processes barely change)")
    print(f"target: a corpus report of {DOCUMENTS} documents in <= {TARGET_SECONDS:.0f} s: "
          f"{corpus['seconds']:.2f} s wall, {corpus['cpu']:.2f} s CPU ({verdict}); "
          f"memory for 10x the documents: {growth:+.1f} MiB")


if __name__ == "__main__":
    main()
