"""An analyst's layer on the seed article, for the report's tests: nineteen spans, some nested, one
overlapping another partly, and notes -- what a report is usually made of."""

from __future__ import annotations

from pathlib import Path

from tui.core.annotation import Annotation
from tui.core.session import Session, SessionOptions

# (quote, where: the first occurrence of the quote inside the first occurrence of this, tag, note)
SEED_SPANS: list[tuple[str, str, str, str]] = [
    ("Kazakhstan", "", "actor", ""),
    ("taken further steps towards strengthening its partnership with the NATO Alliance", "", "commitment",
     "The headline claim: steps taken, not merely planned."),
    ("Ambassador Robert Simmons, Special Representative of the NATO Secretary-General for the Caucasus and "
     "Central Asia", "", "actor", "NATO's envoy to the region; speaks for the Secretary-General."),
    ("NATO Secretary-General", "", "actor", ""),
    ("denied any need or existing plans", "", "hedge",
     "A denial framed as an absence of need, not as a commitment never to build bases."),
    ("Currently there are no sites or bases of NATO in Kazakhstan, and I do not see any need to change this "
     "situation", "", "commitment", ""),
    ("Currently", "", "hedge", "Time-bound: leaves the future open."),
    ("I do not see any need", "", "hedge", ""),
    ("seemingly ruling out the possibility", "", "hedge", "The author hedges the envoy's own words."),
    ("ruling out the possibility of NATO forces being deployed to Kazakhstan in the foreseeable future", "",
     "commitment", ""),
    ("Simmons", "Simmons also suggested", "actor", ""),
    ("suggested", "", "hedge", ""),
    ("could include setting up a team by 2007 to react to disasters", "", "commitment",
     "The one dated commitment in the piece <- check against the PARP documents."),
    ("could", "could include setting", "hedge", ""),
    ("appeared to support such plans", "", "hedge", ""),
    ("arguably", "", "hedge", ""),
    ("NATO", "NATO is, however", "actor", ""),
    ("sending clear signals to Kazakhstan regarding its intentions to assist in the reform process", "", "commitment",
     "Signals, not a programme: no date, budget or instrument named."),
    ("The rhetoric remains to be tested.", "", "hedge", "The author's own closing hedge, attached to no actor."),
]


def find(text: str, quote: str, where: str = "") -> tuple[int, int]:
    start = text.index(quote, text.index(where) if where else 0)
    return start, start + len(quote)


def annotate(doc: Path, spans: list[tuple[str, str, str, str]] = SEED_SPANS, annotator: str = "alice",
             annotations: Path | None = None) -> list[Annotation]:
    """Add the spans through a Session and save them: the layer file a real session writes."""
    session = Session.open(doc, SessionOptions(annotator=annotator, annotations=annotations))
    made = [session.add(*find(session.text, quote, where), tag, note) for quote, where, tag, note in spans]
    session.save()
    return made
