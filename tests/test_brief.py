"""The brief: built from links, rendered as JSON, Markdown and text; and the scriptable CLI that builds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from tui.cli import main
from tui.core.brief import build_brief, md_escape, to_markdown, to_text
from tui.core.session import Session, SessionOptions

ALICE = ["--annotator", "alice"]
SENTENCE = ("Simmons also suggested that NATO’s Partnership for Peace (PfP) Planning and Review Process (PARP) "
            "project could include setting up a team by 2007 to react to disasters, including those that resulted "
            "from the use of weapons of mass destruction or major terrorist incidents.")


def run(capsys: pytest.CaptureFixture, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def offsets(doc: Path, quote: str, after: str = SENTENCE) -> tuple[int, int]:
    text = Session.open(doc, SessionOptions(annotator="nobody")).text
    start = text.index(quote, text.index(after))
    return start, start + len(quote)


def add(capsys, doc: Path, quote: str, tag: str, *extra: str) -> str:
    start, end = offsets(doc, quote)
    code, out, err = run(capsys, "add", doc, *ALICE, "--start", start, "--end", end, "--tag", tag, *extra)
    assert code == 0, err
    return out.strip()


def test_simmons_through_the_cli(capsys, project_doc: Path) -> None:
    actor = add(capsys, project_doc, "Simmons", "actor")
    commitment = add(capsys, project_doc, "setting up a team by 2007", "commitment")
    suggested = add(capsys, project_doc, "suggested", "hedge")
    could = add(capsys, project_doc, "could", "hedge")
    own_voice = add(capsys, project_doc, "major", "hedge")  # linked to nothing
    assert run(capsys, "link", project_doc, *ALICE, commitment, actor, "--relation", "by")[0] == 0
    assert run(capsys, "link", project_doc, *ALICE, suggested[:8], commitment, "-r", "hedges")[0] == 0  # a prefix
    assert run(capsys, "link", project_doc, *ALICE, could, commitment, "--relation", "hedges")[0] == 0
    code, out, err = run(capsys, "brief", project_doc, *ALICE, "--format", "json")
    assert code == 0, err
    brief = json.loads(out)
    assert brief["hedgerow"] == {"format": "hedgerow-brief", "version": 1}
    assert brief["document"]["path"] == "seed.txt"
    [simmons] = brief["entities"]
    assert simmons["entity"] == "Simmons" and [m["id"] for m in simmons["mentions"]] == [actor]
    [made] = simmons["commitments"]
    assert (made["id"], made["quote"], made["hedged"]) == (commitment, "setting up a team by 2007", True)
    assert made["sentence"]["text"] == SENTENCE
    assert [h["quote"] for h in made["hedges"]] == ["suggested", "could"]
    assert [h["id"] for h in made["hedges"]] == [suggested, could]
    assert (simmons["hedged"], simmons["bare"]) == (1, 0)
    assert [h["id"] for h in brief["unlinked_hedges"]] == [own_voice]
    assert brief["totals"] == {"entities": 1, "commitments": 1, "attributions": 1, "hedged": 1, "bare": 0,
                               "unattributed": 0, "unlinked_hedges": 1}

    code, out, _ = run(capsys, "brief", project_doc, *ALICE, "--format", "md")
    assert code == 0 and "### Simmons" in out and "**“setting up a team by 2007”**" in out
    assert "hedges: “suggested”, “could”" in out
    code, out, _ = run(capsys, "brief", project_doc, *ALICE)
    assert code == 0 and "Simmons" in out and "1 hedged · 0 bare" in out and "█" in out

    # Deleting the commitment takes its links; unlink takes one.
    code, _, err = run(capsys, "unlink", project_doc, *ALICE, could, commitment)
    assert code == 0 and "removed 1 link" in err
    code, _, err = run(capsys, "delete", project_doc, *ALICE, commitment)
    assert code == 0 and "and its 2 links" in err
    brief = json.loads(run(capsys, "brief", project_doc, *ALICE, "-f", "json")[1])
    assert brief["entities"][0]["commitments"] == [] and len(brief["unlinked_hedges"]) == 3


def test_add_json_prints_the_record(capsys, project_doc: Path) -> None:
    start, end = offsets(project_doc, "Simmons")
    code, out, _ = run(capsys, "add", project_doc, *ALICE, "--start", start, "--end", end, "--tag", "actor",
                       "--note", "the ambassador", "--json")
    record = json.loads(out)
    assert code == 0 and (record["quote"], record["note"], record["tag"]) == ("Simmons", "the ambassador", "actor")
    assert Session.open(project_doc, SessionOptions(annotator="alice")).get(record["id"]).quote == "Simmons"


@pytest.mark.parametrize(("args", "message"), [
    (["add", "--start", "5", "--end", "3", "--tag", "actor"], "bad offsets --start 5 --end 3: need 0 <= start < end"),
    (["add", "--start", "0", "--end", "99999999", "--tag", "actor"], "bad offsets"),
    (["add", "--start", "0", "--end", "3", "--tag", "person"], "unknown tag 'person'"),
    (["link", "nope", "nope2", "--relation", "by"], "no annotation with id 'nope'"),
    (["delete", "0123456789"], "no annotation with id '0123456789'"),
    (["unlink", "abcd", "abce"], "no annotation with id 'abcd'"),
])
def test_bad_input_is_one_line_exit_2(capsys, project_doc: Path, args: list[str], message: str) -> None:
    code, out, err = run(capsys, args[0], project_doc, *ALICE, *args[1:])
    assert code == 2 and out == ""
    assert err.startswith("hedgerow: ") and message in err and err.count("\n") == 1


def test_wrong_relation_and_duplicates_exit_2(capsys, project_doc: Path) -> None:
    actor = add(capsys, project_doc, "Simmons", "actor")
    hedge = add(capsys, project_doc, "could", "hedge")
    code, _, err = run(capsys, "link", project_doc, *ALICE, hedge, actor, "--relation", "hedges")
    assert code == 2 and "relation 'hedges' links a hedge to a commitment, not a hedge to an actor" in err
    code, _, err = run(capsys, "link", project_doc, *ALICE, hedge, actor, "--relation", "of")
    assert code == 2 and "unknown relation 'of'" in err
    code, _, err = run(capsys, "link", project_doc, *ALICE, hedge, hedge, "--relation", "hedges")
    assert code == 2 and "itself" in err


def test_brief_groups_by_entity_and_lists_unattributed(project_doc: Path) -> None:
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    text = session.text

    def tag(quote: str, name: str, after: int = 0):
        start = text.index(quote, after)
        return session.add(start, start + len(quote), name)

    at = text.index(SENTENCE)
    first = tag("Simmons", "actor")
    second = tag("Simmons", "actor", at)
    made = tag("setting up a team by 2007", "commitment", at)
    alone = tag("to react to disasters", "commitment", at)
    session.link(made.id, second.id, "by")
    brief = build_brief(text, session.layer, session.links, {"title": "t"})
    [simmons] = brief.entities
    assert [a.id for a in simmons.actors] == [first.id, second.id]
    assert [c.span.id for c in simmons.commitments] == [made.id]
    assert (simmons.hedged, simmons.bare) == (0, 1)
    assert [c.span.id for c in brief.unattributed] == [alone.id]
    # The same without an id lookup given (everything indexed).
    assert build_brief(text, list(session.layer), list(session.links)).to_json()["totals"] == brief.to_json()["totals"]


def test_a_commitment_by_several_actors_and_hedges_in_any_order(project_doc: Path) -> None:
    """One actor and one hedge (the usual case, read without a list) and several of each: two
    entities list the commitment once each, two mentions of one entity once, hedges in text order,
    and a `by` link to an annotation that is no actor (a hand edit) leaves it unattributed."""
    from tui.core.links import Link, LinkIndex

    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    text = session.text
    at = text.index(SENTENCE)

    def tag(quote: str, name: str, after: int = at):
        start = text.index(quote, after)
        return session.add(start, start + len(quote), name)

    simmons, nato = tag("Simmons", "actor"), tag("NATO", "actor")
    again = tag("Simmons", "actor", 0)  # the same entity, another mention
    made, other, odd = (tag("setting up a team by 2007", "commitment"), tag("to react to disasters", "commitment"),
                        tag("PARP", "commitment"))
    suggested, could = tag("suggested", "hedge"), tag("could", "hedge")
    links = [Link(made.id, "by", simmons.id), Link(made.id, "by", nato.id), Link(made.id, "by", again.id),
             Link(could.id, "hedges", made.id), Link(suggested.id, "hedges", made.id),
             Link(other.id, "by", nato.id), Link(could.id, "hedges", other.id),
             Link(odd.id, "by", suggested.id)]  # not an actor: no entity
    index = LinkIndex({str(n): link.to_record() for n, link in enumerate(links, 1)})
    for given in (index, links):
        brief = build_brief(text, session.layer, given)
        named = {e.name: [(c.span.id, [h.id for h in c.hedges]) for c in e.commitments] for e in brief.entities}
        assert named == {"Simmons": [(made.id, [suggested.id, could.id])],
                         "NATO": [(made.id, [suggested.id, could.id]), (other.id, [could.id])]}
        assert [c.span.id for c in brief.unattributed] == [odd.id]
        # Three commitments, one of them made by two actors: counted once, and once per actor as an attribution.
        assert brief.totals().to_json() == {"entities": 2, "commitments": 3, "attributions": 3, "hedged": 2,
                                            "bare": 1, "unattributed": 1, "unlinked_hedges": 0}


def test_untrusted_text_is_inert_in_every_rendering(project_doc: Path) -> None:
    evil = "[bold red]x[/] *em* <b>hi</b> | \x1b]52;c;aGk=\x07 [link](http://e)"
    doc = project_doc.parent / "evil.txt"
    doc.write_text(f"{evil} pledged to act.\n", encoding="utf-8")
    session = Session.open(doc, SessionOptions(annotator="alice"))
    actor = session.add(0, len(evil), "actor")
    made = session.add(len(evil) + 1, len(evil) + 15, "commitment")
    session.link(made.id, actor.id, "by")
    brief = build_brief(session.text, session.layer, session.links, {"title": evil})
    md = to_markdown(brief)
    assert "\x1b" not in md and "\x07" not in md and "<b>" not in md and "*em*" not in md and "[link](http" not in md
    assert "[bold red]" not in md and "\\[bold red\\]x\\[/\\]" in md
    assert md_escape("a|b") == "a\\|b"
    console = Console(width=200, record=True, color_system=None, force_terminal=True)
    console.print(to_text(brief, 200))
    shown = console.export_text()
    assert "[bold red]x[/]" in shown  # printed as text, not applied as markup
    assert "\x1b" not in shown and "\x07" not in shown


def test_entities_group_mentions_set_through_the_cli_and_undoable(capsys, project_doc: Path) -> None:
    simmons = add(capsys, project_doc, "Simmons", "actor", "--entity", "  Robert   Simmons ")
    text = Session.open(project_doc, SessionOptions(annotator="nobody")).text
    first = text.index("Simmons")
    code, out, _ = run(capsys, "add", project_doc, *ALICE, "--start", first, "--end", first + 7, "--tag", "actor",
                       "--entity", "Robert Simmons", "--json")
    assert code == 0 and json.loads(out)["entity"] == "Robert Simmons"
    other = json.loads(out)["id"]
    made = add(capsys, project_doc, "setting up a team by 2007", "commitment")
    run(capsys, "link", project_doc, *ALICE, made, other, "-r", "by")
    brief = json.loads(run(capsys, "brief", project_doc, *ALICE, "-f", "json")[1])
    [entity] = brief["entities"]
    assert entity["entity"] == "Robert Simmons" and {m["id"] for m in entity["mentions"]} == {simmons, other}
    assert [c["id"] for c in entity["commitments"]] == [made]
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    session.set_entity(simmons, "Simmons")  # the quote itself: stored as "" (the default)
    assert session.get(simmons).entity == ""
    session.undo()
    assert session.get(simmons).entity == "Robert Simmons"
    # W3C carries it and the import restores it.
    from tui.core.export import render
    from tui.core.importer import parse_export

    back = {a.id: a for a in parse_export(render("w3c", session.document, session.layer), "x")}
    assert back[simmons].entity == "Robert Simmons" and back[made].entity == ""


def test_brief_json_is_inert_on_a_terminal() -> None:
    from tui.commands.editing import inert_json

    data = {"quote": "a\u009b31mred\u202eevil\x1b]52;c;x\x07 ok"}
    text = inert_json(data)
    assert json.loads(text) == data  # the same JSON
    assert all(c not in text for c in "\u009b\u202e\x1b\x07")


def test_corpus_brief_sums_per_entity_across_documents(capsys, project: Path, project_doc: Path) -> None:
    import shutil

    other = project / "docs" / "second.txt"
    other.parent.mkdir()
    shutil.copyfile(project_doc, other)
    for doc in (project_doc, other):
        actor = add(capsys, doc, "Simmons", "actor", "--entity", "Robert Simmons")
        made = add(capsys, doc, "setting up a team by 2007", "commitment")
        hedge = add(capsys, doc, "could", "hedge")
        assert run(capsys, "link", doc, *ALICE, made, actor, "-r", "by")[0] == 0
        if doc == project_doc:
            assert run(capsys, "link", doc, *ALICE, hedge, made, "-r", "hedges")[0] == 0
    code, out, err = run(capsys, "brief", "--corpus", project, *ALICE, "-f", "json")
    assert code == 0, err
    brief = json.loads(out)
    [entity] = brief["entities"]
    assert entity["entity"] == "Robert Simmons" and (entity["hedged"], entity["bare"]) == (1, 1)
    assert sorted(c["document"] for c in entity["commitments"]) == ["docs/second.txt", "seed.txt"]
    assert [h["document"] for h in brief["unlinked_hedges"]] == ["docs/second.txt"]
    assert sorted(brief["document"]["documents"]) == ["docs/second.txt", "seed.txt"]
    code, out, _ = run(capsys, "brief", "--corpus", project, *ALICE, "-f", "md")
    assert code == 0 and "(docs/second.txt, " in out
    code, out, _ = run(capsys, "brief", "--corpus", project, *ALICE, "-f", "text")
    [unlinked] = [line for line in out.splitlines() if line.strip().startswith("“could”")]
    assert code == 0 and "docs/second.txt" in unlinked  # offsets mean something per document
    code, _, err = run(capsys, "brief", *ALICE)
    assert code == 2 and "give a document, or --corpus DIR" in err


def test_a_layers_rows_read_as_its_annotations_are(project_doc: Path) -> None:
    """`tagged` reads a Layer column by column; every kind of row (a note, an entity, an id that is
    not a canonical uuid, a quote the text no longer says) reads as the Annotations themselves do."""
    import uuid
    from dataclasses import replace

    from tui.core.brief import id_texts, tagged
    from tui.core.layer import Layer

    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    text = session.text
    at = text.index(SENTENCE)
    plain = session.add(at, at + 7, "actor")
    session.add(at + 13, at + 22, "hedge", note="a note")
    named = session.add(at + 100, at + 107, "actor")
    session.set_entity(named.id, "Robert  Simmons")
    made = session.add(at + 150, at + 175, "commitment", note="kept")
    others = [replace(plain, id="Not-A-Canonical-Id", start=at + 30, end=at + 35, quote=text[at + 30:at + 35]),
              replace(made, id=str(uuid.uuid4()), quote="a quote the text no longer says"),
              replace(plain, id=str(uuid.uuid4()), tag="other")]
    layer = Layer([*session.layer, *others], text)
    wanted = ("actor", "commitment", "hedge", "other", "nobody uses this tag")
    assert tagged(layer, wanted) == tagged(list(layer), wanted)
    actors = tagged(layer, ["actor"])["actor"]
    assert [s.id for s in actors.spans] == [plain.id, "Not-A-Canonical-Id", named.id]
    assert actors.entities[2] == "Robert Simmons" and tagged(layer, ["hedge"])["hedge"].notes == ["a note"]
    raw = [uuid.uuid4() for _ in range(50)]
    assert id_texts(b"".join(u.bytes for u in raw)) == [str(u) for u in raw] and id_texts(b"") == []


def test_a_commitments_sentence_is_found_when_asked_for(project_doc: Path) -> None:
    from tui.core.segment import sentence_at

    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    text = session.text
    spans = [session.add(offset, offset + 4, "commitment") for offset in (text.index(SENTENCE) + 160, 40, 900)]
    brief = build_brief(text, session.layer, session.links)
    by_start = {c.span.start: c for c in brief.unattributed}
    for span in reversed(spans):  # out of document order: each paragraph is split once, whatever the order
        commitment = by_start[span.start]
        assert (commitment.sentence_start, commitment.sentence_end) == sentence_at(text, span.start)
        assert commitment.sentence == text[slice(*sentence_at(text, span.start))]
    assert by_start[spans[0].start].sentence == SENTENCE
    # The brief screen's sentence line finds its span only when chosen; it is the sentence's.
    from tui.app.brief_screen import brief_lines

    targets = {line.item.span.start: line.target for line in brief_lines(brief) if line.kind == "sentence"}
    assert targets == {span.start: sentence_at(text, span.start) for span in spans}


ROLES_CODEBOOK = """
[[tags]]
name = "actor"
colour = "#5fafff"
[[tags]]
name = "claim"
colour = "dark_orange"
[[tags]]
name = "hedge"
colour = "magenta"
[[relations]]
name = "states"
from = "claim"
to = "actor"
role = "by"
[[relations]]
name = "softens"
from = "hedge"
to = "claim"
role = "hedges"
"""


def test_a_codebook_of_claims_gets_a_brief_of_claims(capsys, project_doc: Path) -> None:
    (project_doc.parent / "hedgerow.toml").write_text(ROLES_CODEBOOK, encoding="utf-8")
    actor = add(capsys, project_doc, "Simmons", "actor")
    claim = add(capsys, project_doc, "setting up a team by 2007", "claim")
    could = add(capsys, project_doc, "could", "hedge")
    add(capsys, project_doc, "major", "hedge")
    assert run(capsys, "link", project_doc, *ALICE, claim, actor, "--relation", "states")[0] == 0
    assert run(capsys, "link", project_doc, *ALICE, could, claim, "--relation", "softens")[0] == 0
    brief = json.loads(run(capsys, "brief", project_doc, *ALICE, "--format", "json")[1])
    assert brief["roles"] == {"actor": "actor", "commitment": "claim", "hedge": "hedge",
                              "by": "states", "hedges": "softens"}
    [simmons] = brief["entities"]
    [made] = simmons["commitments"]
    assert made["id"] == claim and [h["id"] for h in made["hedges"]] == [could]
    assert [h["quote"] for h in brief["unlinked_hedges"]] == ["major"]  # "could" softens a claim: not the author's
    code, out, _ = run(capsys, "brief", project_doc, *ALICE, "--format", "md")
    assert code == 0 and "1 claim: 1 hedged, 0 bare" in out and "### Hedges linked to no claim" in out
    code, out, _ = run(capsys, "brief", project_doc, *ALICE)
    assert code == 0 and "1 claim: 1 hedged, 0 bare · 1 actor · 1 hedge linked to no claim" in out
    report = project_doc.parent / "report.html"
    assert run(capsys, "report", project_doc, *ALICE, "-o", report)[0] == 0
    html = report.read_text(encoding="utf-8")
    assert "1 claim: 1 hedged, 0 bare" in html and "<h3>Hedges linked to no claim</h3>" in html


def test_a_codebook_with_nothing_to_sum_up_says_so(capsys, project_doc: Path) -> None:
    (project_doc.parent / "hedgerow.toml").write_text(
        '[[tags]]\nname = "claim"\ncolour = "red"\n[[tags]]\nname = "source"\ncolour = "blue"\n'
        '[[relations]]\nname = "cites"\nfrom = "claim"\nto = "source"\n', encoding="utf-8")
    add(capsys, project_doc, "Simmons", "source")
    code, out, err = run(capsys, "brief", project_doc, *ALICE)
    assert code == 2 and out == ""
    assert "nothing to sum up: no relation is named, or has the role, by" in err and len(err.splitlines()) == 1


def test_the_gold_layer_has_a_brief(capsys, project_doc: Path) -> None:
    import shutil

    from tui.core.paths import layer_path

    actor = add(capsys, project_doc, "Simmons", "actor")
    commitment = add(capsys, project_doc, "setting up a team by 2007", "commitment")
    assert run(capsys, "link", project_doc, *ALICE, commitment, actor, "--relation", "by")[0] == 0
    shutil.copyfile(layer_path(project_doc, "alice"), layer_path(project_doc, "gold"))  # as the review writes it
    code, out, err = run(capsys, "brief", project_doc, "--layer", "gold", "--format", "json")
    assert code == 0, err
    assert [e["entity"] for e in json.loads(out)["entities"]] == ["Simmons"]
    code, out, err = run(capsys, "brief", "--corpus", project_doc.parent, "--layer", "gold", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["totals"]["commitments"] == 1


def test_the_same_span_and_tag_twice_is_refused_in_one_line(capsys, project_doc: Path) -> None:
    """A second `actor` on the same span was added and counted twice (legend, brief, agreement)."""
    add(capsys, project_doc, "Simmons", "actor")
    start, end = offsets(project_doc, "Simmons")
    code, out, err = run(capsys, "add", project_doc, *ALICE, "--start", start, "--end", end, "--tag", "actor")
    assert code == 2 and out == "" and err.count("\n") == 1 and "already tagged actor there" in err
    add(capsys, project_doc, "Simmons", "hedge")  # another tag on the same span is another annotation
    add(capsys, project_doc, "Simmons also", "actor")  # and the same tag on another span
    assert len(Session.open(project_doc, SessionOptions(annotator="alice")).layer) == 3


def test_the_text_brief_reads_without_colour_and_lines_its_bars_up(capsys, project: Path) -> None:
    """Piped (no colour), hedged and bare are two glyphs, in the bars as in the legend; every
    entity's bar starts in one column, a long name cut with … to it, a wide one padded by cells."""
    from tests.test_brief_screen import ACTORS, LONG_NAME, annotated, bar_column
    from tui.core.brief import BARE_MARK, HEDGED_MARK, NAME_COLUMN

    doc = annotated(project)
    code, out, _ = run(capsys, "brief", doc, *ALICE, "--format", "text")
    assert code == 0
    lines = out.splitlines()
    assert f"  {HEDGED_MARK} hedged {BARE_MARK} bare" in lines[1] and HEDGED_MARK != BARE_MARK
    heads = [line for line in lines if " hedged · " in line]
    assert len(heads) == len(ACTORS)
    assert {bar_column(line) for line in heads} == {NAME_COLUMN + 2}
    ministry = next(line for line in heads if line.startswith("The ministry"))
    assert ministry.count(HEDGED_MARK) == ministry.count(BARE_MARK) == 10  # 1 hedged, 1 bare
    long = next(line for line in heads if line.startswith("A Very Long"))
    assert long.startswith("A Very Long Named Organisation… ") and LONG_NAME not in long


def test_the_name_column_counts_cells_and_stops_at_its_most() -> None:
    from tui.core.brief import NAME_COLUMN, name_column

    assert name_column([]) == 0 and name_column(["Ann", "Bo"]) == 3
    assert name_column(["東京都庁", "ab"]) == 8  # two cells a character
    assert name_column(["日" * 10, "a" * 19]) == 20 and name_column(["é" * 19, "a" * 3]) == 19
    assert name_column(["x" * 50]) == name_column(["日" * 40]) == NAME_COLUMN
    assert name_column(["Min\x1b]0;X\x07istry"]) == 14  # each control a one-cell stand-in


def _key_order(value: object) -> object:
    """Every object's keys in order, nested as the value is (a list by its first item)."""
    if isinstance(value, dict):
        return [(key, _key_order(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_key_order(value[0])] if value else []
    return None


def test_brief_json_keys_come_in_the_readmes_order(capsys, project_doc: Path) -> None:
    """`brief --format json` writes "hedgerow" first and every key where the README's example has it."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index('```json\n{\n  "hedgerow": {"format": "hedgerow-brief"') + len("```json\n"):]
    documented = json.loads(example[:example.index("```")])
    actor = add(capsys, project_doc, "Simmons", "actor")
    made = add(capsys, project_doc, "setting up a team by 2007", "commitment")
    run(capsys, "link", project_doc, *ALICE, made, actor, "-r", "by")
    run(capsys, "link", project_doc, *ALICE, add(capsys, project_doc, "could", "hedge"), made, "-r", "hedges")
    code, out, _ = run(capsys, "brief", project_doc, *ALICE, "--format", "json")
    assert code == 0 and out.lstrip().startswith('{\n  "hedgerow": {')
    written = json.loads(out)
    assert list(written) == list(documented)
    for key in ("hedgerow", "document", "roles", "entities", "totals"):
        assert _key_order(written[key]) == _key_order(documented[key]), key
