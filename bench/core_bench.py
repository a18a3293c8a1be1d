"""Core benchmarks: loading and saving annotation files, loading large documents.

    .venv/bin/python bench/core_bench.py
    .venv/bin/python bench/core_bench.py --reference main      # side by side with another commit
    .venv/bin/python bench/core_bench.py --reference HEAD~3 --counts 10000 --rounds 3

With --reference, that commit's `tui/` is unpacked into bench/data/ (git archive) and both
trees are measured in turn, in fresh processes, `--rounds` times (ours and theirs
alternating, so a busy machine slows both alike); each figure is the best of the rounds'
medians. Each tree writes its own annotation files (the layouts may differ).

Data is generated under bench/data/ (git-ignored) on first run, deterministically:
annotation files of 1,000, 10,000 and 100,000 annotations on a generated 1 MB document,
and documents of 100 KB, 1 MB and 5 MB built from the seed's paragraphs, shuffled, with
some emoji, CJK, combining marks (in NFD) and CRLF line ends mixed in.

Each figure is the median of 5 runs, timed with time.perf_counter.
  load = AnnotationStore.load with the document's text: read and index the Layer (what Session.open does)
  save = AnnotationStore.save of a snapshot of the Layer (what Session.save does)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = Path(os.environ.get("HEDGEROW_BENCH_CODE", ROOT))  # the tree whose tui/ is measured
sys.path.insert(0, str(CODE))

from tui.core.annotation import Annotation  # noqa: E402
from tui.core.document import Document  # noqa: E402
from tui.core.layer import Layer  # noqa: E402
from tui.core.store import AnnotationStore  # noqa: E402
from tui.core.tags import DEFAULT_TAGS  # noqa: E402

DATA = ROOT / "bench" / "data"
SEED = ROOT / "seeds" / "kazakhstan-nato-partnership-edm-2005.txt"
RUNS = 5
ANNOTATION_COUNTS = (1_000, 10_000, 100_000)
DOCUMENT_SIZES = (("100 KB", 100_000), ("1 MB", 1_000_000), ("5 MB", 5_000_000))
TARGETS_MS = {("save", 10_000): 100.0, ("load", 10_000): 100.0}
EXTRAS = ["👍🏽", "🇰🇿", "👨\u200d👩\u200d👧", "哈萨克斯坦", "北约", "Cafe\u0301", "x\u0301", "हिन्दी", "naïve",
          "“quoted”"]


CLOCK = time.perf_counter  # --cpu: time.process_time, this process's CPU time (a busy machine inflates wall time)


def timed_ms(action, runs: int = RUNS) -> tuple[float, float]:
    """(median, best) of `runs` timings in milliseconds; the best shows how noisy the machine is."""
    times = []
    for _ in range(runs):
        start = CLOCK()
        action()
        times.append((CLOCK() - start) * 1000)
    return statistics.median(times), min(times)


def make_document_text(size: int, rng: random.Random) -> str:
    """Shuffled seed paragraphs with unicode mixed in, until `size` UTF-8 bytes; CRLF line ends."""
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    parts: list[str] = []
    total = 0
    while total < size:
        paragraph = rng.choice(paragraphs)
        words = paragraph.split(" ")
        for _ in range(3):
            words.insert(rng.randrange(len(words) + 1), rng.choice(EXTRAS))
        chunk = " ".join(words) + "\r\n\r\n"
        parts.append(chunk)
        total += len(chunk.encode("utf-8"))
    return "".join(parts)[:size]


def document_path(label: str, size: int) -> Path:
    path = DATA / f"document-{label.replace(' ', '').lower()}.txt"
    if not path.exists() or path.stat().st_size < size * 0.99:
        data = make_document_text(size, random.Random(size)).encode("utf-8")
        path.write_bytes(data[:size].decode("utf-8", errors="ignore").encode("utf-8"))
    return path


def make_annotations(document: Document, count: int, rng: random.Random) -> list[Annotation]:
    text = document.text
    tags = [t.name for t in DEFAULT_TAGS]
    annotations = []
    for n in range(count):
        start = rng.randrange(len(text) - 200)
        end = start + rng.randint(1, 120)
        note = f"note {n}: arguably “unclear”" if rng.random() < 0.2 else ""
        annotations.append(Annotation.create(text, start, end, rng.choice(tags), document=document.sha256,
                                             annotator="bench", note=note))
    return annotations


def meta_for(document: Document) -> dict:
    return {"annotator": "bench", "document": {"sha256": document.sha256, "path": document.path.name,
                                              "title": document.title, "length": len(document.text)}}


def annotation_file(document: Document, count: int, fresh: bool = False) -> Path:
    """The file of `count` annotations; `fresh`: written now by this tree (deleted by the caller)."""
    path = DATA / (f"annotations-{count}-{os.getpid()}.json" if fresh else f"annotations-{count}.json")
    if not path.exists():
        AnnotationStore(path).save(make_annotations(document, count, random.Random(count)), meta_for(document))
    return path


def load_layer(store: AnnotationStore, text: str) -> Layer:
    return store.load(text).layer


def verdict(kind: str, count: int, value: float) -> tuple[str, str]:
    target = TARGETS_MS.get((kind, count))
    if target is None:
        return "", ""
    return f"≤ {target:.0f} ms", "PASS" if value <= target else "MISS"


def measure(counts: tuple[int, ...], documents: bool, fresh: bool = False) -> list[tuple[str, str, float, float]]:
    """(what, data, median ms, best ms) for this process's tree; `fresh`: files written by it."""
    DATA.mkdir(parents=True, exist_ok=True)
    base = Document.load(document_path("1 MB", 1_000_000))
    rows: list[tuple[str, str, float, float]] = []
    for count in counts:
        path = annotation_file(base, count, fresh)
        store = AnnotationStore(path)
        layer = load_layer(store, base.text)
        assert len(layer) == count
        load, load_best = timed_ms(lambda store=store: load_layer(store, base.text))
        out = AnnotationStore(DATA / f"saved-{count}-{os.getpid()}.json")
        meta = meta_for(base)
        save, save_best = timed_ms(lambda out=out, layer=layer, meta=meta: out.save(layer.snapshot(), meta))
        out.path.unlink()
        size = f"{path.stat().st_size / 1e6:.1f} MB file"
        if fresh:
            path.unlink()
        rows.append((f"load {count:,} annotations", size, load, load_best))
        rows.append((f"save {count:,} annotations", size, save, save_best))
    if documents:
        for label, size in DOCUMENT_SIZES:
            doc_path = document_path(label, size)
            loaded, best = timed_ms(lambda doc_path=doc_path: Document.load(doc_path))
            chars = len(Document.load(doc_path).text)
            rows.append((f"load {label} document", f"{chars:,} chars", loaded, best))
    return rows


def reference_tree(revision: str) -> Path:
    """`revision`'s tui/ unpacked under bench/data/, made once per commit."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    tree = DATA / f"reference-{commit[:12]}"
    if not (tree / "tui").is_dir():
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit, "tui"],
                                 capture_output=True, check=True).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
    return tree


def side_by_side(revision: str, counts: tuple[int, ...], rounds: int, cpu: bool = False) -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    trees = {f"reference ({revision})": reference_tree(revision), "this tree": ROOT}
    best: dict[str, dict[str, tuple[str, float]]] = {label: {} for label in trees}
    for _ in range(rounds):
        for label, tree in trees.items():
            result = subprocess.run(
                [sys.executable, __file__, "--measure", "--counts", ",".join(map(str, counts)), *["--cpu"] * cpu],
                env={**os.environ, "HEDGEROW_BENCH_CODE": str(tree)}, capture_output=True, text=True, check=True)
            for what, data, median, _best in json.loads(result.stdout):
                previous = best[label].get(what)
                if previous is None or median < previous[1]:
                    best[label][what] = (data, median)
    ours, theirs = best["this tree"], best[f"reference ({revision})"]
    width = max(len(what) for what in ours)
    print(f"hedgerow core benchmarks: best of {rounds} rounds' medians of {RUNS} runs, alternating trees, "
          f"{'CPU' if cpu else 'wall'} time, Python {sys.version.split()[0]}")
    print(f"{'what':<{width}}  {'reference':>12}  {'this tree':>12}  {'ratio':>6}  {'target':>8}  result")
    missed = False
    for what, (_data, value) in ours.items():
        reference = theirs.get(what, ("", float("nan")))[1]
        kind, count = what.split()[0], int(what.split()[1].replace(",", "")) if "annotations" in what else 0
        target, result = verdict(kind, count, value)
        missed |= result == "MISS"
        print(f"{what:<{width}}  {reference:>9.1f} ms  {value:>9.1f} ms  {value / reference:>5.2f}×  "
              f"{target:>8}  {result}")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", metavar="REV", help="measure this git commit's tui/ too, side by side")
    parser.add_argument("--counts", default=",".join(map(str, ANNOTATION_COUNTS)),
                        help="annotation counts to load and save (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=2, help="with --reference: rounds of both trees")
    parser.add_argument("--cpu", action="store_true",
                        help="time CPU used (time.process_time) rather than wall time: for a shared, busy machine")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # one tree, JSON out
    args = parser.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    counts = tuple(int(c) for c in args.counts.split(","))
    if args.measure:
        print(json.dumps(measure(counts, documents=False, fresh=True)))
        return 0
    if args.reference:
        return side_by_side(args.reference, counts, args.rounds, args.cpu)
    return report(counts)


def report(counts: tuple[int, ...]) -> int:
    rows = [(what, data, value, best, *verdict(what.split()[0], int(what.split()[1].replace(",", "")), value))
            if "annotations" in what else (what, data, value, best, "", "")
            for what, data, value, best in measure(counts, documents=True)]
    width = max(len(r[0]) for r in rows)
    print(f"hedgerow core benchmarks (median of {RUNS} runs, Python {sys.version.split()[0]})")
    print(f"{'what':<{width}}  {'data':>17}  {'median':>10}  {'best':>10}  {'target':>8}  result")
    for what, data, value, best, target, result in rows:
        print(f"{what:<{width}}  {data:>17}  {value:>7.1f} ms  {best:>7.1f} ms  {target:>8}  {result}")
    missed = [r for r in rows if r[5] == "MISS"]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
