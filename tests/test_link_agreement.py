"""Link agreement (F1 on source span, relation, target span; ends matched by overlap and tag) and
links carried into gold by the review."""

from __future__ import annotations

import json
from pathlib import Path

from tui.cli import main
from tui.core.annotation import Annotation
from tui.core.link_agreement import link_agreement, link_matches
from tui.core.links import LINKS, Link
from tui.core.review import Review
from tui.core.session import Session, SessionOptions

SENTENCE = "Simmons also suggested that NATO’s Partnership for Peace"


def span(start: int, end: int, tag: str, id_: str) -> Annotation:
    return Annotation(start, end, "x" * (end - start), tag, "d", "a", id=id_)


def test_link_matches_by_overlap_and_tag_one_to_one() -> None:
    a = [((10, 20, "commitment"), "by", (0, 5, "actor")), ((10, 20, "commitment"), "by", (0, 5, "actor"))]
    b = [((12, 25, "commitment"), "by", (1, 3, "actor"))]
    assert link_matches(a, b) == 1  # one-to-one: the duplicate is not counted twice
    assert link_matches(b, a) == 1
    assert link_matches(a, [((12, 25, "commitment"), "by", (5, 9, "actor"))]) == 0  # target does not overlap
    assert link_matches(a, [((12, 25, "commitment"), "by", (1, 3, "hedge"))]) == 0  # tag differs
    assert link_matches(a, [((12, 25, "commitment"), "of", (1, 3, "actor"))]) == 0  # relation differs
    assert link_matches(a, [((20, 25, "commitment"), "by", (1, 3, "actor"))]) == 0  # touching is not overlap


def test_link_agreement_report() -> None:
    alice = [span(0, 5, "actor", "a1"), span(10, 20, "commitment", "a2"), span(21, 25, "hedge", "a3")]
    bob = [span(0, 7, "actor", "b1"), span(11, 20, "commitment", "b2"), span(30, 35, "hedge", "b3")]
    links = {"alice": [Link("a2", "by", "a1"), Link("a3", "hedges", "a2"), Link("a3", "hedges", "gone")],
             "bob": [Link("b2", "by", "b1"), Link("b3", "hedges", "b2")]}
    report = link_agreement({"alice": alice, "bob": bob}, links)
    assert report["links"] == {"alice": 2, "bob": 2}  # the dangling link is left out
    [pair] = report["pairs"]
    assert pair["per_relation"]["by"]["f1"] == 1.0
    assert pair["per_relation"]["hedges"]["f1"] == 0.0  # the hedges do not overlap
    assert pair["overall"] == {"links_a": 2, "links_b": 2, "matches": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    empty = link_agreement({"alice": alice, "bob": bob}, {})
    assert empty["pairs"][0]["overall"]["f1"] is None


def linked_layer(doc: Path, name: str, hedge: str = "could") -> dict:
    session = Session.open(doc, SessionOptions(annotator=name))
    at = session.text.index(SENTENCE)

    def tag(quote: str, tag_name: str):
        start = session.text.index(quote, at)
        return session.add(start, start + len(quote), tag_name)

    made = {"actor": tag("Simmons", "actor"), "commitment": tag("setting up a team by 2007", "commitment"),
            "hedge": tag(hedge, "hedge")}
    session.link(made["commitment"].id, made["actor"].id, "by")
    session.link(made["hedge"].id, made["commitment"].id, "hedges")
    session.save()
    return made


def test_agree_reports_link_f1(project_doc: Path, capsys) -> None:
    linked_layer(project_doc, "alice")
    linked_layer(project_doc, "bob", hedge="suggested")
    assert main(["agree", str(project_doc), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    overall = report["links"]["pairs"][0]["overall"]
    assert (overall["matches"], overall["f1"]) == (1, 0.5)
    assert main(["agree", str(project_doc)]) == 0
    assert "Link agreement" in capsys.readouterr().out


def test_review_carries_links_into_gold_when_both_ends_are_accepted(project_doc: Path) -> None:
    alice = linked_layer(project_doc, "alice")
    linked_layer(project_doc, "bob")
    review = Review.open(project_doc, "rita")

    def candidate(annotation: Annotation):
        return review.get(f"{annotation.start}-{annotation.end}-{annotation.tag}")

    review.accept(candidate(alice["commitment"]))
    assert len(review.session.links) == 0  # one end only
    review.accept(candidate(alice["actor"]))
    [by] = review.session.links
    gold = {a.tag: a for a in review.gold}
    assert (by.source, by.relation, by.target) == (gold["commitment"].id, "by", gold["actor"].id)
    review.accept_all_agreed()  # the hedge: its link follows
    assert sorted(link.relation for link in review.session.links) == ["by", "hedges"]
    review.session.save()
    assert len(json.loads(review.session.store.path.read_text(encoding="utf-8"))[LINKS]) == 2
    # Reopening the actor removes its gold annotation, and its link, in the same step.
    review.reopen(candidate(alice["actor"]))
    assert [link.relation for link in review.session.links] == ["hedges"]
    review.undo()
    assert len(review.session.links) == 2
