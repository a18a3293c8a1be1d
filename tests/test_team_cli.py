"""`check` and `agree` across every layer, and decisions following re-anchored spans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from team_fixture import REVIEWER, find, make_project

from tui.cli import main
from tui.core.review import Review
from tui.core.store import AnnotationStore


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def edit_text(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("Kazakhstan has taken", "Kazakhstan, it seems, has taken"), encoding="utf-8")


def test_check_all_reports_every_layer_and_apply_moves_them(doc: Path, capsys) -> None:
    edit_text(doc)
    assert main(["check", str(doc), "--all"]) == 0
    out = capsys.readouterr().out
    for name in ("alice", "bob", "carol"):
        assert f"{name}: " in out and "moved" in out
    assert main(["check", str(doc), "--all", "--apply"]) == 0
    out = capsys.readouterr().out
    assert "moved to new offsets" in out
    text = doc.read_text(encoding="utf-8")
    for name in ("alice", "bob", "carol"):
        stored = AnnotationStore(doc.parent / "annotations" / "seed" / f"{name}.json").load()
        assert all(text[a.start:a.end] == a.quote for a in stored.annotations)


def test_check_a_missing_layer_is_an_error_not_a_pass(doc: Path, capsys) -> None:
    assert main(["check", str(doc), "--annotator", "zed"]) == 2
    assert "zed.json does not exist" in capsys.readouterr().err


def test_agree_warns_on_changed_text_and_names_the_failing_pair(doc: Path, capsys) -> None:
    edit_text(doc)
    assert main(["agree", str(doc), "--min-f1", "0.99"]) == 1
    err = capsys.readouterr().err
    assert "another version of the text" in err
    assert "alice/bob: exact-span F1" in err


def test_agree_refuses_a_threshold_outside_0_1(doc: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["agree", str(doc), "--min-f1", "1.5"])
    assert exit_.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err


def test_agree_json_is_machine_readable(doc: Path, capsys) -> None:
    assert main(["agree", str(doc), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["annotators"] == ["alice", "bob", "carol"] and len(report["pairs"]) == 3


def test_decisions_follow_their_candidates_after_the_layers_are_reanchored(doc: Path) -> None:
    review = Review.open(doc, REVIEWER)
    review.reject(find(review, "NATO Secretary-General", "actor"))
    review.accept(find(review, "Ambassador Robert Simmons", "actor"))
    review.session.save()
    edit_text(doc)
    assert main(["check", str(doc), "--all", "--apply"]) == 0
    review = Review.open(doc, REVIEWER)
    rejected = find(review, "NATO Secretary-General", "actor")
    accepted = find(review, "Ambassador Robert Simmons", "actor")
    assert review.decision(rejected)["decision"] == "rejected"
    assert review.decision(accepted)["decision"] == "accepted"
    assert review.summary(agreement=False)["stale_decisions"] == 0
    gold = review.session.layer[review.decision(accepted)["gold"]]
    assert (gold.start, gold.end) == (accepted.start, accepted.end)  # gold was re-anchored too


def test_export_all_layers_and_the_gold_layer_carry_their_creators(doc: Path, capsys) -> None:
    assert main(["export", str(doc), "--all", "--format", "w3c"]) == 0
    items = json.loads(capsys.readouterr().out)["first"]["items"]
    assert {item["creator"]["name"] for item in items} == {"alice", "bob", "carol"}
    assert len(items) == 7 + 6 + 5
    assert main(["export", str(doc), "--layer", "gold"]) == 2  # no review yet
    assert "gold.json does not exist" in capsys.readouterr().err
    review = Review.open(doc, REVIEWER)
    review.accept_all_agreed()
    review.session.save()
    assert main(["export", str(doc), "--layer", "gold", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 3 and {r["annotator"] for r in records} == {REVIEWER}
