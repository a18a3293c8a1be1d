"""REFI-QDA: .qdpx and .qdc exports validate against the XSD, read back losslessly, and bad files
get one line and change nothing."""

from __future__ import annotations

import functools
import io
import struct
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import pytest
from shared_tools import run_tool

from tui.cli import main
from tui.core import refi_qda_read
from tui.core.annotation import Annotation
from tui.core.document import Document
from tui.core.refi_qda import PROJECT_NS, code_guid, user_guid
from tui.core.refi_qda_import import SourceOffsets
from tui.core.refi_qda_write import Link, Summary, qdc_pieces, qdpx_chunks
from tui.core.session import Session, SessionOptions
from tui.core.tags import TagSet

if TYPE_CHECKING:
    import xmlschema

DATA = Path(__file__).resolve().parent / "data"
PROJECT_XSD = DATA / "Project-mrt2019.xsd"
CODEBOOK_XSD = DATA / "Codebook-mrt2019.xsd"
VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "qdpx_validate.py"
NS = {"q": PROJECT_NS}

# Emoji (one astral code point; a flag of two; a ZWJ family of five), combining marks (e + U+0301
# composes to é under NFC; x + U+0301 has no composed form and stays two code points) and CRLF.
TRICKY = ("Report on 👍🏽 and 🇰🇿 \u2014 café (written cafe\u0301) and x\u0301.\r\n"
          "Second line: 👨‍👩‍👧‍👦 family; NATO could perhaps agree.\r\n\r\n"
          "Third: the mission appeared to commit to nothing.\r\n")

ALICE = ("--annotator", "alice")


def run(capsys: pytest.CaptureFixture, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def annotate(doc: Path, spans: list[tuple[str, str, str]], annotator: str = "alice") -> Session:
    # gold may be opened directly only as the review does (issue 8: annotating as gold is refused)
    session = Session.open(doc, SessionOptions(annotator=annotator, gold=annotator == "gold"))
    for quote, tag, note in spans:
        start = session.text.index(quote)
        session.add(start, start + len(quote), tag, note)
    session.save()
    return session


SEED_SPANS = [
    ("Kazakhstan has taken further steps", "commitment", "a pledge, \"quoted\" & <marked>\non two lines"),
    ("NATO", "actor", ""),
    ("appeared to", "hedge", "tab\there"),
]
TRICKY_SPANS = [
    ("👍🏽", "actor", "emoji 👍🏽"),
    ("café", "actor", ""),
    ("x\u0301", "hedge", "combining"),
    ("👨‍👩‍👧‍👦", "actor", ""),
    ("could perhaps", "hedge", "line one\nline two"),
    ("appeared to commit", "commitment", ""),
]


@pytest.fixture
def tricky_doc(project: Path) -> Path:
    path = project / "tricky.txt"
    path.write_bytes(TRICKY.encode("utf-8"))
    return path


def project_xml(path: Path) -> tuple[ET.Element, dict[str, str]]:
    """project.qde's root and every source's text, by member name."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("sources/")}
    return root, texts


@functools.cache
def xsd(path: Path) -> xmlschema.XMLSchema:
    """The schema built once per worker (~0.1 s a build). xmlschema is imported here: it and elementpath
    cost every worker ~0.2 s to import (~1 s more to compile on a fresh clone), and few need them."""
    import xmlschema

    return xmlschema.XMLSchema(str(path))


def schema_errors(path: Path) -> list[str]:
    schema = xsd(PROJECT_XSD)
    with zipfile.ZipFile(path) as archive:
        return [f"{e.reason} at {e.path}" for e in schema.iter_errors(archive.read("project.qde").decode("utf-8"))]


def shared_validator(path: Path) -> subprocess.CompletedProcess:
    if not VALIDATOR.is_file():
        pytest.skip("../shared/tools/qdpx_validate.py is not here")
    return run_tool(VALIDATOR, str(path))


def layer_bytes(project: Path, stem: str, annotator: str) -> bytes | None:
    path = project / "annotations" / stem / f"{annotator}.json"
    return path.read_bytes() if path.exists() else None


# -- export --------------------------------------------------------------------------------------


def test_seed_export_is_valid_against_the_xsd(capsys, project: Path, project_doc: Path) -> None:
    annotate(project_doc, SEED_SPANS)
    out = project / "seed.qdpx"
    code, _, err = run(capsys, "export", project_doc, "--annotator", "alice", "-f", "qdpx", "-o", out)
    assert code == 0, err
    assert "wrote 3 selections (2 with notes) by alice as qdpx" in err
    assert schema_errors(out) == []
    result = shared_validator(out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("0 failures; sources 1, selections 3, codings 3, codes 3, users 1, notes 2")


def test_tricky_document_export_is_valid_and_positions_count_code_points(capsys, project: Path,
                                                                       tricky_doc: Path) -> None:
    session = annotate(tricky_doc, TRICKY_SPANS)
    out = project / "tricky.qdpx"
    code, _, err = run(capsys, "export", tricky_doc, "--annotator", "alice", "-f", "qdpx", "-o", out)
    assert code == 0, err
    assert schema_errors(out) == []
    result = shared_validator(out)
    assert result.returncode == 0, result.stdout + result.stderr
    root, texts = project_xml(out)
    (source_text,) = texts.values()
    # The source is the text hedgerow's offsets count: CRLF became LF, e + U+0301 became é.
    assert source_text == session.text and "\r" not in source_text and "cafe\u0301" not in source_text
    selections = root.findall(".//q:PlainTextSelection", NS)
    assert len(selections) == len(TRICKY_SPANS)
    for selection in selections:
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert source_text[start:end] == selection.get("name")
        annotation = session.get(selection.get("guid"))
        assert (annotation.start, annotation.end) == (start, end)
    family = next(s for s in selections if s.get("name") == "👨‍👩‍👧‍👦")
    assert int(family.get("endPosition")) - int(family.get("startPosition")) == 7  # code points, not UTF-16 units


def test_project_structure_users_codes_notes_and_times(capsys, project: Path, project_doc: Path) -> None:
    session = annotate(project_doc, SEED_SPANS)
    out = project / "seed.qdpx"
    run(capsys, "export", project_doc, "--annotator", "alice", "-f", "qdpx", "-o", out)
    root, texts = project_xml(out)
    assert [(u.get("guid"), u.get("name")) for u in root.findall("q:Users/q:User", NS)] == [(user_guid("alice"),
                                                                                            "alice")]
    codes = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [(c.get("name"), c.get("color"), c.get("isCodable")) for c in codes] == [
        ("actor", "#5fafff", "true"), ("commitment", "#87d787", "true"), ("hedge", "#ffaf5f", "true")]
    assert codes[1].find("q:Description", NS).text == "A pledge, plan or stated intention to act."
    source = root.find("q:Sources/q:TextSource", NS)
    assert source.get("name") == "seed.txt"
    assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
    assert list(texts) == [f"sources/{source.get('guid')}.txt"]
    notes = {n.get("guid"): n.find("q:PlainTextContent", NS).text for n in root.findall("q:Notes/q:Note", NS)}
    for selection in source.findall("q:PlainTextSelection", NS):
        annotation = session.get(selection.get("guid"))
        assert selection.get("creatingUser") == user_guid("alice")
        assert selection.get("creationDateTime") == annotation.created
        assert selection.get("modifiedDateTime") == annotation.modified
        (coding,) = selection.findall("q:Coding", NS)
        assert coding.find("q:CodeRef", NS).get("targetGUID") == code_guid(annotation.tag)
        refs = [r.get("targetGUID") for r in selection.findall("q:NoteRef", NS)]
        assert [notes[r] for r in refs] == ([annotation.note] if annotation.note else [])


def test_all_and_gold_put_each_layer_under_its_own_user(capsys, project: Path, project_doc: Path) -> None:
    annotate(project_doc, SEED_SPANS[:2], "alice")
    annotate(project_doc, SEED_SPANS[1:], "bob")
    annotate(project_doc, SEED_SPANS[1:2], "gold")
    out = project / "all.qdpx"
    code, _, err = run(capsys, "export", project_doc, "-f", "qdpx", "--all", "-o", out)
    assert code == 0, err
    assert schema_errors(out) == []
    root, _ = project_xml(out)
    assert [u.get("name") for u in root.findall("q:Users/q:User", NS)] == ["alice", "bob"]  # gold excluded
    by_user = {}
    for selection in root.iter(f"{{{PROJECT_NS}}}PlainTextSelection"):
        by_user.setdefault(selection.get("creatingUser"), []).append(selection.get("name"))
    assert by_user == {user_guid("alice"): ["Kazakhstan has taken further steps", "NATO"],
                       user_guid("bob"): ["NATO", "appeared to"]}
    gold = project / "gold.qdpx"
    code, _, err = run(capsys, "export", project_doc, "-f", "qdpx", "--layer", "gold", "-o", gold)
    assert code == 0, err
    root, _ = project_xml(gold)
    assert [u.get("name") for u in root.findall("q:Users/q:User", NS)] == ["gold"]
    assert {s.get("creatingUser") for s in root.iter(f"{{{PROJECT_NS}}}PlainTextSelection")} == {user_guid("gold")}


def test_same_annotation_in_two_layers_gets_two_guids(project_doc: Path) -> None:
    document = Document.load(project_doc)
    a = Annotation.create(document.text, 0, 11, "actor", document=document.sha256, annotator="alice")
    chunks = qdpx_chunks(document, [("alice", [a]), ("bob", [replace(a, annotator="bob")])], TagSet())
    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(b"".join(chunks))).read("project.qde"))
    guids = [s.get("guid") for s in root.iter(f"{{{PROJECT_NS}}}PlainTextSelection")]
    assert guids[0] == a.id and guids[1] != a.id and len(set(guids)) == 2


def test_reexport_gives_the_same_bytes(capsys, project: Path, project_doc: Path) -> None:
    annotate(project_doc, SEED_SPANS)
    first, second = project / "one.qdpx", project / "two.qdpx"
    for out in (first, second):
        run(capsys, "export", project_doc, "--annotator", "alice", "-f", "qdpx", "-o", out)
    assert first.read_bytes() == second.read_bytes()


def test_text_xml_cannot_carry_is_left_out_of_names_and_replaced_in_notes(project: Path) -> None:
    path = project / "controls.txt"
    path.write_text("An escape \x1b[31m here, and a bell.\n", encoding="utf-8")
    document = Document.load(path)
    a = Annotation.create(document.text, 3, 16, "hedge", document=document.sha256, annotator="alice",
                          note="ding\x07 & done")
    a = replace(a, created="2024-13-45T10:00:00.000Z", modified="yesterday")  # a hand-edited file
    out = project / "controls.qdpx"
    out.write_bytes(b"".join(qdpx_chunks(document, [("alice", [a])], TagSet())))
    assert schema_errors(out) == []
    root, _ = project_xml(out)
    (selection,) = root.iter(f"{{{PROJECT_NS}}}PlainTextSelection")
    assert selection.get("name") is None  # XML 1.0 has no way to write U+001B
    assert selection.get("creationDateTime") is None and selection.get("modifiedDateTime") is None
    assert root.find(".//q:Note/q:PlainTextContent", NS).text == "ding\ufffd & done"
    if VALIDATOR.is_file():
        assert shared_validator(out).returncode == 0


def test_annotations_no_longer_on_the_text_are_left_out_and_reported(capsys, project: Path,
                                                                    project_doc: Path) -> None:
    annotate(project_doc, SEED_SPANS)
    project_doc.write_text(project_doc.read_text(encoding="utf-8").replace("Kazakhstan has", "Kazakhstan had"),
                           encoding="utf-8")
    out = project / "seed.qdpx"
    code, _, err = run(capsys, "export", project_doc, "--annotator", "alice", "-f", "qdpx", "-o", out)
    assert code == 1
    assert "not exported:" in err and "its quote is no longer at its offsets" in err
    assert "wrote 2 selections" in err
    assert schema_errors(out) == []


def test_a_place_for_links_validates(project_doc: Path) -> None:
    document = Document.load(project_doc)
    a = Annotation.create(document.text, 0, 11, "actor", document=document.sha256, annotator="alice")
    b = Annotation.create(document.text, 13, 20, "hedge", document=document.sha256, annotator="alice")
    link = Link("9b2c0a52-5f53-4d8f-8c9b-0d8b1f6f2b11", a.id, b.id, name="hedge of")
    data = b"".join(qdpx_chunks(document, [("alice", [a, b])], TagSet(), Summary(), [link]))
    schema = xsd(PROJECT_XSD)
    assert list(schema.iter_errors(zipfile.ZipFile(io.BytesIO(data)).read("project.qde").decode())) == []


def test_qdc_is_the_codebook_alone_and_valid(capsys, project: Path, project_doc: Path) -> None:
    (project / "hedgerow.toml").write_text(
        '[[tags]]\nname = "actor"\ncolour = "dark_orange"\ndescription = "Who & <what>"\n'
        '[[tags]]\nname = "claim"\ncolour = "#aabbcc"\n', encoding="utf-8")
    out = project / "codebook.qdc"
    code, _, err = run(capsys, "export", project_doc, "--annotator", "alice", "-f", "qdc", "-o", out)
    assert code == 0, err
    assert "wrote the codebook (2 codes) as qdc" in err
    schema = xsd(CODEBOOK_XSD)
    assert list(schema.iter_errors(out.read_text(encoding="utf-8"))) == []
    root = ET.fromstring(out.read_bytes())
    codes = root.findall("{urn:QDA-XML:codebook:1.0}Codes/{urn:QDA-XML:codebook:1.0}Code")
    assert [(c.get("name"), c.get("color")) for c in codes] == [("actor", "#ff8700"), ("claim", "#aabbcc")]
    assert codes[0].find("{urn:QDA-XML:codebook:1.0}Description").text == "Who & <what>"
    if VALIDATOR.is_file():
        result = shared_validator(out)
        assert result.returncode == 0, result.stdout


def test_qdc_pieces_use_the_same_code_guids_as_projects() -> None:
    root = ET.fromstring("".join(qdc_pieces(TagSet())))
    assert [c.get("guid") for c in root.iter("{urn:QDA-XML:codebook:1.0}Code")] == [
        code_guid("actor"), code_guid("commitment"), code_guid("hedge")]


def test_qdpx_to_a_terminal_needs_an_output(capsys, monkeypatch, project_doc: Path) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert run(capsys, "add", project_doc, "--start", "0", "--end", "4", "--tag", "actor", *ALICE)[0] == 0
    code, _, err = run(capsys, "export", project_doc, "--annotator", "alice", "-f", "qdpx")
    assert code == 2 and "give --output FILE.qdpx" in err


# -- round trip ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["seed", "tricky"])
def test_round_trip_restores_every_span_tag_and_note(capsys, project: Path, project_doc: Path, tricky_doc: Path,
                                                     which: str) -> None:
    doc, spans = (project_doc, SEED_SPANS) if which == "seed" else (tricky_doc, TRICKY_SPANS)
    before = annotate(doc, spans).layer.in_id_order()
    out = project / "round.qdpx"
    assert run(capsys, "export", doc, "--annotator", "alice", "-f", "qdpx", "-o", out)[0] == 0
    code, _, err = run(capsys, "import", doc, out, "--annotator", "empty")
    assert code == 0, err
    assert f"imported {len(spans)}, skipped 0 already present, 0 not imported" in err
    after = Session.open(doc, SessionOptions(annotator="empty")).layer.in_id_order()
    # ids, times, and the maker too: in "empty"'s layer as empty's, alice kept as original_annotator (issue 8)
    assert [a.to_record() for a in after] == [
        {**a.to_record(), "annotator": "empty", "original_annotator": "alice"} for a in before]
    code, _, err = run(capsys, "import", doc, out, "--annotator", "empty")
    assert code == 0 and f"imported 0, skipped {len(spans)} already present" in err


def test_all_export_imports_each_users_selections(capsys, project: Path, project_doc: Path) -> None:
    annotate(project_doc, SEED_SPANS[:2], "alice")
    annotate(project_doc, SEED_SPANS[1:], "bob")
    out = project / "all.qdpx"
    run(capsys, "export", project_doc, "-f", "qdpx", "--all", "-o", out)
    code, _, err = run(capsys, "import", project_doc, out, "--annotator", "carol")
    assert code == 0, err
    assert err.startswith("imported 3 (1 duplicate of a span and tag left out), ")  # both tagged NATO actor
    layer = Session.open(project_doc, SessionOptions(annotator="carol")).layer
    assert {a.annotator for a in layer} == {"carol"}  # issue 8: every record in carol's layer says carol
    assert sorted((a.original_annotator, a.quote) for a in layer) == [
        ("alice", "Kazakhstan has taken further steps"), ("alice", "NATO"), ("bob", "appeared to")]


# -- import from other tools ---------------------------------------------------------------------


def make_qdpx(path: Path, xml: str, sources: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        for name, data in (sources or {}).items():
            archive.writestr(name, data)
    return path


USER, SOURCE = "{0B2C0A52-5F53-4D8F-8C9B-0D8B1F6F2B10}", "c0c0c0c0-1111-4222-8333-444455556666"
CODES = {"actor": "a0000000-0000-4000-8000-000000000001", "theme": "a0000000-0000-4000-8000-000000000002"}


def foreign_project(selections: str, notes: str = "", source: str = SOURCE) -> str:
    codes = "".join(f'<Code guid="{g}" name="{n}" isCodable="true"/>' for n, g in CODES.items())
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{PROJECT_NS}" name="p" origin="QualCoder">'
            f'<Users><User guid="{USER}" name="Dana Q"/></Users><CodeBook><Codes>{codes}</Codes></CodeBook>'
            f'<Sources><TextSource guid="{source}" name="tricky" plainTextPath="internal://{source}.txt">'
            f"{selections}</TextSource></Sources>{notes}</Project>")


def selection(guid: str, start: int, end: int, code: str = "actor", note: str | None = None) -> str:
    ref = f'<NoteRef targetGUID="{note}"/>' if note else ""
    return (f'<PlainTextSelection guid="{guid}" name="x" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{USER}" creationDateTime="2021-03-04T05:06:07Z">'
            f'<Coding guid="{guid[:-1]}f" creatingUser="{USER}"><CodeRef targetGUID="{CODES[code]}"/></Coding>'
            f"{ref}</PlainTextSelection>")


def test_source_offsets_map_crlf_and_nfd_onto_the_normalised_text() -> None:
    raw = "cafe\u0301 x\r\nline\rthree\n👍🏽"
    offsets = SourceOffsets(raw)
    assert offsets.text == "café x\nline\nthree\n👍🏽"
    # 7 is the CR, 8 between CR and LF (both the LF's place), 9 the next line's first character.
    expected = {0: 0, 3: 3, 5: 4, 6: 5, 7: 6, 8: 6, 9: 7, 13: 11, 14: 12, 19: 17, 20: 18, 22: 20}
    assert {p: offsets(p) for p in expected} == expected
    assert offsets(4) is None  # between e and its combining accent: inside é
    assert SourceOffsets("plain\ntext").identity


def test_import_from_a_crlf_nfd_source_lands_on_the_right_text(capsys, project: Path, tricky_doc: Path) -> None:
    raw = TRICKY.replace("café", "cafe\u0301")  # as another tool might keep it: CRLF and NFD
    start = raw.index("NATO could")
    xml = foreign_project(selection("b0000000-0000-4000-8000-000000000001", start, start + 4, note="n1") +
                          selection("b0000000-0000-4000-8000-000000000002", raw.index("cafe\u0301"),
                                    raw.index("cafe\u0301") + 5),
                          notes=f'<Notes><Note guid="{"d" * 8}-0000-4000-8000-000000000001">'
                                "<PlainTextContent>from QualCoder</PlainTextContent></Note></Notes>")
    xml = xml.replace('targetGUID="n1"', f'targetGUID="{"d" * 8}-0000-4000-8000-000000000001"')
    out = make_qdpx(project / "foreign.qdpx", xml, {f"sources/{SOURCE}.txt": raw.encode("utf-8")})
    code, _, err = run(capsys, "import", tricky_doc, out, "--annotator", "alice")
    assert code == 0, err
    layer = Session.open(tricky_doc, SessionOptions(annotator="alice")).layer
    by_quote = {a.quote: a for a in layer}
    assert set(by_quote) == {"NATO", "café"}
    nato = by_quote["NATO"]
    assert layer.text[nato.start:nato.end] == "NATO" and nato.note == "from QualCoder"
    assert nato.id == "b0000000-0000-4000-8000-000000000001"
    assert nato.annotator == "alice" and nato.original_annotator == "Dana Q"  # the importer's, its maker kept
    assert nato.created == "2021-03-04T05:06:07.000Z"


def test_unknown_code_is_reported_and_the_rest_imported(capsys, project: Path, tricky_doc: Path) -> None:
    text = Document.load(tricky_doc).text
    start = text.index("NATO")
    xml = foreign_project(selection("b0000000-0000-4000-8000-000000000001", start, start + 4) +
                          selection("b0000000-0000-4000-8000-000000000002", 0, 6, code="theme"))
    out = make_qdpx(project / "foreign.qdpx", xml, {f"sources/{SOURCE}.txt": text.encode("utf-8")})
    code, _, err = run(capsys, "import", tricky_doc, out, "--annotator", "alice")
    assert code == 1
    assert "not imported: 1 selection coded 'theme': not a tag in the codebook" in err
    assert "imported 1, skipped 0 already present, 1 not imported" in err
    assert [a.quote for a in Session.open(tricky_doc, SessionOptions(annotator="alice")).layer] == ["NATO"]


def test_selection_whose_text_does_not_match_is_reported(capsys, project: Path, tricky_doc: Path) -> None:
    other = "Another text entirely, where NATO sits elsewhere.\n"
    start = other.index("NATO")
    xml = foreign_project(selection("b0000000-0000-4000-8000-000000000001", start, start + 4))
    out = make_qdpx(project / "foreign.qdpx", xml, {f"sources/{SOURCE}.txt": other.encode("utf-8")})
    code, _, err = run(capsys, "import", tricky_doc, out, "--annotator", "alice")
    assert code == 1
    assert "not imported: b0000000-0000-4000-8000-000000000001 (actor" in err and "not the quote 'NATO'" in err
    assert layer_bytes(project, "tricky", "alice") is None


# -- bad input -----------------------------------------------------------------------------------


def bad_input(capsys, project: Path, doc: Path, file: Path) -> str:
    """Import `file` into alice's existing layer; it must fail with one line and change nothing."""
    if not len(Session.open(doc, SessionOptions(annotator="alice")).layer):  # (made by the first call)
        annotate(doc, SEED_SPANS[1:2])
    before = layer_bytes(project, doc.stem, "alice")
    code, out, err = run(capsys, "import", doc, file, "--annotator", "alice")
    assert code == 2, err
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"hedgerow: {file}: ")
    assert layer_bytes(project, doc.stem, "alice") == before
    return err.strip()


def test_not_a_zip(capsys, project: Path, project_doc: Path) -> None:
    bad = project / "bad.qdpx"
    bad.write_text("<Project/>", encoding="utf-8")
    assert "not a REFI-QDA project: a .qdpx is a zip file" in bad_input(capsys, project, project_doc, bad)


def test_zip_without_project_qde(capsys, project: Path, project_doc: Path) -> None:
    bad = make_qdpx(project / "bad.qdpx", "", {"sources/a.txt": b"text"})
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("sources/a.txt", b"text")
    assert "no project.qde in the zip (it holds sources/a.txt)" in bad_input(capsys, project, project_doc, bad)


def test_malformed_xml(capsys, project: Path, project_doc: Path) -> None:
    bad = make_qdpx(project / "bad.qdpx", f'<Project xmlns="{PROJECT_NS}" name="p"><Users></Project>')
    line = bad_input(capsys, project, project_doc, bad)
    assert "project.qde: not well-formed XML (mismatched tag, line 1" in line


def test_entity_declarations_are_refused_not_expanded(capsys, project: Path, project_doc: Path) -> None:
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n'
              f'<Project xmlns="{PROJECT_NS}" name="&b;"/>')
    line = bad_input(capsys, project, project_doc, make_qdpx(project / "bad.qdpx", laughs))
    assert "declares a DOCTYPE" in line and "entities are not expanded" in line


def test_external_entities_are_refused(capsys, project: Path, project_doc: Path) -> None:
    external = ('<?xml version="1.0"?>\n<!DOCTYPE Project SYSTEM "file:///etc/passwd">\n'
                f'<Project xmlns="{PROJECT_NS}" name="p"/>')
    line = bad_input(capsys, project, project_doc, make_qdpx(project / "bad.qdpx", external))
    assert "declares a DOCTYPE" in line
    undeclared = f'<Project xmlns="{PROJECT_NS}" name="&secret;"/>'
    line = bad_input(capsys, project, project_doc, make_qdpx(project / "bad2.qdpx", undeclared))
    assert "not well-formed XML (undefined entity" in line


def test_zip_bomb_by_declared_size(capsys, monkeypatch, project: Path, project_doc: Path) -> None:
    monkeypatch.setattr(refi_qda_read, "MAX_PROJECT_BYTES", 1024 * 1024)
    filler = " " * (2 * 1024 * 1024)  # 2 MiB of spaces: ~2 KiB compressed
    with zipfile.ZipFile(project / "bomb.qdpx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", f'<Project xmlns="{PROJECT_NS}" name="p">{filler}</Project>')
    assert (project / "bomb.qdpx").stat().st_size < 10_000
    line = bad_input(capsys, project, project_doc, project / "bomb.qdpx")
    assert "project.qde would unpack past 1 MiB; refused as a possible zip bomb" in line


def test_zip_bomb_that_lies_about_its_size(capsys, project: Path, project_doc: Path) -> None:
    """A member declaring 100 bytes but holding 2 MiB is stopped while it is read."""
    bomb = project / "liar.qdpx"
    body = f'<Project xmlns="{PROJECT_NS}" name="p">{" " * (2 * 1024 * 1024)}</Project>'.encode()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", body)
    data = bytearray(bomb.read_bytes())
    size = struct.pack("<I", len(body))
    for offset in (i for i in range(len(data) - 3) if data[i:i + 4] == size):
        data[offset:offset + 4] = struct.pack("<I", 100)  # local header and central directory
    bomb.write_bytes(bytes(data))
    assert zipfile.ZipFile(bomb).getinfo("project.qde").file_size == 100
    line = bad_input(capsys, project, project_doc, bomb)
    assert "project.qde cannot be unpacked (Bad CRC-32 for file 'project.qde'); the zip is damaged" in line


def test_a_source_past_the_size_cap_is_refused(capsys, monkeypatch, project: Path, tricky_doc: Path) -> None:
    monkeypatch.setattr(refi_qda_read, "MAX_SOURCE_BYTES", 1024)
    xml = foreign_project(selection("b0000000-0000-4000-8000-000000000001", 0, 4))
    bad = make_qdpx(project / "big.qdpx", xml, {f"sources/{SOURCE}.txt": b"x" * 4096})
    line = bad_input(capsys, project, tricky_doc, bad)
    assert f"sources/{SOURCE}.txt would unpack past 1 KiB; refused as a possible zip bomb" in line


def test_selection_outside_its_sources_text(capsys, project: Path, tricky_doc: Path) -> None:
    text = Document.load(tricky_doc).text
    xml = foreign_project(selection("b0000000-0000-4000-8000-000000000001", 0, 4) +
                          selection("b0000000-0000-4000-8000-000000000002", 10, len(text) + 5))
    bad = make_qdpx(project / "outside.qdpx", xml, {f"sources/{SOURCE}.txt": text.encode("utf-8")})
    line = bad_input(capsys, project, tricky_doc, bad)
    assert (f"selection b0000000-0000-4000-8000-000000000002 at 10-{len(text) + 5} is outside its source's "
            f"text (0-{len(text)}); nothing was imported") in line


def test_bad_positions_and_missing_sources(capsys, project: Path, tricky_doc: Path) -> None:
    xml = foreign_project(selection("b0000000-0000-4000-8000-000000000001", 0, 4).replace('"0"', '"zero"'))
    line = bad_input(capsys, project, tricky_doc, make_qdpx(project / "nan.qdpx", xml, {}))
    assert "startPosition 'zero' is not an integer" in line
    xml = foreign_project(selection("b0000000-0000-4000-8000-000000000001", 0, 4))
    line = bad_input(capsys, project, tricky_doc, make_qdpx(project / "nosource.qdpx", xml, {}))
    assert f"names sources/{SOURCE}.txt, which is not in the zip" in line


def test_control_characters_in_a_bad_file_do_not_reach_the_terminal(capsys, project: Path,
                                                                     project_doc: Path) -> None:
    bad = make_qdpx(project / "ctl.qdpx", "", {})
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("evil\x1b]52;c;aGk=\x07.txt", b"x")
    code, _, err = run(capsys, "import", project_doc, bad, "--annotator", "alice")
    assert code == 2 and "\x1b" not in err and "\x07" not in err


def test_a_codebook_is_not_imported_as_a_project(capsys, project: Path, project_doc: Path) -> None:
    qdc = project / "codebook.qdc"
    qdc.write_text("".join(qdc_pieces(TagSet())), encoding="utf-8")
    line = bad_input(capsys, project, project_doc, qdc)
    assert "a .qdc is a codebook alone, with no selections to import" in line


# -- smaller pieces ------------------------------------------------------------------------------


def test_derived_guids_are_uuid5s_in_the_hedgerow_namespace() -> None:
    import uuid

    from tui.core.refi_qda import NAMESPACE, derived_guid

    for kind, key in (("code", "actor"), ("user", "zoë"), ("selection", "alice\0not-a-uuid"), ("note", "👍🏽")):
        assert derived_guid(kind, key) == str(uuid.uuid5(NAMESPACE, f"{kind}\0{key}"))


def test_source_offsets_agree_with_normalising_every_prefix() -> None:
    """Wherever a position maps, the text before it normalises to the text before its offset."""
    import random

    from tui.core.document import normalise

    pieces = ["a", "b", " ", "e\u0301", "\u0301", "\r\n", "\r", "\n", "👍🏽", "\u1100\u1161", "x\u0323\u0307", "é"]
    rng = random.Random(11)
    for _ in range(200):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        offsets = SourceOffsets(raw)
        assert offsets.text == normalise(raw)
        assert offsets(0) == 0 and offsets(len(raw)) == len(offsets.text)
        for position in range(len(raw) + 1):
            mapped = offsets(position)
            if mapped is None:
                continue
            before = raw[:position]
            if before.endswith("\r") and raw[position:position + 1] == "\n":
                before = before[:-1]  # between CR and LF: the line break's place, before it
            assert offsets.text[:mapped] == normalise(before), (raw, position)


def test_empty_layer_exports_a_valid_project(capsys, project: Path, project_doc: Path) -> None:
    out = project / "empty.qdpx"
    nobody = ("--annotator", "nobody")
    code, added, _ = run(capsys, "add", project_doc, "--start", "0", "--end", "4", "--tag", "actor", *nobody)
    assert code == 0 and run(capsys, "delete", project_doc, added.strip(), *nobody)[0] == 0  # empty, not absent
    code, _, err = run(capsys, "export", project_doc, "--annotator", "nobody", "-f", "qdpx", "-o", out)
    assert code == 0 and "wrote 0 selections (0 with notes) by nobody" in err
    assert schema_errors(out) == []


def test_inline_source_and_a_selection_with_two_codes(capsys, project: Path, tricky_doc: Path) -> None:
    text = Document.load(tricky_doc).text
    start = text.index("NATO")
    two = selection("b0000000-0000-4000-8000-000000000001", start, start + 4).replace(
        "</Coding>", f'</Coding><Coding guid="e0000000-0000-4000-8000-000000000001"><CodeRef targetGUID='
                     f'"{CODES["actor"]}"/></Coding>', 1).replace(CODES["actor"], "{" + CODES["actor"].upper() + "}", 1)
    xml = foreign_project(two).replace(f'plainTextPath="internal://{SOURCE}.txt">',
                                       f"><PlainTextContent>{text}</PlainTextContent>")
    code, _, err = run(capsys, "import", tricky_doc, make_qdpx(project / "inline.qdpx", xml), "--annotator", "alice")
    assert code == 0, err
    assert err.startswith("imported 1 (1 duplicate of a span and tag left out), ")  # the same code twice: once
    layer = Session.open(tricky_doc, SessionOptions(annotator="alice")).layer
    assert [(a.quote, a.tag) for a in layer] == [("NATO", "actor")]
    assert layer.ids() == {"b0000000-0000-4000-8000-000000000001"}


async def export_from_the_dialog(doc: Path, fmt: str) -> list[str]:
    """Export `fmt` as alice through the palette's Export… dialog (the first layer); the notices after."""
    from tui.app.app import HedgerowApp
    from tui.app.dialogs import EXPORT_FORMATS, ExportDialog

    app = HedgerowApp(Session.open(doc, SessionOptions(annotator="alice")))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        {name: run for name, _, run in app.palette_commands()}["Export…"]()
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        await pilot.press(*["down"] * [f for f, _ in EXPORT_FORMATS].index(fmt), "enter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        return [str(n.message) for n in app._notifications]


async def test_the_tuis_export_dialog_writes_a_qdpx_that_the_xsd_and_an_import_accept(project_doc: Path) -> None:
    """REFI-QDA was only in the CLI; the TUI's export listed five formats, none for QDA tools."""
    annotated = annotate(project_doc, SEED_SPANS).layer
    await export_from_the_dialog(project_doc, "qdpx")
    path = project_doc.parent / "exports" / "seed.alice.qdpx"
    assert zipfile.is_zipfile(path) and not schema_errors(path)
    selections = ET.fromstring(zipfile.ZipFile(path).read("project.qde")).iter(f"{{{PROJECT_NS}}}PlainTextSelection")
    assert len(list(selections)) == len(annotated) == 3
    if VALIDATOR.is_file():  # the shared checker too, where ../shared is (the XSD above is this repository's)
        result = run_tool(VALIDATOR, str(path))
        assert result.returncode == 0, result.stdout + result.stderr


async def test_the_tuis_export_dialog_writes_the_codebook_as_a_valid_qdc(project: Path, project_doc: Path) -> None:
    notices = await export_from_the_dialog(project_doc, "qdc")
    assert notices == ["Exported the codebook (3 tags) to exports/codebook.qdc"]
    out = project / "exports" / "codebook.qdc"
    assert list(xsd(CODEBOOK_XSD).iter_errors(out.read_text(encoding="utf-8"))) == []
    codes = ET.fromstring(out.read_bytes()).findall("{urn:QDA-XML:codebook:1.0}Codes/{urn:QDA-XML:codebook:1.0}Code")
    assert [c.get("name") for c in codes] == ["actor", "commitment", "hedge"]
    if VALIDATOR.is_file():
        assert shared_validator(out).returncode == 0
