"""Adjudication: candidates from three annotators, decisions into gold.json, undo/redo, reopening."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from random_layers import random_layers
from team_fixture import EXPECTED, LAYERS, REVIEWER, find, gold_file, make_project

from tui.cli import main
from tui.core.annotation import Annotation
from tui.core.errors import InputError
from tui.core.review import Review, build_candidates


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def review(doc: Path) -> Review:
    return Review.open(doc, REVIEWER)




def state(review: Review) -> tuple:
    gold = sorted((a.start, a.end, a.tag, a.id) for a in review.gold)
    decisions = {k: (r["decision"], r["tag"], r["gold"]) for k, r in review.decisions.items()}
    return gold, decisions


# -- candidates ------------------------------------------------------------------------------


def test_candidates_statuses_annotators_and_sources(review: Review) -> None:
    text = review.text
    got = [(c.quote, c.tag, c.status, c.annotators) for c in review.candidates]
    assert got == EXPECTED
    for c in review.candidates:
        assert c.key == f"{c.start}-{c.end}-{c.tag}" and text[c.start:c.end] == c.quote
    hedge = find(review, "seemingly ruling out", "hedge")
    alice = {a.quote: a for a in review.layers["alice"]}["seemingly ruling out"]
    assert [(s.annotator, s.note) for s in hedge.sources] == [("alice", "hedged denial"), ("carol", "")]
    assert hedge.sources[0].id == alice.id
    assert review.annotators == ["alice", "bob", "carol"]


def test_no_annotation_files_is_a_clear_input_error(tmp_path: Path) -> None:
    doc = make_project(tmp_path / "empty", {})
    with pytest.raises(InputError, match=r"^no annotation files for seed\.txt in .*annotations/seed$"):
        Review.open(doc, REVIEWER)


def test_gold_file_is_not_an_annotator(review: Review, doc: Path) -> None:
    review.accept(review.candidates[0])
    review.session.save()
    again = Review.open(doc, REVIEWER)
    assert again.annotators == ["alice", "bob", "carol"]
    assert [c.status for c in again.candidates] == [e[2] for e in EXPECTED]


def test_one_annotator_everything_single_and_agreement_na(tmp_path: Path) -> None:
    doc = make_project(tmp_path / "solo", {"alice": LAYERS["alice"]})
    review = Review.open(doc, REVIEWER)
    assert {c.status for c in review.candidates} == {"single"}
    assert len(review.candidates) == len(LAYERS["alice"])
    summary = review.summary()
    assert summary["agreement"] is None
    assert summary["status"] == {"agreed": 0, "partial": 0, "single": 7}
    review.accept(review.candidates[0])
    assert len(review.gold) == 1
    assert review.next_undecided_disagreement(0) is review.candidates[1]


def brute_status(layers: dict[str, list[Annotation]], start: int, end: int, tag: str) -> str:
    names = sorted(layers)
    who = {n for n in names for a in layers[n] if (a.start, a.end, a.tag) == (start, end, tag)}
    if len(names) < 2:
        return "single"
    if len(who) == len(names):
        return "agreed"
    if len(who) > 1:
        return "partial"
    (me,) = who
    if any(a.start < end and a.end > start for n in names if n != me for a in layers[n]):
        return "partial"
    if any((a.start, a.end) == (start, end) and a.tag != tag for n in names for a in layers[n]):
        return "partial"
    return "single"


def span(start: int, end: int, tag: str, annotator: str) -> Annotation:
    return Annotation(start=start, end=end, quote="x" * (end - start), tag=tag, document="", annotator=annotator)


def test_one_annotator_tagging_a_span_twice_is_partial_even_with_nobody_near() -> None:
    layers = {"alice": [span(0, 5, "actor", "alice"), span(0, 5, "hedge", "alice"), span(10, 15, "actor", "alice")],
              "bob": [span(30, 35, "actor", "bob")]}
    got = [(c.start, c.tag, c.status) for c in build_candidates(layers)]
    assert got == [(0, "actor", "partial"), (0, "hedge", "partial"), (10, "actor", "single"), (30, "actor", "single")]


def test_overlap_with_only_ones_own_spans_is_single_and_touching_is_not_overlap() -> None:
    layers = {"alice": [span(0, 10, "actor", "alice"), span(2, 4, "hedge", "alice")],
              "bob": [span(10, 12, "actor", "bob"), span(40, 60, "actor", "bob")],
              "carol": [span(55, 70, "hedge", "carol")]}
    got = [(c.start, c.end, c.status) for c in build_candidates(layers)]
    assert got == [(0, 10, "single"), (2, 4, "single"), (10, 12, "single"), (40, 60, "partial"), (55, 70, "partial")]


@pytest.mark.parametrize("seed", range(30))
def test_sweep_statuses_match_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    layers = random_layers(rng, rng.randint(1, 4), rng.randint(0, 25), 120)
    candidates = build_candidates(layers)
    keys = {(a.start, a.end, a.tag) for layer in layers.values() for a in layer}
    assert [(c.start, c.end, c.tag) for c in candidates] == sorted(keys)
    for c in candidates:
        assert c.status == brute_status(layers, c.start, c.end, c.tag), c


def test_many_random_spans_all_become_candidates() -> None:
    # Speed is measured in bench/review_bench.py (100,000 spans), not here.
    rng = random.Random(7)
    layers = random_layers(rng, 3, 3_400, 200_000)
    candidates = build_candidates(layers)
    spans = {(a.start, a.end, a.tag) for items in layers.values() for a in items}
    assert {(c.start, c.end, c.tag) for c in candidates} == spans


# -- decisions --------------------------------------------------------------------------------


def test_accept_puts_the_span_into_gold_with_reviewer_and_notes(review: Review) -> None:
    candidate = find(review, "Ambassador Robert Simmons", "actor")
    change = review.accept(candidate)
    assert change is not None
    (gold,) = review.gold
    assert (gold.start, gold.end, gold.tag, gold.quote) == (candidate.start, candidate.end, "actor", candidate.quote)
    assert gold.annotator == REVIEWER
    assert gold.note == "bob: NATO envoy"
    assert gold.id not in {s.id for s in candidate.sources}
    record = review.decision(candidate)
    assert record["decision"] == "accepted" and record["reviewer"] == REVIEWER
    assert record["from"] == ["alice", "bob", "carol"]
    assert record["sources"] == [f"{s.annotator}:{s.id}" for s in candidate.sources]
    assert record["gold"] == gold.id and record["tag"] == "actor"
    assert record["at"].endswith("Z")


def test_accepting_twice_does_not_duplicate(review: Review) -> None:
    candidate = find(review, "appeared to support", "hedge")
    review.accept(candidate)
    version = review.session.version
    assert review.accept(candidate) is None
    assert len(review.gold) == 1 and review.session.version == version


def test_notes_of_several_sources_are_joined(review: Review) -> None:
    candidate = find(review, "seemingly ruling out", "hedge")
    review.accept(candidate)
    (gold,) = review.gold
    assert gold.note == "alice: hedged denial"
    bob = find(review, "seemingly ruling out", "commitment")
    review.reject(bob)
    review.reject(candidate)
    review.accept(find(review, "NATO Secretary-General", "actor"))
    (gold,) = review.gold
    assert gold.note == "alice: the office, not the man"


def test_reject_an_accepted_candidate_removes_its_gold(review: Review) -> None:
    candidate = find(review, "Kazakhstan", "actor")
    review.accept(candidate)
    assert len(review.gold) == 1
    review.reject(candidate)
    assert len(review.gold) == 0
    record = review.decision(candidate)
    assert record["decision"] == "rejected" and record["gold"] == "" and record["tag"] == "actor"
    assert review.reject(candidate) is None


def test_edit_accepts_with_another_tag_and_shares_gold(review: Review) -> None:
    commitment = find(review, "seemingly ruling out", "commitment")
    hedge = find(review, "seemingly ruling out", "hedge")
    review.accept(hedge, "commitment")
    assert review.decision(hedge)["decision"] == "edited"
    assert review.decision(hedge)["tag"] == "commitment"
    (gold,) = review.gold
    assert gold.tag == "commitment" and gold.note == "alice: hedged denial"
    # bob's commitment is the same gold span and tag: no second annotation
    review.accept(commitment)
    assert len(review.gold) == 1 and review.decision(commitment)["gold"] == gold.id
    review.reject(hedge)  # still held by bob's decision
    assert [a.id for a in review.gold] == [gold.id]
    review.reject(commitment)
    assert len(review.gold) == 0
    # accepting with its own tag is a plain accept; an unknown tag is refused
    review.accept(hedge, "hedge")
    assert review.decision(hedge)["decision"] == "accepted"
    with pytest.raises(InputError, match="unknown tag 'nonsense'"):
        review.accept(hedge, "nonsense")


def test_edit_then_change_tag_again_replaces_gold(review: Review) -> None:
    candidate = find(review, "Kazakhstan", "actor")
    review.accept(candidate, "hedge")
    review.accept(candidate, "commitment")
    assert [a.tag for a in review.gold] == ["commitment"]
    review.accept(candidate)
    assert [a.tag for a in review.gold] == ["actor"]
    assert review.decision(candidate)["decision"] == "accepted"


def test_reopen_forgets_the_decision(review: Review) -> None:
    candidate = find(review, "Nursultan Nazarbayev", "actor")
    review.accept(candidate)
    review.reopen(candidate)
    assert review.decision(candidate) is None and len(review.gold) == 0
    assert review.reopen(candidate) is None
    review.undo()
    assert review.decision(candidate)["decision"] == "accepted" and len(review.gold) == 1


def test_accept_all_agreed_is_one_undoable_change(review: Review) -> None:
    rejected = find(review, "Kazakhstan", "actor")
    review.reject(rejected)
    before = state(review)
    change = review.accept_all_agreed()
    assert change is not None
    assert sorted(a.quote for a in review.gold) == ["Ambassador Robert Simmons", "appeared to support"]
    assert review.decision(rejected)["decision"] == "rejected"  # a decision already made stays
    after = state(review)
    review.undo()
    assert state(review) == before
    review.redo()
    assert state(review) == after
    assert review.accept_all_agreed() is None


def test_undo_redo_walks_every_decision(review: Review) -> None:
    states = [state(review)]
    review.accept(find(review, "Kazakhstan", "actor"))
    states.append(state(review))
    review.reject(find(review, "NATO Secretary-General", "actor"))
    states.append(state(review))
    review.accept(find(review, "seemingly ruling out", "hedge"), "commitment")
    states.append(state(review))
    review.reject(find(review, "Kazakhstan", "actor"))
    states.append(state(review))
    labels = []
    for expected in reversed(states[:-1]):
        labels.append(review.undo().label)
        assert state(review) == expected
    assert labels == ["reject actor", "accept hedge as commitment", "reject actor", "accept actor"]
    assert review.undo() is None
    for expected in states[1:]:
        review.redo()
        assert state(review) == expected


# -- the file on disk --------------------------------------------------------------------------


def test_gold_file_on_disk(review: Review, doc: Path) -> None:
    agreed = find(review, "appeared to support", "hedge")
    single = find(review, "The rhetoric remains to be tested", "hedge")
    partial = find(review, "seemingly ruling out", "commitment")
    review.accept(agreed)
    review.accept(partial, "hedge")
    review.reject(single)
    review.session.save()
    data = json.loads(gold_file(doc).read_text(encoding="utf-8"))
    assert set(data) == {"annotations", "meta", "review"}
    assert data["meta"]["1"]["annotator"] == "gold"
    gold = sorted(data["annotations"].values(), key=lambda r: r["start"])
    assert [(r["quote"], r["tag"], r["annotator"]) for r in gold] == [
        ("seemingly ruling out", "hedge", REVIEWER), ("appeared to support", "hedge", REVIEWER)]
    assert gold[0]["note"] == "bob: reads as a pledge"
    assert gold[1]["note"] == "alice: hedged support"
    table = data["review"]
    assert set(table) == {agreed.key, single.key, partial.key}
    record = table[partial.key]
    bob_id = {a.quote: a.id for a in review.layers["bob"]}["seemingly ruling out"]
    assert record["decision"] == "edited" and record["tag"] == "hedge"
    assert record["reviewer"] == REVIEWER and record["from"] == ["bob"]
    assert record["sources"] == [f"bob:{bob_id}"] and record["gold"] == gold[0]["id"]
    assert table[agreed.key]["from"] == ["alice", "bob", "carol"]
    assert len(table[agreed.key]["sources"]) == 3 and table[agreed.key]["gold"] == gold[1]["id"]
    assert table[single.key] | {"at": ""} == {
        "decision": "rejected", "reviewer": REVIEWER, "from": ["carol"], "status": "single", "gold": "",
        "sources": [f"carol:{single.sources[0].id}"], "tag": "hedge", "at": ""}


def test_reopening_from_disk_keeps_decisions(review: Review, doc: Path) -> None:
    review.accept_all_agreed()
    review.reject(find(review, "NATO Secretary-General", "actor"))
    review.session.save()
    again = Review.open(doc, "someone-else")
    assert state(again) == state(review)
    assert again.decision(find(again, "NATO Secretary-General", "actor"))["reviewer"] == REVIEWER
    first = again.next_undecided_disagreement(0)
    assert first.quote == "Special Representative of the NATO Secretary-General"
    # the saved record survives a redundant accept: no duplicate gold
    assert again.accept(find(again, "Kazakhstan", "actor")) is None
    assert len(again.gold) == 3


def test_next_undecided_disagreement_order_and_wrap(review: Review) -> None:
    order = []
    candidate = review.next_undecided_disagreement(0)
    for _ in range(9):
        order.append((candidate.quote, candidate.tag))
        candidate = review.next_undecided_disagreement(candidate.start, after=candidate)
    expected = [(q, t) for q, t, status, _ in EXPECTED if status != "agreed"]
    assert order == expected + expected[:1]  # wraps round
    # by offset alone: the first starting after it
    text = review.text
    found = review.next_undecided_disagreement(text.index("seemingly"))
    assert found.quote == "intended to be agreed by the end of this year"
    # decided ones are skipped
    review.reject(find(review, "Special Representative of the NATO Secretary-General", "actor"))
    assert review.next_undecided_disagreement(0).quote == "NATO Secretary-General"
    for c in review.candidates:
        if c.status != "agreed":
            review.accept(c)
    assert review.next_undecided_disagreement(0) is None


def test_summary_counts_and_agreement(review: Review) -> None:
    review.accept_all_agreed()
    review.reject(find(review, "NATO Secretary-General", "actor"))
    review.accept(find(review, "seemingly ruling out", "hedge"), "commitment")
    summary = review.summary()
    assert summary["reviewer"] == REVIEWER and summary["annotators"] == ["alice", "bob", "carol"]
    assert summary["candidates"] == 11
    assert summary["status"] == {"agreed": 3, "partial": 4, "single": 4}
    assert summary["decisions"] == {"accepted": 3, "rejected": 1, "edited": 1}
    assert (summary["decided"], summary["undecided"], summary["undecided_disagreements"]) == (5, 6, 6)
    assert summary["gold"] == 4
    report = summary["agreement"]
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("alice", "bob"), ("alice", "carol"), ("bob", "carol")]
    bob_carol = report["pairs"][2]["overall"]
    assert (bob_carol["exact_matches"], bob_carol["spans_a"], bob_carol["spans_b"]) == (3, 6, 5)


def test_cli_review_errors_are_one_line(capsys, tmp_path: Path) -> None:
    doc = make_project(tmp_path / "p", {})
    assert main(["review", str(doc), "--reviewer", "rita"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hedgerow: no annotation files for seed.txt in ") and err.count("\n") == 1
    assert main(["review", str(tmp_path / "missing.txt")]) == 2
    assert capsys.readouterr().err.strip() == f"hedgerow: {tmp_path / 'missing.txt'}: no such file"
    assert main(["review", str(doc), "--reviewer", " "]) == 2
    assert "--reviewer needs a name" in capsys.readouterr().err


def test_the_entity_the_annotators_named_goes_into_gold(doc: Path) -> None:
    """An actor's entity ("Robert Simmons" for "Ambassador Robert Simmons") was left out of gold, so
    the gold brief and report listed the span as an actor of its own."""
    from tui.core.session import Session, SessionOptions

    quote = "Ambassador Robert Simmons"
    for name, entity in (("alice", "Robert Simmons"), ("bob", "Robert Simmons"), ("carol", "Simmons")):
        session = Session.open(doc, SessionOptions(annotator=name))
        [actor] = [a for a in session.layer if a.quote == quote]
        session.set_entity(actor.id, entity)
        session.save()
    review = Review.open(doc, REVIEWER)
    candidate = find(review, quote, "actor")
    assert sorted(s.entity for s in candidate.sources) == ["Robert Simmons", "Robert Simmons", "Simmons"]
    review.accept(candidate)
    review.session.save()
    (gold,) = review.gold
    assert gold.entity == "Robert Simmons"  # the one most of them named
    assert gold.note == "bob: NATO envoy\nentities differ: alice: Robert Simmons; bob: Robert Simmons; carol: Simmons"
    stored = json.loads(gold_file(doc).read_text(encoding="utf-8"))["annotations"]
    assert [r["entity"] for r in stored.values()] == ["Robert Simmons"]
