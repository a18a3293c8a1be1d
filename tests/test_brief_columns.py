"""The brief built as columns (its entities, commitments and spans made when read) says what a
brief built the plain way says: on random layers and links, every rendering (JSON, Markdown,
text, the summary line and the TUI's lines) is the same as that of a brief of lists, built here
one annotation and one link at a time, as the README describes it."""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style

from tui.app.brief_screen import BriefLines, brief_lines
from tui.core.annotation import Annotation
from tui.core.brief import (
    DEFAULT_ROLES,
    Brief,
    BriefRoles,
    Commitment,
    Entity,
    Sentences,
    Span,
    build_brief,
    summary_line,
    to_markdown,
    to_text,
)
from tui.core.layer import Layer
from tui.core.links import Link, LinkIndex

EXAMPLES = settings(max_examples=int(os.environ.get("HEDGEROW_EXAMPLES", "40")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
WORDS = ["Simmons", "simmons", "NATO", "Nato", "could", "may", "team", "by 2007", "Kazakhstan", "Ms. Li", "a"]
TAGS = ["actor", "commitment", "hedge", "other"]
ROLES = [DEFAULT_ROLES, BriefRoles("actor", "commitment", "hedge", "by", None),
         BriefRoles(None, "commitment", "hedge", None, "hedges"),
         BriefRoles("actor", "commitment", "actor", "by", "hedges")]  # one tag in two roles


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Sentences and paragraphs of the words, with runs of white space."""
    parts = []
    for _ in range(draw(st.integers(1, 30))):
        parts.append(draw(st.sampled_from(WORDS)))
        parts.append(draw(st.sampled_from([" ", " ", "  ", ". ", ".\n", "\n\n", "\t", "? "])))
    return "".join(parts) + "."


@st.composite
def layers(draw: st.DrawFn) -> tuple[str, list[Annotation], list[Link]]:
    text = draw(texts())
    annotations: list[Annotation] = []
    for _ in range(draw(st.integers(0, 25))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 30)))
        a = Annotation.create(text, start, end, draw(st.sampled_from(TAGS)), document="d", annotator="x",
                              note=draw(st.sampled_from(["", "", "a note"])))
        kind = draw(st.sampled_from(["plain", "plain", "entity", "odd id", "stale quote"]))
        if kind == "entity":
            a = replace(a, entity=draw(st.sampled_from(["Simmons", "NATO", "  Robert   Simmons ", "nato"])))
        elif kind == "odd id":  # kept in the row's dict, not as a uuid's bytes
            a = replace(a, id=f"Odd-{len(annotations)}")
        elif kind == "stale quote":  # the text no longer says it: the row keeps its own
            a = replace(a, quote=draw(st.sampled_from(["Simmons", "could  be", "x"])))
        annotations.append(a)
    ids = [a.id for a in annotations] + [str(uuid.uuid4())]  # and an end that no longer exists
    fitting = {"by": ("commitment", "actor"), "hedges": ("hedge", "commitment"), "cites": ("actor", "actor")}
    links = []
    for _ in range(draw(st.integers(0, 30)) if annotations else 0):
        relation = draw(st.sampled_from(list(fitting)))
        ends = [[a.id for a in annotations if a.tag == tag] for tag in fitting[relation]]
        if draw(st.booleans()) and all(ends):  # mostly links whose tags fit the relation, as hedgerow makes them
            links.append(Link(draw(st.sampled_from(ends[0])), relation, draw(st.sampled_from(ends[1]))))
        else:
            links.append(Link(draw(st.sampled_from(ids)), relation, draw(st.sampled_from(ids))))
    links += draw(st.lists(st.sampled_from(links), max_size=4)) if links else []  # the same link again (a hand edit)
    return text, annotations, links


def plain_brief(text: str, annotations: list[Annotation], links: list[Link], roles: BriefRoles) -> Brief:
    """The brief one annotation and one link at a time: what build_brief must say."""
    ordered = sorted(annotations, key=Annotation.sort_key)

    def of(tag: str | None) -> list[Annotation]:
        return [a for a in ordered if tag is not None and a.tag == tag]

    def span(a: Annotation) -> Span:
        return Span(a.id, a.tag, a.start, a.end, a.quote)

    actors, commitments, hedges = of(roles.actor), of(roles.commitment), of(roles.hedge)
    name = {a.id: " ".join((a.entity or a.quote).split()) for a in actors}
    entities: dict[str, Entity] = {}
    for a in actors:
        entities.setdefault(name[a.id], Entity(name[a.id], [], [])).actors.append(span(a))
    hedge_of = {h.id: h for h in hedges}
    committed = {c.id for c in commitments}
    sentences = Sentences(text)
    unattributed = []
    for c in commitments:
        own = sorted([hedge_of[link.source] for link in links
                      if link.relation == roles.hedges and link.target == c.id and link.source in hedge_of],
                     key=lambda h: (h.start, h.end, h.id))
        made = Commitment(span(c), tuple(map(span, own)), sentences, c.note)
        named = dict.fromkeys(name[link.target] for link in links
                              if link.relation == roles.by and link.source == c.id and link.target in name)
        for entity in named:
            entities[entity].commitments.append(made)
        if not named:
            unattributed.append(made)
    unlinked = [span(h) for h in hedges if not any(
        link.relation == roles.hedges and link.source == h.id and link.target in committed for link in links)]
    in_order = sorted(entities.values(), key=lambda e: (-len(e.commitments), e.name.casefold(), e.name))
    return Brief({"title": "t"}, in_order, unattributed, unlinked, roles)


def renderings(brief: Brief) -> dict[str, object]:
    """Everything the brief shows: first what it holds read one at a time (as the TUI reads the
    few in view), then in passes over it all (the exports)."""
    one_at_a_time = [[brief.entities[i].to_json() for i in range(len(brief.entities))],
                     [brief.unattributed[i].to_json() for i in range(len(brief.unattributed))],
                     [brief.unlinked_hedges[i].to_json() for i in range(len(brief.unlinked_hedges))]]
    console = Console(width=80, record=True, color_system=None, force_terminal=True, file=io.StringIO())
    console.print(to_text(brief, 80))
    widget = BriefLines()
    lines = [(line.kind, line.target, "".join(s.text for s in widget.render_row(line, 60, Style())))
             for line in brief_lines(brief)]
    return {"one at a time": one_at_a_time, "summary": summary_line(brief), "totals": brief.totals(),
            "lines": lines, "markdown": to_markdown(brief), "text": console.export_text(), "json": brief.to_json()}


@EXAMPLES
@given(layers(), st.sampled_from(ROLES))
def test_the_brief_of_columns_says_what_a_brief_of_lists_says(made: tuple[str, list[Annotation], list[Link]],
                                                             roles: BriefRoles) -> None:
    text, annotations, links = made
    layer = Layer(annotations, text)
    index = LinkIndex({str(n): link.to_record() for n, link in enumerate(links, 1)})
    expected = renderings(plain_brief(text, annotations, links, roles))
    # Read in a pass first. (Against a brief of lists read in the same order: a commitment that
    # starts in the blank lines between paragraphs gets the sentence of whichever paragraph was
    # split before it; Sentences has always done so.)
    in_a_pass = plain_brief(text, annotations, links, roles).to_json()
    for given_annotations, given_links in ((layer, index), (list(layer), links)):
        assert renderings(build_brief(text, given_annotations, given_links, {"title": "t"}, roles)) == expected
        assert build_brief(text, given_annotations, given_links, {"title": "t"}, roles).to_json() == in_a_pass


def test_a_brief_of_columns_reads_as_a_sequence() -> None:
    """Entities, commitments and spans read by index, from the end, by slice and in a pass alike;
    an entity read twice is the same object (the TUI draws it again)."""
    text = "Simmons said NATO could act. Li may go. Simmons will try."
    layer = Layer([], text)
    made = {}
    for quote, tag, at in [("Simmons", "actor", 0), ("NATO", "actor", 0), ("could", "hedge", 0),
                           ("act", "commitment", 0), ("Li", "actor", 0), ("may", "hedge", 0), ("go", "commitment", 0),
                           ("Simmons", "actor", 30), ("try", "commitment", 0)]:
        start = text.index(quote, at)
        made[quote, at] = a = Annotation.create(text, start, start + len(quote), tag, document="d", annotator="x")
        layer.add(a)
    links = [Link(made["act", 0].id, "by", made["NATO", 0].id), Link(made["could", 0].id, "hedges", made["act", 0].id),
             Link(made["try", 0].id, "by", made["Simmons", 30].id), Link(made["go", 0].id, "by", made["Simmons", 0].id)]
    brief = build_brief(text, layer, links)
    assert [e.name for e in brief.entities] == ["Simmons", "NATO", "Li"]
    simmons = brief.entities[0]
    assert simmons is brief.entities[0] is brief.entities[-3]
    assert [c.span.quote for c in simmons.commitments] == ["go", "try"] and len(simmons.actors) == 2
    assert [e.name for e in brief.entities[1:]] == ["NATO", "Li"] and list(brief.entities)[2] is brief.entities[2]
    hedges = brief.unlinked_hedges
    assert [h.quote for h in hedges] == ["may"] and hedges[-1:] == [hedges[0]]
    assert len(brief.unattributed) == 0 and list(brief.unattributed) == []
    assert brief.totals().to_json() == {"entities": 3, "commitments": 3, "attributions": 3, "hedged": 1, "bare": 2,
                                        "unattributed": 0, "unlinked_hedges": 1}
    lines = brief_lines(brief)
    assert [line.kind for line in lines] == list(map(lambda line: line.kind, [lines[i] for i in range(len(lines))]))
    assert lines[-1] is lines[len(lines) - 1] and lines[1:3] == [lines[1], lines[2]]
