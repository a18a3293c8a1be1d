"""Links in every export: W3C linking annotations (validated), json/jsonl records, the CSV column; and import."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from shared_tools import run_tool

from tui.cli import main
from tui.core.export import render
from tui.core.importer import parse_export, parse_links
from tui.core.links import LINKS
from tui.core.session import Session, SessionOptions

VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "w3c_validate.py"
ALICE = SessionOptions(annotator="alice")
SENTENCE = "Simmons also suggested that NATO’s Partnership for Peace"


def linked(doc: Path) -> tuple[Session, dict]:
    session = Session.open(doc, ALICE)
    at = session.text.index(SENTENCE)

    def tag(quote: str, name: str):
        start = session.text.index(quote, at)
        return session.add(start, start + len(quote), name)

    ids = {"actor": tag("Simmons", "actor"), "commitment": tag("setting up a team by 2007", "commitment"),
           "suggested": tag("suggested", "hedge"), "could": tag("could", "hedge")}
    session.link(ids["commitment"].id, ids["actor"].id, "by")
    session.link(ids["suggested"].id, ids["commitment"].id, "hedges")
    session.link(ids["could"].id, ids["commitment"].id, "hedges")
    session.save()
    return session, ids


@pytest.mark.parametrize("fmt", ["json", "w3c", "jsonl"])
def test_links_round_trip_through_each_export(project_doc: Path, fmt: str) -> None:
    session, _ = linked(project_doc)
    text = render(fmt, session.document, session.layer, session.links)
    assert sorted(map(repr, parse_links(text, "x"))) == sorted(map(repr, session.links))
    assert {a.id for a in parse_export(text, "x")} == session.layer.ids()  # the links are not read as annotations


def test_w3c_links_are_linking_annotations_targeting_both_by_iri(project_doc: Path) -> None:
    session, ids = linked(project_doc)
    data = json.loads(render("w3c", session.document, session.layer, session.links))
    assert data["total"] == 7
    linking = [item for item in data["first"]["items"] if item["motivation"] == "linking"]
    assert len(linking) == 3
    by = next(item for item in linking if item["body"]["value"] == "by")
    assert by["target"] == [f"urn:uuid:{ids['commitment'].id}", f"urn:uuid:{ids['actor'].id}"]
    item_ids = {item["id"] for item in data["first"]["items"]}
    assert set(by["target"]) <= item_ids  # the IRIs are the exported annotations' ids


def test_w3c_export_with_links_validates_and_reimports(project_doc: Path, tmp_path: Path, capsys) -> None:
    if not VALIDATOR.is_file():
        pytest.skip(f"{VALIDATOR} is absent")
    session, _ = linked(project_doc)
    path = tmp_path / "links.w3c.json"
    assert main(["export", str(project_doc), "--annotator", "alice", "-f", "w3c", "-o", str(path)]) == 0
    result = run_tool(VALIDATOR, str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    # A colleague imports it: the annotations and their links arrive, in one undoable step.
    assert main(["import", str(project_doc), "--annotator", "bob", str(path)]) == 0
    assert "3 links imported, 0 not" in capsys.readouterr().err
    bob = Session.open(project_doc, SessionOptions(annotator="bob"))
    assert sorted(map(repr, bob.links)) == sorted(map(repr, session.links))
    # Importing again adds nothing.
    assert main(["import", str(project_doc), "--annotator", "bob", str(path)]) == 0
    assert len(json.loads(bob.store.path.read_text(encoding="utf-8"))[LINKS]) == 3


def test_import_reports_links_that_do_not_fit(project_doc: Path, tmp_path: Path, capsys) -> None:
    session, _ = linked(project_doc)
    data = json.loads(render("json", session.document, session.layer, session.links))
    data["links"][0]["to"] = "missing-annotation"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", str(project_doc), "--annotator", "carol", str(path)]) == 1
    err = capsys.readouterr().err
    assert "not imported: link" in err and "no annotation with id 'missing-annotation'" in err
    assert "2 links imported, 1 not" in err


def test_csv_has_a_links_column(project_doc: Path) -> None:
    session, ids = linked(project_doc)
    rows = list(csv.DictReader(io.StringIO(render("csv", session.document, session.layer, session.links), newline="")))
    by_id = {row["id"]: row["links"] for row in rows}
    assert by_id[ids["commitment"].id] == f"by:{ids['actor'].id}"
    assert by_id[ids["suggested"].id] == f"hedges:{ids['commitment'].id}"
    assert by_id[ids["actor"].id] == ""


def test_jsonl_link_lines(project_doc: Path) -> None:
    session, _ = linked(project_doc)
    lines = [json.loads(line) for line in render("jsonl", session.document, session.layer, session.links).splitlines()]
    assert [line.get("type") for line in lines].count("link") == 3


def test_qdpx_export_carries_links_and_validates(project_doc: Path, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET
    import zipfile

    xmlschema = pytest.importorskip("xmlschema")
    _, ids = linked(project_doc)
    path = tmp_path / "links.qdpx"
    assert main(["export", str(project_doc), "--annotator", "alice", "-f", "qdpx", "-o", str(path)]) == 0
    xml = zipfile.ZipFile(path).read("project.qde").decode("utf-8")
    schema = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "Project-mrt2019.xsd"))
    assert list(schema.iter_errors(xml)) == []
    ns = {"q": "urn:QDA-XML:project:1.0"}
    links = ET.fromstring(xml).findall("q:Links/q:Link", ns)
    got = {(link.get("name"), link.get("originGUID"), link.get("targetGUID"), link.get("direction")) for link in links}
    assert got == {("by", ids["commitment"].id, ids["actor"].id, "OneWay"),
                   ("hedges", ids["suggested"].id, ids["commitment"].id, "OneWay"),
                   ("hedges", ids["could"].id, ids["commitment"].id, "OneWay")}
    selections = {s.get("guid") for s in ET.fromstring(xml).iter("{urn:QDA-XML:project:1.0}PlainTextSelection")}
    assert {link.get("originGUID") for link in links} | {link.get("targetGUID") for link in links} <= selections


def test_the_html_report_carries_the_brief_of_the_links_escaped(project_doc: Path, tmp_path: Path) -> None:
    session, ids = linked(project_doc)
    session.set_entity(ids["actor"].id, "Simmons <script>alert(1)</script>")
    session.save()
    out = tmp_path / "report.html"
    assert main(["report", str(project_doc), "--annotator", "alice", "--output", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    brief = html[html.index('id="brief"'):html.index("</section>", html.index('id="brief"'))]
    assert "<svg" in brief and "1 hedged · 0 bare" in brief
    assert "Simmons &lt;script&gt;alert(1)&lt;/script&gt;" in brief and "<script>alert" not in html
    assert "setting up a team by 2007" in brief and "hedged by “suggested”, “could”" in brief


# -- every export's links come back in through `import` ------------------------------------------

QDPX_VALIDATOR = VALIDATOR.parent / "qdpx_validate.py"


def ends(links) -> list[tuple[str, str, str]]:
    return sorted((link.source, link.relation, link.target) for link in links)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "qdpx", "w3c"])
def test_export_with_links_then_import_into_an_empty_layer_gives_the_same_links(
        project_doc: Path, tmp_path: Path, capsys, fmt: str) -> None:
    session, _ = linked(project_doc)
    path = tmp_path / f"links.{fmt}"
    assert main(["export", str(project_doc), "--annotator", "alice", "-f", fmt, "-o", str(path)]) == 0
    capsys.readouterr()
    assert main(["import", str(project_doc), "--annotator", "bob", str(path)]) == 0
    err = capsys.readouterr().err
    assert "imported 4," in err and "3 links imported, 0 not" in err
    bob = Session.open(project_doc, SessionOptions(annotator="bob"))
    assert bob.layer.ids() == session.layer.ids()
    assert ends(bob.links) == ends(session.links)
    # Again: nothing new, and the links already there are said to be (as the annotations are).
    assert main(["import", str(project_doc), "--annotator", "bob", str(path)]) == 0
    assert "0 links imported, 0 not, 3 already present" in capsys.readouterr().err
    assert len(json.loads(bob.store.path.read_text(encoding="utf-8"))[LINKS]) == 3


def test_csv_links_whose_end_is_missing_or_that_repeat_are_reported(project_doc: Path, tmp_path: Path,
                                                                      capsys) -> None:
    session, ids = linked(project_doc)
    text = render("csv", session.document, session.layer, session.links)
    commitment, actor = ids["commitment"].id, ids["actor"].id
    text = text.replace(f"by:{actor}", f"by:{actor} by:{actor} hedges:{actor} by:missing-annotation")
    path = tmp_path / "edited.csv"
    path.write_bytes(text.encode("utf-8"))
    assert main(["import", str(project_doc), "--annotator", "carol", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"not imported: link {commitment} by missing-annotation: no annotation with id 'missing-annotation'" in err
    assert f"not imported: link {commitment} hedges {actor}: relation 'hedges' links a hedge to a commitment" in err
    assert "3 links imported, 2 not, 1 already present" in err
    carol = Session.open(project_doc, SessionOptions(annotator="carol"))
    assert ends(carol.links) == ends(session.links)


def test_csv_links_column_that_is_not_relation_target_is_one_line(project_doc: Path, tmp_path: Path,
                                                                   capsys) -> None:
    session, ids = linked(project_doc)
    text = render("csv", session.document, session.layer, session.links)
    path = tmp_path / "edited.csv"
    path.write_bytes(text.replace(f"by:{ids['actor'].id}", "by-nothing").encode("utf-8"))
    assert main(["import", str(project_doc), "--annotator", "carol", str(path)]) == 2
    err = capsys.readouterr().err
    assert "edited.csv: line 5: the links column holds 'by-nothing', not relation:target-id" in err
    assert "Traceback" not in err


def qdpx_with(path: Path, edit) -> None:
    """Rewrite project.qde inside a .qdpx with `edit(xml) -> xml`."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["project.qde"] = edit(members["project.qde"].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_qdpx_links_whose_ends_are_not_this_documents_selections_are_reported(project_doc: Path, tmp_path: Path,
                                                                              capsys) -> None:
    import re
    import uuid

    session, ids = linked(project_doc)
    path = tmp_path / "links.qdpx"
    assert main(["export", str(project_doc), "--annotator", "alice", "-f", "qdpx", "-o", str(path)]) == 0
    code_guid = re.search(r'<Code guid="([^"]+)"', zipfile_text(path)).group(1)
    extra = (f'    <Link guid="{uuid.uuid4()}" name="by" direction="OneWay" originGUID="{ids["actor"].id}" '
             f'targetGUID="{code_guid}"/>\n'  # to a code: another tool's link, left alone
             f'    <Link guid="{uuid.uuid4()}" direction="OneWay" originGUID="{ids["commitment"].id}" '
             f'targetGUID="{ids["actor"].id}"/>\n'  # no name: no relation
             f'    <Link guid="{uuid.uuid4()}" name="hedges" originGUID="{ids["actor"].id}" '
             f'targetGUID="{ids["commitment"].id}"/>\n')  # an actor cannot hedge
    qdpx_with(path, lambda xml: xml.replace("  </Links>", extra + "  </Links>"))
    capsys.readouterr()
    assert main(["import", str(project_doc), "--annotator", "carol", str(path)]) == 1
    err = capsys.readouterr().err
    assert "left alone: 1 link not between two selections of this document" in err
    assert "it has no name, which hedgerow reads as the relation" in err
    assert "relation 'hedges' links a hedge to a commitment, not an actor to a commitment" in err
    assert "3 links imported, 1 not" in err and "Traceback" not in err
    assert ends(Session.open(project_doc, SessionOptions(annotator="carol")).links) == ends(session.links)


def zipfile_text(path: Path) -> str:
    import zipfile

    return zipfile.ZipFile(path).read("project.qde").decode("utf-8")


def test_qdpx_export_with_links_passes_the_shared_validator(project_doc: Path, tmp_path: Path) -> None:
    if not QDPX_VALIDATOR.is_file():
        pytest.skip(f"{QDPX_VALIDATOR} is absent")
    pytest.importorskip("xmlschema")
    linked(project_doc)
    path = tmp_path / "links.qdpx"
    assert main(["export", str(project_doc), "--annotator", "alice", "-f", "qdpx", "-o", str(path)]) == 0
    assert "<Links>" in zipfile_text(path)
    result = run_tool(QDPX_VALIDATOR, str(path))
    assert result.returncode == 0, result.stdout + result.stderr
