"""`hedgerow add` trims a span as the TUI's tag keys do; `hedgerow import` keeps one of each span and tag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.session import Session, SessionOptions
from tui.core.spans import trimmed_span

FORMATS = ("json", "w3c", "jsonl", "csv", "qdpx")


def run(capsys: pytest.CaptureFixture, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def text_of(doc: Path) -> str:
    return Session.open(doc, SessionOptions(annotator="nobody")).text


def layer(doc: Path, annotator: str) -> Session:
    return Session.open(doc, SessionOptions(annotator=annotator))


# -- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "span", "trimmed"), [
    ("a Simmons b", (2, 9), (2, 9)),  # nothing to trim
    ("a Simmons b", (1, 10), (2, 9)),  # a space either side
    ("Simmons, said", (0, 9), (0, 8)),  # the comma is kept, the space goes
    ("x\n\t Simmons\u00a0\u2003y", (1, 13), (4, 11)),  # newlines, tabs, no-break and em spaces
    ("a \n\n b", (1, 5), None),  # only white space
    ("a  b", (1, 3), None),
])
def test_trimmed_span(text: str, span: tuple[int, int], trimmed: tuple[int, int] | None) -> None:
    assert trimmed_span(text, *span) == trimmed
    if trimmed is not None:
        assert text[slice(*trimmed)] == text[slice(*span)].strip()


# -- add --------------------------------------------------------------------------------------


def test_add_refuses_a_span_of_white_space_alone(capsys, project_doc: Path) -> None:
    start = text_of(project_doc).index("\n\n")
    code, out, err = run(capsys, "add", project_doc, "--annotator", "alice", "--start", start, "--end", start + 2,
                         "--tag", "actor")
    assert (code, out) == (2, "")
    assert err == f"hedgerow: --start {start} --end {start + 2} is only white space; nothing tagged\n"
    assert not layer(project_doc, "alice").layer_exists


def test_add_trims_white_space_and_says_where_it_stored(capsys, project_doc: Path) -> None:
    text = text_of(project_doc)
    start = text.index("Robert Simmons, ") - 1  # " Robert Simmons, " as a word move would select it
    end = start + len(" Robert Simmons, ")
    code, out, err = run(capsys, "add", project_doc, "--annotator", "alice", "--start", start, "--end", end,
                         "--tag", "actor", "--json")
    assert code == 0
    record = json.loads(out)
    assert (record["start"], record["end"], record["quote"]) == (start + 1, end - 1, "Robert Simmons,")
    assert err == f"trimmed white space: stored {start + 1}-{end - 1}\n"
    # Now the span is the one another annotator's "Robert Simmons," is: the same span twice is refused.
    code, out, err = run(capsys, "add", project_doc, "--annotator", "alice", "--start", start + 1, "--end", end - 1,
                         "--tag", "actor")
    assert code == 2 and "the same span twice" in err
    assert [a.quote for a in layer(project_doc, "alice").layer] == ["Robert Simmons,"]


def test_add_of_a_trimmed_span_says_nothing_more(capsys, project_doc: Path) -> None:
    start = text_of(project_doc).index("Robert Simmons")
    code, out, err = run(capsys, "add", project_doc, "--annotator", "alice", "--start", start, "--end", start + 14,
                         "--tag", "actor")
    assert code == 0 and err == "" and len(out.strip()) == 36


# -- import -----------------------------------------------------------------------------------


def both_tag(capsys, doc: Path) -> dict[str, dict[str, str]]:
    """alice and bob tag the same actor and commitment, and link them; bob tags one more actor."""
    text = text_of(doc)
    ids: dict[str, dict[str, str]] = {}
    for who in ("alice", "bob"):
        spans = [("Robert Simmons", "actor"), ("strengthening its partnership", "commitment")]
        if who == "bob":
            spans.append(("Kazakhstan", "actor"))
        ids[who] = {}
        for quote, tag in spans:
            start = text.index(quote)
            code, out, err = run(capsys, "add", doc, "--annotator", who, "--start", start,
                                 "--end", start + len(quote), "--tag", tag)
            assert code == 0, err
            ids[who][quote] = out.strip()
        code, _, err = run(capsys, "link", doc, "--annotator", who, ids[who]["strengthening its partnership"],
                           ids[who]["Robert Simmons"], "--relation", "by")
        assert code == 0, err
    return ids


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_of_two_layers_keeps_one_of_each_span_and_tag(capsys, project_doc: Path, fmt: str) -> None:
    ids = both_tag(capsys, project_doc)
    export = project_doc.parent / f"all.{fmt}"
    code, _, err = run(capsys, "export", project_doc, "--all", "--format", fmt, "-o", export)
    assert code == 0, err
    code, _, err = run(capsys, "import", project_doc, export, "--annotator", "hank")
    assert code == 0, err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("imported 3 (2 duplicates of a span and tag left out), skipped 0 already present")
    hank = layer(project_doc, "hank")
    spans = sorted((a.start, a.end, a.tag) for a in hank.layer)
    assert len(spans) == len(set(spans)) == 3
    assert {a.quote for a in hank.layer} == {"Robert Simmons", "strengthening its partnership", "Kazakhstan"}
    # The link both made is there once, between the annotations kept.
    [link] = list(hank.links)
    assert hank.layer[link.source].quote == "strengthening its partnership"
    assert hank.layer[link.target].quote == "Robert Simmons"
    assert {link.source, link.target} <= {*ids["alice"].values(), *ids["bob"].values()}  # ids kept

    # Again: what the layer holds is left out too, by id or by span and tag.
    code, _, err = run(capsys, "import", project_doc, export, "--annotator", "hank")
    assert code == 0, err
    assert err.strip().splitlines()[-1].startswith("imported 0 (2 duplicates of a span and tag left out), "
                                                   "skipped 3 already present")
    assert len(layer(project_doc, "hank").layer) == 3


def test_import_leaves_out_a_span_and_tag_the_layer_has_under_another_id(capsys, project_doc: Path) -> None:
    both_tag(capsys, project_doc)
    export = project_doc.parent / "bob.json"
    assert run(capsys, "export", project_doc, "--annotator", "bob", "-o", export)[0] == 0
    code, _, err = run(capsys, "import", project_doc, export, "--annotator", "alice")
    assert code == 0, err
    assert err.strip().startswith("imported 1 (2 duplicates of a span and tag left out), skipped 0 already present")
    alice = layer(project_doc, "alice")
    assert sorted(a.quote for a in alice.layer) == ["Kazakhstan", "Robert Simmons", "strengthening its partnership"]
    assert len(list(alice.links)) == 1  # bob's link is alice's, once


def test_one_duplicate_is_said_in_the_singular(capsys, project_doc: Path) -> None:
    text = text_of(project_doc)
    start = text.index("Kazakhstan")
    for who in ("alice", "bob"):
        assert run(capsys, "add", project_doc, "--annotator", who, "--start", start, "--end", start + 10,
                   "--tag", "actor")[0] == 0
    export = project_doc.parent / "all.jsonl"
    assert run(capsys, "export", project_doc, "--all", "-f", "jsonl", "-o", export)[0] == 0
    code, _, err = run(capsys, "import", project_doc, export, "--annotator", "hank")
    assert code == 0 and err.startswith("imported 1 (1 duplicate of a span and tag left out), ")
