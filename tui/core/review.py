"""Adjudication: every annotator's spans become candidates; a reviewer's decisions make the gold layer.

A **candidate** is one distinct (start, end, tag) found in any annotator's layer, with the
annotators (and their annotation ids and notes) that have it. Its status:

* ``agreed``  -- every annotator has this exact span and tag (needs two or more annotators);
* ``partial`` -- otherwise, when some but not all annotators have it, when it overlaps another
  annotator's span (of any tag), or when the same span carries a different tag elsewhere;
* ``single``  -- one annotator only, overlapping nobody else's span (and with one annotator in
  all, every candidate is single).

The gold layer is ``annotations/<document-path>/gold.json``, written by an ordinary `Session` whose
annotator is "gold", so undo, redo and atomic saves work as for any layer. The decisions live
in the same file, in a ``review`` table keyed by the candidate key ``"<start>-<end>-<tag>"``:

    "review": {
      "118-128-actor": {
        "at": "2025-01-02T03:04:05.678Z",
        "decision": "accepted",          # or "rejected", "edited" (accepted with another tag)
        "from": ["alice", "bob", "carol"],
        "gold": "6c1c…",                 # the gold annotation's id; "" when rejected
        "reviewer": "rita",
        "sources": ["alice:0f3a…", "bob:9b2e…", "carol:77d1…"],
        "status": "agreed",
        "tag": "actor"                   # the tag that went into gold
      }
    }

Gold annotations get a new id, ``annotator`` = the reviewer and, as note, the sources' notes
("alice: …\\nbob: …"). An annotator's link goes into gold (its ``links`` table) once both its
ends are accepted, if the relation fits their gold tags; a gold annotation removed takes its
links along, in the same change. Every decision is one `Change` (annotation pairs plus review records)
committed through the gold session. No Textual here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from tui.core.agreement import AgreementError, agreement_report
from tui.core.annotation import Annotation, utc_now
from tui.core.errors import InputError
from tui.core.history import Change
from tui.core.layer import Layer
from tui.core.links import LINKS, Link, load_with_links
from tui.core.paths import GOLD, layer_dir, layer_files, resolve_annotator
from tui.core.session import Session, SessionOptions

REVIEW_TABLE = "review"
AGREED, PARTIAL, SINGLE = "agreed", "partial", "single"
STATUSES = (AGREED, PARTIAL, SINGLE)
ACCEPTED, REJECTED, EDITED = "accepted", "rejected", "edited"
DECISIONS = (ACCEPTED, REJECTED, EDITED)


def candidate_key(start: int, end: int, tag: str) -> str:
    return f"{start}-{end}-{tag}"


class Source(NamedTuple):
    """One annotator's annotation behind a candidate."""

    annotator: str
    id: str
    note: str = ""
    entity: str = ""  # the actor's entity, if the annotator named one


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str
    start: int
    end: int
    tag: str
    quote: str
    status: str
    sources: tuple[Source, ...]
    annotators: tuple[str, ...]  # sorted, each once

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def is_disagreement(self) -> bool:
        return self.status != AGREED

    def sort_key(self) -> tuple[Any, ...]:
        return (self.start, self.end, self.tag)


def build_candidates(layers: dict[str, list[Annotation]], text: str | None = None) -> list[Candidate]:
    """One candidate per distinct (start, end, tag), in document order. O(n log n).

    With `text`, quotes come from the text (spans past its end are left out: they belong to
    another version of the document); otherwise from the first annotation's quote.
    """
    names = sorted(layers)
    several = len(names) >= 2
    # (start, end, tag) -> its sources: (annotator, id, note, entity, quote)
    groups: dict[tuple[int, int, str], list[tuple[str, str, str, str, str]]] = {}
    intervals: set[tuple[int, int, str]] = set()  # distinct (start, end, annotator)
    limit = len(text) if text is not None else None
    for name in names:
        for a in layers[name]:
            if limit is not None and a.end > limit:
                continue
            key = (a.start, a.end, a.tag)
            known = groups.get(key)
            if known is None:
                groups[key] = [(name, a.id, a.note, a.entity, a.quote)]
            else:
                known.append((name, a.id, a.note, a.entity, a.quote))
            intervals.add((a.start, a.end, name))
    tags_on_span = Counter((start, end) for start, end, _ in groups)

    # Prefix sweep over spans by start: the furthest end so far, its annotator, and the furthest
    # end of any *other* annotator; a span [s, e) by X overlaps someone else's iff, among the
    # spans starting before e, the furthest end by an annotator other than X is past s.
    ordered = sorted(intervals)
    starts = [s for s, _, _ in ordered]
    best_end: list[int] = []
    best_name: list[str | None] = []
    second_end: list[int] = []
    b_end, b_name, s_end = -1, None, -1
    for _, end, name in ordered:
        if name == b_name:
            b_end = max(b_end, end)
        elif end > b_end:
            s_end, b_end, b_name = b_end, end, name
        else:
            s_end = max(s_end, end)
        best_end.append(b_end)
        best_name.append(b_name)
        second_end.append(s_end)

    def overlaps_other(start: int, end: int, name: str) -> bool:
        index = bisect_left(starts, end) - 1
        if index < 0:
            return False
        other = best_end[index] if best_name[index] != name else second_end[index]
        return other > start

    candidates = []
    make_source = Source._make
    for key in sorted(groups):
        start, end, tag = key
        group = groups[key]
        sources: tuple[Source, ...]
        who: tuple[str, ...]
        if len(group) == 1:  # the common case, kept cheap
            sources, who = (make_source(group[0][:4]),), (group[0][0],)
        else:
            sources = tuple(make_source(s[:4]) for s in group)
            who = tuple(sorted({s[0] for s in group}))
        if not several:
            status = SINGLE
        elif len(who) == len(names):
            status = AGREED
        elif len(who) > 1 or tags_on_span[(start, end)] > 1 or overlaps_other(start, end, who[0]):
            status = PARTIAL
        else:
            status = SINGLE
        quote = text[start:end] if text is not None else group[0][4]
        candidates.append(Candidate(f"{start}-{end}-{tag}", start, end, tag, quote, status, sources, who))
    return candidates


class Review:
    """A reviewer adjudicating every annotator's candidates into the gold layer of one document."""

    def __init__(self, session: Session, layers: dict[str, list[Annotation]], reviewer: str,
                 links: dict[str, list[Link]] | None = None) -> None:
        self.session = session  # the gold layer's session: every decision goes through it
        self.reviewer = reviewer
        self.layers = layers
        self._links_of: dict[str, list[tuple[str, Link]]] = {}  # "annotator:id" -> (annotator, link) at that end
        for name, items in (links or {}).items():
            for link in items:
                for end in (link.source, link.target):
                    self._links_of.setdefault(f"{name}:{end}", []).append((name, link))
        self.annotators = sorted(layers)
        self.candidates = build_candidates(layers, session.text)
        self._by_key = {c.key: c for c in self.candidates}
        self._sort_keys = [c.sort_key() for c in self.candidates]
        self.mismatched = sum(  # source quotes that are not the text at their offsets (another version)
            1 for layer in layers.values() for a in layer if session.text[a.start:a.end] != a.quote
        )
        self._report: dict[str, Any] | None = None
        self._report_done = False
        self._summary: tuple[int, dict[str, Any]] | None = None
        self.followed: Change | None = None  # decisions carried to re-anchored spans on opening

    @classmethod
    def open(cls, doc_path: str | Path, reviewer: str | None = None, annotations_dir: Path | None = None,
             tags: Path | None = None) -> Review:
        """Load the document, every annotator's layer and the gold file. Raises HedgerowError."""
        if reviewer is not None and not reviewer.strip():
            raise InputError("--reviewer needs a name")
        session = Session.open(doc_path, SessionOptions(annotator=GOLD, annotations=annotations_dir, tags=tags,
                                                        gold=True))
        document = session.document.path
        files = layer_files(document, annotations_dir)
        if not files:
            raise InputError(f"no annotation files for {document.name} in {layer_dir(document, annotations_dir)}")
        layers, links = load_with_links(files, session.text, session.document.sha256)
        review = cls(session, layers, resolve_annotator(reviewer, gold=True), links)
        review.followed = review.follow_moved_spans()
        return review

    def follow_moved_spans(self) -> Change | None:
        """Carry decisions over to their candidates' new keys after the layers were re-anchored.

        A decision is keyed by its candidate's span; when `hedgerow check --apply` moved the
        annotators' spans, the decision finds its candidate again through its source annotation
        ids. One undoable change; decisions whose sources are gone stay as they are (stale).
        """
        by_source = {f"{s.annotator}:{s.id}": c.key for c in self.candidates for s in c.sources}
        records, taken = [], set(self.decisions)
        for key, record in self.decisions.items():
            if key in self._by_key:
                continue
            targets = {by_source[s] for s in record.get("sources", ()) if s in by_source}
            if len(targets) == 1 and (new := targets.pop()) not in taken:
                taken.add(new)
                records += [(REVIEW_TABLE, key, record, None), (REVIEW_TABLE, new, None, record)]
        if not records:
            return None
        return self.session.commit(Change("follow re-anchored spans", (), tuple(records)))

    # -- reading -------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.session.text

    @property
    def gold(self) -> Layer:
        """The gold layer's annotations."""
        return self.session.layer

    @property
    def decisions(self) -> dict[str, dict[str, Any]]:
        return self.session.tables.get(REVIEW_TABLE, {})

    def get(self, key: str) -> Candidate | None:
        return self._by_key.get(key)

    def decision(self, candidate: Candidate) -> dict[str, Any] | None:
        return self.decisions.get(candidate.key)

    def index_of(self, candidate: Candidate) -> int:
        return bisect_left(self._sort_keys, candidate.sort_key())

    def subscribe(self, listener: Callable[[Change], None]) -> None:
        self.session.subscribe(listener)

    def next_undecided_disagreement(self, offset: int, after: Candidate | None = None) -> Candidate | None:
        """The first partial or single candidate without a decision that starts after `offset`
        (or, given `after`, that follows it in document order), wrapping round to the start."""
        n = len(self.candidates)
        if after is not None:
            first = self.index_of(after) + 1
        else:
            first = bisect_left(self._sort_keys, (offset + 1,))
        decisions = self.decisions
        for step in range(n):
            candidate = self.candidates[(first + step) % n]
            if candidate.status != AGREED and candidate.key not in decisions:
                return candidate
        return None

    def agreement(self) -> dict[str, Any] | None:
        """The agreement report over the codebook's tags; None with fewer than two annotators."""
        if not self._report_done:
            try:
                report = agreement_report(self.text, self.layers, self.session.tags.names)
            except AgreementError:
                report = None
            self._report = report  # before the flag: another thread may be reading them
            self._report_done = True
        return self._report

    @property
    def agreement_ready(self) -> bool:
        """Whether `agreement()` has been worked out (it can take a second on 100,000 spans)."""
        return self._report_done

    def summary(self, agreement: bool = True) -> dict[str, Any]:
        """Counts per status and decision, and the agreement report. With agreement=False the
        report is included only if already worked out (None otherwise), so the call stays cheap."""
        if self._summary is None or self._summary[0] != self.session.version:
            self._summary = (self.session.version, self._summarise())
        summary = dict(self._summary[1])
        summary["agreement"] = self.agreement() if agreement or self._report_done else None
        return summary

    def _summarise(self) -> dict[str, Any]:
        decisions = self.decisions
        status = Counter(c.status for c in self.candidates)
        made = Counter(decisions[c.key].get("decision", "") for c in self.candidates if c.key in decisions)
        decided = sum(made.values())
        open_disagreements = sum(1 for c in self.candidates if c.status != AGREED and c.key not in decisions)
        return {
            "annotators": self.annotators,
            "reviewer": self.reviewer,
            "candidates": len(self.candidates),
            "status": {s: status.get(s, 0) for s in STATUSES},
            "decided": decided,
            "undecided": len(self.candidates) - decided,
            "undecided_disagreements": open_disagreements,
            "decisions": {d: made.get(d, 0) for d in DECISIONS},
            "gold": len(self.session.layer),
            "stale_decisions": len(set(decisions) - set(self._by_key)),
            "mismatched_quotes": self.mismatched,
        }

    # -- deciding ------------------------------------------------------------------------

    def accept(self, candidate: Candidate, tag: str | None = None) -> Change | None:
        """Put the candidate into gold (with `tag`, if given and different: "edited").
        Returns the change, or None when nothing changed."""
        if tag is not None and tag != candidate.tag and tag not in self.session.tags:
            raise InputError(f"unknown tag {tag!r} (the tags are {', '.join(self.session.tags.names)})")
        final = tag or candidate.tag
        decision = EDITED if final != candidate.tag else ACCEPTED
        label = f"accept {candidate.tag}" if decision == ACCEPTED else f"accept {candidate.tag} as {final}"
        return self._commit(label, [(candidate, decision, final)])

    def near_duplicates(self, candidate: Candidate, tag: str | None = None) -> list[Candidate]:
        """Candidates already in gold with the same tag on an overlapping but different span
        ("seemingly" and "seemingly ruling out" as two hedges): accepting both is rarely meant."""
        final = tag or candidate.tag
        gold = {a.id for a in self.session.layer.overlapping(candidate.start, candidate.end)
                if a.tag == final and (a.start, a.end) != candidate.span}
        if not gold:
            return []
        found = [self._by_key[key] for key, record in self.decisions.items()
                 if record.get("gold") in gold and key in self._by_key and key != candidate.key]
        return sorted(found, key=Candidate.sort_key)

    def accept_instead(self, candidate: Candidate, others: Iterable[Candidate],
                       tag: str | None = None) -> Change | None:
        """Accept the candidate and reject `others` (its near duplicates), as one undoable change."""
        final = tag or candidate.tag
        decision = EDITED if final != candidate.tag else ACCEPTED
        steps = [(candidate, decision, final), *((other, REJECTED, other.tag) for other in others)]
        return self._commit(f"accept {final} instead", steps)

    def reject(self, candidate: Candidate) -> Change | None:
        return self._commit(f"reject {candidate.tag}", [(candidate, REJECTED, candidate.tag)])

    def reopen(self, candidate: Candidate) -> Change | None:
        """Forget the decision (and its gold annotation)."""
        return self._commit(f"reopen {candidate.tag}", [(candidate, None, candidate.tag)])

    def accept_all_agreed(self) -> Change | None:
        """Accept every agreed candidate that has no decision yet, as one undoable change."""
        decisions = self.decisions
        todo = [(c, ACCEPTED, c.tag) for c in self.candidates if c.status == AGREED and c.key not in decisions]
        return self._commit(f"accept {len(todo)} agreed", todo)

    def undo(self) -> Change | None:
        return self.session.undo()

    def redo(self) -> Change | None:
        return self.session.redo()

    def _commit(self, label: str, steps: Iterable[tuple[Candidate, str | None, str]]) -> Change | None:
        decisions = self.decisions
        refs = Counter(r.get("gold") for r in decisions.values() if r.get("gold"))
        layer = self.session.layer
        added: dict[tuple[int, int, str], Annotation] = {}  # gold created in this change
        removed: set[str] = set()
        pairs: list[tuple[Annotation | None, Annotation | None]] = []
        records: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]] = []
        for candidate, decision, tag in steps:
            before = decisions.get(candidate.key)
            old_id = before.get("gold", "") if before else ""
            target = (candidate.start, candidate.end, tag)
            if decision in (ACCEPTED, EDITED):
                gold = added.get(target) or self._gold_at(*target, skip=removed)
                if gold is None:
                    gold = Annotation.create(self.text, candidate.start, candidate.end, tag,
                                             document=self.session.document.sha256, annotator=self.reviewer,
                                             note=_joined_notes(candidate.sources))
                    entity = _agreed_entity(candidate.sources)
                    if entity:
                        gold = replace(gold, entity=entity)
                    added[target] = gold
                    pairs.append((None, gold))
                gold_id = gold.id
            else:
                gold_id = ""
            if (before is not None and decision is not None and before.get("decision") == decision
                    and before.get("tag") == tag and old_id == gold_id):
                continue  # already decided so
            if before is None and decision is None:
                continue  # nothing to reopen
            if old_id and old_id != gold_id:
                refs[old_id] -= 1
                if refs[old_id] <= 0 and old_id in layer and old_id not in removed:
                    pairs.append((layer[old_id], None))
                    removed.add(old_id)
            if gold_id and gold_id != old_id:
                refs[gold_id] += 1
            after = None if decision is None else {
                "decision": decision,
                "reviewer": self.reviewer,
                "from": list(candidate.annotators),
                "sources": [f"{s.annotator}:{s.id}" for s in candidate.sources],
                "gold": gold_id,
                "tag": tag,
                "status": candidate.status,
                "at": utc_now(),
            }
            records.append((REVIEW_TABLE, candidate.key, before, after))
        if not records:
            return None
        records += self._link_records(records, added, removed)
        return self.session.commit(Change(label, tuple(pairs), tuple(records)))

    def _link_records(  # noqa: C901 - one walk over the change's decisions and their links
            self, records: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]],
            added: dict[tuple[int, int, str], Annotation],
            removed: set[str]) -> list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]]:
        """The gold links this change makes (both ends accepted) and removes (an end removed)."""
        table = self.session.tables.get(LINKS, {})
        links = self.session.links
        changes: dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]] = {}
        for gold_id in removed:
            for key, _ in links.keyed(gold_id):
                changes[key] = (table.get(key), None)
        if not self._links_of:
            return [(LINKS, key, before, after) for key, (before, after) in changes.items()]
        decisions = dict(self.decisions)
        for _, key, _, after in records:
            if after is None:
                decisions.pop(key, None)
            else:
                decisions[key] = after
        gold_tags = {a.id: a.tag for a in added.values()}

        def gold_of(source: str) -> str:
            candidate = self._candidate_of_source().get(source)
            record = decisions.get(candidate) if candidate else None
            return record.get("gold", "") if record else ""

        def tag_of(gold_id: str) -> str | None:
            if gold_id in gold_tags:
                return gold_tags[gold_id]
            annotation = self.session.layer.get(gold_id)
            return annotation.tag if annotation and gold_id not in removed else None

        relations = self.session.config.relations
        made: set[str] = set()  # the ids of the gold links made here
        for _, _, _, after in records:
            if after is None:
                continue
            for source in after.get("sources", ()):
                for name, link in self._links_of.get(source, ()):
                    ends = gold_of(f"{name}:{link.source}"), gold_of(f"{name}:{link.target}")
                    if not all(ends) or ends[0] == ends[1]:
                        continue
                    relation = relations.get(link.relation)
                    if relation is None or not relation.fits(tag_of(ends[0]) or "", tag_of(ends[1]) or ""):
                        continue
                    gold = Link.made_now(ends[0], link.relation, ends[1])
                    if not links.holds(gold) and gold.id not in made:
                        made.add(gold.id)
                        changes[links.next_key(len(made) - 1)] = (None, gold.to_record())
        return [(LINKS, key, before, after) for key, (before, after) in changes.items()]

    def _candidate_of_source(self) -> dict[str, str]:
        """"annotator:id" -> the key of the candidate holding that annotation (made once)."""
        if not hasattr(self, "_source_candidates"):
            self._source_candidates = {f"{s.annotator}:{s.id}": c.key for c in self.candidates for s in c.sources}
        return self._source_candidates

    def _gold_at(self, start: int, end: int, tag: str, skip: set[str]) -> Annotation | None:
        for annotation in self.session.layer.overlapping(start, end):
            if (annotation.start, annotation.end, annotation.tag) == (start, end, tag) and annotation.id not in skip:
                return annotation
        return None


def _agreed_entity(sources: Iterable[Source]) -> str:
    """The entity the sources name, the one most of them name if they differ (the first annotator's
    on a tie); "" if none names one. The note says when they differ (_joined_notes)."""
    named = Counter(source.entity for source in sources if source.entity)
    return max(named, key=lambda name: named[name]) if named else ""


def _joined_notes(sources: Iterable[Source]) -> str:
    """One line per annotator ("alice: …\\nbob: …"): an annotator's own line breaks, and their
    notes on several sources, are joined on that line."""
    notes: dict[str, list[str]] = {}
    entities: dict[str, str] = {}
    for source in sources:
        if source.note.strip():
            notes.setdefault(source.annotator, []).append(" ".join(source.note.split()))
        if source.entity:
            entities.setdefault(source.annotator, source.entity)
    lines = [f"{name}: {' / '.join(found)}" for name, found in notes.items()]
    if len(set(entities.values())) > 1:  # gold takes the one most name (_agreed_entity): say who named which
        lines.append("entities differ: " + "; ".join(f"{name}: {entity}" for name, entity in entities.items()))
    return "\n".join(lines)


__all__ = ["REVIEW_TABLE", "STATUSES", "Candidate", "Review", "Source", "build_candidates", "candidate_key"]
