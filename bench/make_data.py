"""Generated data for the TUI benchmarks: a project with a large document and a large annotation file.

    .venv/bin/python bench/make_data.py [--quick]

Makes, deterministically and only when missing (or when the generator's version changed):

    bench/data/tui-<label>/hedgerow.toml                 the default codebook; marks the project root
    bench/data/tui-<label>/edm-<label>.txt               the document
    bench/data/tui-<label>/annotations/edm-<label>/bench.json   annotator "bench"'s annotations

The document is the seed's paragraphs shuffled and repeated, with a little unicode mixed in
(emoji with skin tone, a flag, a ZWJ family, CJK, a combining accent, Devanagari, curly quotes),
LF line ends, up to the size in UTF-8 bytes. It starts with the seed's title line, then one
line that appears nowhere else, MARKER, so a timer can tell that the text is on screen (the
title is also shown in the side panel; MARKER is not, and no annotation covers it).

The annotations are written through the core, `AnnotationStore(path).save(annotations, meta)`,
with the meta `Session.meta()` would write, so the document hash matches and nothing is flagged.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after anything on PYTHONPATH (tui_bench --snapshot puts a frozen copy there)
# hedgerow itself is imported inside the functions, so importing this module loads none of it.

DATA = ROOT / "bench" / "data"
SEED = ROOT / "seeds" / "kazakhstan-nato-partnership-edm-2005.txt"
ANNOTATOR = "bench"
MARKER = "benchmark copy: shuffled paragraphs"
GENERATOR_VERSION = "1"
EXTRAS = ["👍🏽", "🇰🇿", "👨\u200d👩\u200d👧", "哈萨克斯坦", "北约", "Cafe\u0301", "naïve", "हिन्दी", "“quoted”",
          "Ürümqi"]


@dataclass(frozen=True)
class Dataset:
    label: str
    size: int  # document bytes
    count: int  # annotations

    @property
    def project(self) -> Path:
        return DATA / f"tui-{self.label}"

    @property
    def document(self) -> Path:
        return self.project / f"edm-{self.label}.txt"

    @property
    def annotations(self) -> Path:
        return self.project / "annotations" / self.document.stem / f"{ANNOTATOR}.json"


FULL = Dataset("5mb", 5_000_000, 100_000)
QUICK = Dataset("1mb", 1_000_000, 20_000)


def document_text(size: int, rng: random.Random) -> str:
    seed = SEED.read_text(encoding="utf-8").replace("\r\n", "\n")
    title, _, body = seed.partition("\n")
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    head = f"{title}\n\nEurasia Daily Monitor, {MARKER} (hedgerow bench)\n\n"
    parts, total = [head], len(head.encode("utf-8"))
    while total < size:
        words = rng.choice(paragraphs).split(" ")
        for _ in range(rng.randint(0, 3)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(EXTRAS))
        chunk = " ".join(words) + "\n\n"
        parts.append(chunk)
        total += len(chunk.encode("utf-8"))
    data = "".join(parts).encode("utf-8")[:size]
    return data.decode("utf-8", errors="ignore")


def make_annotations(document, count: int, rng: random.Random, after: int) -> list:
    from tui.core.annotation import Annotation
    from tui.core.segment import clamp_to_grapheme
    from tui.core.tags import DEFAULT_TAGS

    text = document.text
    tags = [t.name for t in DEFAULT_TAGS]
    annotations = []
    while len(annotations) < count:
        start = clamp_to_grapheme(text, rng.randrange(after, len(text) - 200))
        end = clamp_to_grapheme(text, start + rng.randint(2, 120))
        if end <= start or not text[start:end].strip():
            continue
        note = f"note {len(annotations)}: arguably “unclear”" if rng.random() < 0.2 else ""
        annotations.append(Annotation.create(text, start, end, rng.choice(tags), document=document.sha256,
                                             annotator=ANNOTATOR, note=note))
    return annotations


def meta_for(document, project: Path) -> dict:
    """What Session.meta() writes."""
    return {"annotator": ANNOTATOR,
            "document": {"sha256": document.sha256, "path": document.path.relative_to(project).as_posix(),
                         "title": document.title, "length": len(document.text)}}


def codebook() -> str:
    from tui.core.tags import DEFAULT_TAGS

    out = []
    for tag in DEFAULT_TAGS:
        out.append(f'[[tags]]\nname = "{tag.name}"\nkey = "{tag.key}"\ncolour = "{tag.colour}"\n'
                   f'description = "{tag.description}"\n')
    return "\n".join(out)


def ensure(dataset: Dataset, quiet: bool = False) -> Dataset:
    """Create the dataset's files if missing or stale; return it."""
    stamp = dataset.project / ".generator"
    wanted = f"{GENERATOR_VERSION} {dataset.size} {dataset.count}\n"
    if (stamp.is_file() and stamp.read_text() == wanted and dataset.document.is_file()
            and dataset.annotations.is_file()):
        return dataset
    from tui.core.document import Document
    from tui.core.store import AnnotationStore

    if not quiet:
        print(f"generating {dataset.document.relative_to(ROOT)} and {dataset.count:,} annotations ...",
              file=sys.stderr)
    dataset.project.mkdir(parents=True, exist_ok=True)
    (dataset.project / "hedgerow.toml").write_text(codebook(), encoding="utf-8")
    dataset.document.write_text(document_text(dataset.size, random.Random(dataset.size)), encoding="utf-8")
    document = Document.load(dataset.document)
    after = document.text.index(MARKER) + len(MARKER) + 20  # nothing covers the marker line
    annotations = make_annotations(document, dataset.count, random.Random(dataset.count), after)
    dataset.annotations.parent.mkdir(parents=True, exist_ok=True)
    AnnotationStore(dataset.annotations).save(annotations, meta_for(document, dataset.project.resolve()))
    stamp.write_text(wanted)
    return dataset


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the small dataset (1 MB, 20,000 annotations)")
    args = parser.parse_args()
    dataset = ensure(QUICK if args.quick else FULL)
    print(f"{dataset.document}  ({dataset.document.stat().st_size:,} bytes)")
    print(f"{dataset.annotations}  ({dataset.annotations.stat().st_size:,} bytes, {dataset.count:,} annotations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
