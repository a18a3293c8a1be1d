"""A REFI-QDA export carries each annotation's entity as a Case (named by it, holding its mentions'
selections), valid against the XSD, and an import gives it back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.test_refi_qda import (
    NS,
    SOURCE,
    TRICKY,
    VALIDATOR,
    foreign_project,
    make_qdpx,
    project_xml,
    run,
    schema_errors,
    selection,
    shared_validator,
)
from tui.core.refi_qda import case_guid
from tui.core.session import Session, SessionOptions

ENTITIES = [("Robert Simmons", "Robert Simmons"), ("Simmons also", "Robert Simmons"),
            ("NATO", "AT&T <\"North Atlantic\"> Alliance"), ("Kazakhstan", "")]


@pytest.fixture
def tricky_doc(project: Path) -> Path:
    path = project / "tricky.txt"
    path.write_bytes(TRICKY.encode("utf-8"))
    return path


def tag_actors(doc: Path, annotator: str = "alice") -> dict[str, str]:
    """Actors with entities (two mentions of one, one with XML's special characters, one with none)."""
    session = Session.open(doc, SessionOptions(annotator=annotator))
    ids = {}
    for quote, entity in ENTITIES:
        start = session.text.index(quote)
        end = start + len(quote.split()[0]) if quote == "Simmons also" else start + len(quote)
        ids[quote] = session.add(start, end, "actor", entity=entity).id
    session.save()
    return ids


def entities_of(doc: Path, annotator: str) -> dict[tuple[int, int], str]:
    return {(a.start, a.end): a.entity for a in Session.open(doc, SessionOptions(annotator=annotator)).layer}


def test_entities_round_trip_through_qdpx_as_cases(capsys, project: Path, project_doc: Path) -> None:
    ids = tag_actors(project_doc)
    out = project / "actors.qdpx"
    code, _, err = run(capsys, "export", project_doc, "--annotator", "alice", "-f", "qdpx", "-o", out)
    assert code == 0, err
    assert "wrote 4 selections (0 with notes, 3 with an entity) by alice" in err
    assert schema_errors(out) == []
    root, _ = project_xml(out)
    selections = {s.get("guid") for s in root.iter(f"{{{NS['q']}}}PlainTextSelection")}
    cases = {case.get("name"): [ref.get("targetGUID") for ref in case.findall("q:SelectionRef", NS)]
             for case in root.findall("q:Cases/q:Case", NS)}
    assert cases == {"Robert Simmons": [ids["Robert Simmons"], ids["Simmons also"]],
                     "AT&T <\"North Atlantic\"> Alliance": [ids["NATO"]]}
    assert all(ref in selections for refs in cases.values() for ref in refs)
    assert [case.get("guid") for case in root.findall("q:Cases/q:Case", NS)] == [
        case_guid("AT&T <\"North Atlantic\"> Alliance"), case_guid("Robert Simmons")]
    if VALIDATOR.is_file():
        result = shared_validator(out)
        assert result.returncode == 0, result.stdout + result.stderr

    code, _, err = run(capsys, "import", project_doc, out, "--annotator", "carol")
    assert code == 0, err
    assert entities_of(project_doc, "carol") == entities_of(project_doc, "alice")
    assert sorted(entities_of(project_doc, "carol").values()) == [
        "", "AT&T <\"North Atlantic\"> Alliance", "Robert Simmons", "Robert Simmons"]


def test_json_and_qdpx_give_the_same_entities(capsys, project: Path, project_doc: Path) -> None:
    tag_actors(project_doc)
    for fmt, who in (("json", "by-json"), ("qdpx", "by-qdpx")):
        out = project / f"alice.{fmt}"
        assert run(capsys, "export", project_doc, "--annotator", "alice", "-f", fmt, "-o", out)[0] == 0
        assert run(capsys, "import", project_doc, out, "--annotator", who)[0] == 0
    assert entities_of(project_doc, "by-json") == entities_of(project_doc, "by-qdpx") == \
        entities_of(project_doc, "alice")


def test_a_project_without_entities_has_no_cases(capsys, project: Path, project_doc: Path) -> None:
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    start = session.text.index("NATO")
    session.add(start, start + 4, "actor")
    session.save()
    out = project / "plain.qdpx"
    code, _, err = run(capsys, "export", project_doc, "--annotator", "alice", "-f", "qdpx", "-o", out)
    assert code == 0 and "with an entity" not in err
    assert b"<Cases>" not in zipfile.ZipFile(out).read("project.qde")


def test_another_tools_cases_a_selection_in_two_has_no_entity(capsys, project: Path, tricky_doc: Path) -> None:
    from tui.core.document import Document

    text = Document.load(tricky_doc).text
    first, second = text.index("café"), text.index("appeared to commit")
    one = "b0000000-0000-4000-8000-000000000001"
    two = "b0000000-0000-4000-8000-000000000002"
    xml = foreign_project(selection(one, first, first + 4) + selection(two, second, second + 8))
    cases = (f'<Cases><Case guid="c0000000-0000-4000-8000-000000000001" name="  The   Café "><SelectionRef '
             f'targetGUID="{{{one.upper()}}}"/><SelectionRef targetGUID="{two}"/></Case>'
             f'<Case guid="c0000000-0000-4000-8000-000000000002" name="Interviewee 3"><SelectionRef '
             f'targetGUID="{two}"/></Case>'
             f'<Case guid="c0000000-0000-4000-8000-000000000003"><SelectionRef targetGUID="{one}"/></Case></Cases>')
    xml = xml.replace("<Sources>", cases + "<Sources>", 1)
    path = make_qdpx(project / "foreign.qdpx", xml, {f"sources/{SOURCE}.txt": text.encode("utf-8")})
    assert schema_errors(path) == []  # as a tool would write it
    code, _, err = run(capsys, "import", tricky_doc, path, "--annotator", "alice")
    assert code == 0, err
    assert "left alone: 1 selection in more than one case, so with no entity" in err
    layer = Session.open(tricky_doc, SessionOptions(annotator="alice")).layer
    assert {a.id: a.entity for a in layer} == {one: "The Café", two: ""}  # white space made single spaces


def test_layer_having_finds_exactly_the_annotations_with_an_entity(project_doc: Path) -> None:
    """The export's pass for Cases reads a Layer's rows through `having`: it must miss none."""
    from dataclasses import replace

    from tui.core.layer import Layer

    tag_actors(project_doc)
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    start = session.text.index("Kazakhstan", session.text.index("Kazakhstan") + 1)
    session.add(start, start + 10, "actor", note="a note and an entity", entity="Kazakhstan")
    session.add(start, start + 10, "hedge", note="a note alone")
    layers = [session.layer, Layer([replace(a, entity="X") if a.tag == "hedge" else a for a in session.layer],
                                   session.text)]
    for layer in layers:
        assert list(layer.having("entity")) == [a for a in layer if a.entity]
    assert len(list(layers[0].having("entity"))) == 4 and len(list(layers[1].having("entity"))) == 5


def test_a_layer_sharing_ids_with_another_refers_to_its_own_selections(capsys, project: Path,
                                                                       project_doc: Path) -> None:
    """An import keeps ids, so two layers can hold the same id: the second's selection gets another
    guid, and its Case must name that one."""
    tag_actors(project_doc)
    export = project / "alice.json"
    assert run(capsys, "export", project_doc, "--annotator", "alice", "-o", export)[0] == 0
    assert run(capsys, "import", project_doc, export, "--annotator", "bob")[0] == 0
    bob = Session.open(project_doc, SessionOptions(annotator="bob"))
    simmons = next(a for a in bob.layer if a.quote == "Simmons")
    bob.set_entity(simmons.id, "Ambassador Simmons")  # bob's own name for one mention
    bob.save()
    out = project / "all.qdpx"
    code, _, err = run(capsys, "export", project_doc, "--all", "-f", "qdpx", "-o", out)
    assert code == 0 and "(0 with notes, 6 with an entity)" in err
    assert schema_errors(out) == []
    root, _ = project_xml(out)
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{{{NS['q']}}}User")}
    owner = {s.get("guid"): users[s.get("creatingUser")] for s in root.iter(f"{{{NS['q']}}}PlainTextSelection")}
    cases = {case.get("name"): sorted(owner[ref.get("targetGUID")] for ref in case.findall("q:SelectionRef", NS))
             for case in root.findall("q:Cases/q:Case", NS)}
    assert cases == {"Robert Simmons": ["alice", "alice", "bob"], "Ambassador Simmons": ["bob"],
                     "AT&T <\"North Atlantic\"> Alliance": ["alice", "bob"]}
