"""Core benchmarks: loading and saving annotation files, loading large documents.

    .venv/bin/python bench/core_bench.py

Data is generated under bench/data/ (git-ignored) on first run, deterministically:
annotation files of 1,000, 10,000 and 100,000 annotations on a generated 1 MB document,
and documents of 100 KB, 1 MB and 5 MB built from the seed's paragraphs, shuffled, with
some emoji, CJK, combining marks (in NFD) and CRLF line ends mixed in.

Each figure is the median of 5 runs, timed with time.perf_counter.
  load = AnnotationStore.load with the document's text: read and index the Layer (what Session.open does)
  save = AnnotationStore.save of a snapshot of the Layer (what Session.save does)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


def timed_ms(action, runs: int = RUNS) -> tuple[float, float]:
    """(median, best) of `runs` timings in milliseconds; the best shows how noisy the machine is."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
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


def annotation_file(document: Document, count: int) -> Path:
    path = DATA / f"annotations-{count}.json"
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


def main() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    base = Document.load(document_path("1 MB", 1_000_000))
    rows: list[tuple[str, str, float, float, str, str]] = []
    for count in ANNOTATION_COUNTS:
        path = annotation_file(base, count)
        store = AnnotationStore(path)
        layer = load_layer(store, base.text)
        assert len(layer) == count
        load, load_best = timed_ms(lambda store=store: load_layer(store, base.text))
        out = AnnotationStore(DATA / f"saved-{count}.json")
        meta = meta_for(base)
        save, save_best = timed_ms(lambda out=out, layer=layer, meta=meta: out.save(layer.snapshot(), meta))
        size = f"{path.stat().st_size / 1e6:.1f} MB file"
        rows.append((f"load {count:,} annotations", size, load, load_best, *verdict("load", count, load)))
        rows.append((f"save {count:,} annotations", size, save, save_best, *verdict("save", count, save)))
    for label, size in DOCUMENT_SIZES:
        path = document_path(label, size)
        loaded, best = timed_ms(lambda path=path: Document.load(path))
        chars = len(Document.load(path).text)
        rows.append((f"load {label} document", f"{chars:,} chars", loaded, best, "", ""))

    width = max(len(r[0]) for r in rows)
    print(f"hedgerow core benchmarks (median of {RUNS} runs, Python {sys.version.split()[0]})")
    print(f"{'what':<{width}}  {'data':>17}  {'median':>10}  {'best':>10}  {'target':>8}  result")
    for what, data, value, best, target, result in rows:
        print(f"{what:<{width}}  {data:>17}  {value:>7.1f} ms  {best:>7.1f} ms  {target:>8}  {result}")
    missed = [r for r in rows if r[5] == "MISS"]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
