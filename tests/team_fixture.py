"""A three-annotator fixture on the seed article, shared by the review and agreement tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from tui.core.review import Review
from tui.core.session import Session, SessionOptions

SEED = Path(__file__).resolve().parents[1] / "seeds" / "kazakhstan-nato-partnership-edm-2005.txt"
REVIEWER = "rita"

# (quote, tag, note) per annotator; quotes are found at their first occurrence in the seed.
LAYERS = {
    "alice": [
        ("Kazakhstan", "actor", ""),
        ("Ambassador Robert Simmons", "actor", ""),
        ("NATO Secretary-General", "actor", "the office, not the man"),
        ("seemingly ruling out", "hedge", "hedged denial"),
        ("appeared to support", "hedge", "hedged support"),
        ("President Nursultan Nazarbayev", "actor", ""),
        ("Nursultan Nazarbayev", "actor", ""),
    ],
    "bob": [
        ("Kazakhstan", "actor", ""),
        ("Ambassador Robert Simmons", "actor", "NATO envoy"),
        ("Special Representative of the NATO Secretary-General", "actor", ""),
        ("seemingly ruling out", "commitment", "reads as a pledge"),
        ("appeared to support", "hedge", ""),
        ("intended to be agreed by the end of this year", "commitment", "a deadline"),
    ],
    "carol": [
        ("Kazakhstan", "actor", ""),
        ("Ambassador Robert Simmons", "actor", ""),
        ("seemingly ruling out", "hedge", ""),
        ("appeared to support", "hedge", ""),
        ("The rhetoric remains to be tested", "hedge", "closing hedge"),
    ],
}

# Document order (start, end, tag) with the expected status and annotators.
EXPECTED = [
    ("Kazakhstan", "actor", "agreed", ("alice", "bob", "carol")),
    ("Ambassador Robert Simmons", "actor", "agreed", ("alice", "bob", "carol")),
    ("Special Representative of the NATO Secretary-General", "actor", "partial", ("bob",)),
    ("NATO Secretary-General", "actor", "partial", ("alice",)),
    ("seemingly ruling out", "commitment", "partial", ("bob",)),
    ("seemingly ruling out", "hedge", "partial", ("alice", "carol")),
    ("appeared to support", "hedge", "agreed", ("alice", "bob", "carol")),
    ("intended to be agreed by the end of this year", "commitment", "single", ("bob",)),
    ("President Nursultan Nazarbayev", "actor", "single", ("alice",)),
    ("Nursultan Nazarbayev", "actor", "single", ("alice",)),
    ("The rhetoric remains to be tested", "hedge", "single", ("carol",)),
]


def make_project(root: Path, layers: dict = LAYERS) -> Path:
    """A project root holding seed.txt and the annotators' layers, written through Session."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    doc = root / "seed.txt"
    shutil.copyfile(SEED, doc)
    for name, spans in layers.items():
        session = Session.open(doc, SessionOptions(annotator=name))
        for quote, tag, note in spans:
            start = session.text.index(quote)
            session.add(start, start + len(quote), tag, note)
        session.save()
    return doc


def find(review: Review, quote: str, tag: str):
    start = review.text.index(quote)
    return review.get(f"{start}-{start + len(quote)}-{tag}")


def gold_file(doc: Path) -> Path:
    return doc.parent / "annotations" / "seed" / "gold.json"
