"""Exports (json, w3c, jsonl, csv) and import: shapes, lossless round trips, W3C validity."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from shared_tools import run_tool

from tui.core.annotation import FIELDS, Annotation
from tui.core.document import Document
from tui.core.errors import InputError
from tui.core.export import CSV_COLUMNS, FORMATS, document_meta, render, sha256_from_uri, sha256_uri
from tui.core.importer import parse_export, plan_import

VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "w3c_validate.py"

# From seeds/kazakhstan-nato-partnership-edm-2005.txt, plus a line of harder characters:
# an emoji with a skin-tone modifier (two code points), CJK, and x + combining acute (no
# precomposed form, so it stays two code points under NFC).
TEXT = (
    "Publication: Eurasia Daily Monitor Volume: 2 Issue: 188\n\n"
    "Kazakhstan has taken further steps towards strengthening its partnership with the NATO "
    "Alliance, as part of its ongoing strategy aimed at improving its domestic and regional "
    "security while balancing its relations with the United States, Russia, and China. "
    "“Currently there are no sites or bases of NATO in Kazakhstan, and I do not see any need "
    "to change this situation,” Simmons confirmed in an interview in Almaty on October 4 "
    "(Interfax, October 4).\n\n"
    'Reactions: 👍🏽 from 北京; he said "no bases" twice; x\u0301 marks the spot.\n'
)
DOCUMENT = Document.from_text(TEXT, "seeds/kazakhstan-excerpt.txt")


def ann(phrase: str, tag: str, *, note: str = "", annotator: str = "ana", n: int = 1) -> Annotation:
    start = DOCUMENT.text.index(phrase)
    made = Annotation.create(DOCUMENT.text, start, start + len(phrase), tag, document=DOCUMENT.sha256,
                             annotator=annotator, note=note)
    # Fixed times, with modified after created, so a swapped or dropped field shows.
    return replace(made, created=f"2024-05-0{n}T10:00:00.000Z", modified=f"2024-05-0{n}T11:30:00.250Z")


ANNOTATIONS = [
    ann("the United States, Russia, and China", "actor", note="three powers, listed\nin this order", n=3),
    ann("Kazakhstan has taken further steps", "claim", note='a "claim", arguably', n=1),
    ann('he said "no bases"', "quote", annotator="bo", n=2),
    ann("👍🏽", "reaction", n=4),
    ann("北京", "place", note="Beijing", n=5),
    ann("x\u0301", "mark", annotator="bo", n=6),
]
IN_ORDER = sorted(ANNOTATIONS, key=Annotation.sort_key)


def test_sample_is_what_the_tests_claim() -> None:
    assert len("👍🏽") == 2 and "x\u0301" in DOCUMENT.text
    assert [a.start for a in IN_ORDER] == sorted(a.start for a in ANNOTATIONS)
    assert IN_ORDER != ANNOTATIONS  # so the order checks below mean something


@pytest.mark.parametrize("fmt", ["json", "w3c", "jsonl"])
def test_round_trip_is_lossless(fmt: str) -> None:
    back = parse_export(render(fmt, DOCUMENT, ANNOTATIONS), f"export.{fmt}")
    assert back == IN_ORDER
    for got, want in zip(back, IN_ORDER, strict=True):  # field by field, for a readable failure
        assert {f: getattr(got, f) for f in FIELDS} == {f: getattr(want, f) for f in FIELDS}


def test_round_trip_keeps_a_foreign_document_hash_and_no_annotator() -> None:
    odd = replace(ANNOTATIONS[0], document="", annotator="", id="not-a-uuid")
    for fmt in ("json", "w3c"):
        assert parse_export(render(fmt, DOCUMENT, [odd]), "x") == [odd]


def test_json_export_has_the_document_metadata() -> None:
    data = json.loads(render("json", DOCUMENT, ANNOTATIONS))
    assert data["hedgerow"] == {"format": "hedgerow-annotations", "version": 1}
    assert data["document"] == {"title": DOCUMENT.title, "path": "seeds/kazakhstan-excerpt.txt",
                                "sha256": DOCUMENT.sha256, "length": len(DOCUMENT.text)}
    assert [r["id"] for r in data["annotations"]] == [a.id for a in IN_ORDER]
    assert "北京" in render("json", DOCUMENT, ANNOTATIONS)  # ensure_ascii=False


def test_jsonl_is_one_record_per_line_in_document_order() -> None:
    out = render("jsonl", DOCUMENT, ANNOTATIONS)
    assert out.endswith("\n")
    lines = out.split("\n")[:-1]
    assert len(lines) == len(ANNOTATIONS)
    records = [json.loads(line) for line in lines]
    assert all(set(r) == set(FIELDS) for r in records)
    assert [Annotation.from_record(r) for r in records] == IN_ORDER


def test_csv_parses_back_with_newlines_and_quotes_intact() -> None:
    out = render("csv", DOCUMENT, ANNOTATIONS)
    assert not out.startswith("\ufeff")
    assert out.startswith(",".join(CSV_COLUMNS) + ",entity,links\r\n")
    assert out.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    # What an analyst reads first; the document in every row; the machine's columns last.
    assert rows[0] == ["tag", "quote", "note", "annotator", "start", "end", "title", "path", "created", "modified",
                       "id", "prefix", "suffix", "document", "original_annotator", "entity", "links"]
    assert len(rows) == 1 + len(ANNOTATIONS)
    path = document_meta(DOCUMENT)["path"]
    for row, a in zip(rows[1:], IN_ORDER, strict=True):
        assert row == [a.tag, a.quote, a.note, a.annotator, str(a.start), str(a.end), DOCUMENT.title, path,
                       a.created, a.modified, a.id, a.prefix, a.suffix, a.document, a.original_annotator, "", ""]
    notes = {row[2] for row in rows[1:]}
    assert "three powers, listed\nin this order" in notes and 'a "claim", arguably' in notes
    assert 'he said "no bases"' in {row[1] for row in rows[1:]}


def test_csv_for_excel_starts_with_a_bom_and_keeps_curly_quotes() -> None:
    out = render("csv", DOCUMENT, ANNOTATIONS, excel=True)
    assert out.startswith("\ufeff" + ",".join(CSV_COLUMNS) + ",entity,links\r\n")
    data = out.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == render("csv", DOCUMENT, ANNOTATIONS)  # what Excel reads
    with pytest.raises(InputError):
        render("json", DOCUMENT, ANNOTATIONS, excel=True)


def test_json_puts_the_document_before_the_annotations() -> None:
    out = render("json", DOCUMENT, ANNOTATIONS)
    assert list(json.loads(out)) == ["hedgerow", "document", "annotations"]
    assert out.index('"document"') < out.index('"annotations"')


def test_w3c_structure() -> None:
    data = json.loads(render("w3c", DOCUMENT, ANNOTATIONS))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection" and data["id"].startswith("urn:uuid:")
    assert data["total"] == len(ANNOTATIONS) and data["label"] == DOCUMENT.title
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0 and data["last"] == page["id"]
    assert [item["id"] for item in page["items"]] == [f"urn:uuid:{a.id}" for a in IN_ORDER]
    for item, a in zip(page["items"], IN_ORDER, strict=True):
        assert item["type"] == "Annotation"
        assert (item["created"], item["modified"]) == (a.created, a.modified)
        assert item["creator"] == {"type": "Person", "name": a.annotator, "nickname": a.annotator}
        tagging = {"type": "TextualBody", "purpose": "tagging", "value": a.tag}
        if a.note:
            assert item["motivation"] == ["tagging", "commenting"]
            assert item["body"] == [tagging, {"type": "TextualBody", "purpose": "commenting",
                                              "value": a.note, "format": "text/plain"}]
        else:
            assert item["motivation"] == "tagging" and item["body"] == [tagging]
        target = item["target"]
        assert sha256_from_uri(target["source"]) == DOCUMENT.sha256
        assert target["selector"] == [
            {"type": "TextQuoteSelector", "exact": a.quote, "prefix": a.prefix, "suffix": a.suffix},
            {"type": "TextPositionSelector", "start": a.start, "end": a.end},
        ]
        # The position selector counts code points, so it must slice out the quote.
        assert DOCUMENT.text[a.start:a.end] == a.quote


def test_w3c_ids_are_stable_across_exports() -> None:
    first = json.loads(render("w3c", DOCUMENT, ANNOTATIONS))
    again = json.loads(render("w3c", DOCUMENT, list(reversed(ANNOTATIONS))))
    assert (first["id"], first["first"]["id"]) == (again["id"], again["first"]["id"])
    other = json.loads(render("w3c", DOCUMENT, [a for a in ANNOTATIONS if a.annotator == "ana"]))
    assert other["id"] != first["id"]  # another annotator set is another collection


def test_empty_w3c_export_has_no_page_and_reads_back_empty() -> None:
    data = json.loads(render("w3c", DOCUMENT, []))
    assert data["total"] == 0 and "first" not in data
    assert parse_export(render("w3c", DOCUMENT, []), "empty.json") == []


def test_sha256_uri_round_trips() -> None:
    assert sha256_uri(DOCUMENT.sha256).startswith("ni:///sha-256;")
    assert sha256_from_uri(sha256_uri(DOCUMENT.sha256)) == DOCUMENT.sha256
    assert sha256_from_uri("urn:sha256:abc") is None


def test_unknown_format_is_an_input_error() -> None:
    assert FORMATS == ("json", "w3c", "jsonl", "csv")
    with pytest.raises(InputError, match="unknown export format 'xml'"):
        render("xml", DOCUMENT, ANNOTATIONS)


# -- W3C validation with the shared validator ------------------------------------------

def validate(tmp_path: Path, annotations: list[Annotation], name: str) -> subprocess.CompletedProcess:
    if not VALIDATOR.is_file():
        pytest.skip(f"{VALIDATOR} is absent")
    path = tmp_path / name
    path.write_text(render("w3c", DOCUMENT, annotations), encoding="utf-8")
    return run_tool(VALIDATOR, str(path))


@pytest.mark.parametrize("which", ["all", "with-note", "without-note"])
def test_w3c_export_passes_the_validator(tmp_path: Path, which: str) -> None:
    chosen = {"all": ANNOTATIONS, "with-note": [ANNOTATIONS[0]], "without-note": [ANNOTATIONS[2]]}[which]
    result = validate(tmp_path, chosen, f"{which}.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"{tmp_path / which}.json: ok"


def test_the_validator_catches_a_broken_export(tmp_path: Path) -> None:
    """So the passing test above is not passing a validator that accepts anything."""
    if not VALIDATOR.is_file():
        pytest.skip(f"{VALIDATOR} is absent")
    data = json.loads(render("w3c", DOCUMENT, ANNOTATIONS))
    del data["first"]["items"][0]["target"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run_tool(VALIDATOR, str(path))
    assert result.returncode == 1 and "MUST failure" in result.stdout


# -- import ------------------------------------------------------------------------------

def test_import_skips_existing_ids_and_keeps_authors_and_times() -> None:
    parsed = parse_export(render("w3c", DOCUMENT, ANNOTATIONS), "export.json")
    plan = plan_import(DOCUMENT, {ANNOTATIONS[1].id, ANNOTATIONS[4].id}, parsed)
    assert {a.id for a in plan.skipped} == {ANNOTATIONS[1].id, ANNOTATIONS[4].id}
    assert not plan.mismatched
    assert {a.id for a in plan.new} == {a.id for a in ANNOTATIONS} - {ANNOTATIONS[1].id, ANNOTATIONS[4].id}
    assert all(a in ANNOTATIONS for a in plan.new)  # unchanged: annotator, created, modified kept


def test_import_sets_the_document_hash_only_on_matching_quotes() -> None:
    old = [replace(a, document="0" * 64) for a in ANNOTATIONS[:2]]
    plan = plan_import(DOCUMENT, set(), old)
    assert [a.document for a in plan.new] == [DOCUMENT.sha256] * 2
    assert [replace(a, document="0" * 64) for a in plan.new] == old


def test_import_reports_mismatched_quotes_with_a_reason() -> None:
    edited = Document.from_text(TEXT.replace("further steps", "bolder steps"), "edited.txt")
    short = Document.from_text(TEXT[:100], "short.txt")
    plan = plan_import(edited, set(), ANNOTATIONS)
    assert [m.annotation.id for m in plan.mismatched] == [a.id for a in ANNOTATIONS if a.start >= 57]
    moved = next(m for m in plan.mismatched if m.annotation.id == ANNOTATIONS[1].id)
    assert "not the quote 'Kazakhstan has taken further steps'" in moved.reason
    assert str(moved).startswith(f"{ANNOTATIONS[1].id} (claim, ")
    plan = plan_import(short, set(), [ANNOTATIONS[0]])
    assert not plan.new and "runs past the end of the document (100 characters)" in plan.mismatched[0].reason


def test_import_skips_a_repeated_id_within_the_import() -> None:
    plan = plan_import(DOCUMENT, set(), [ANNOTATIONS[0], ANNOTATIONS[0]])
    assert len(plan.new) == 1 and len(plan.skipped) == 1


def _w3c_without(path: list, key: str) -> str:
    data = json.loads(render("w3c", DOCUMENT, ANNOTATIONS[:1]))
    node = data
    for step in path:
        node = node[step]
    del node[key]
    return json.dumps(data)


def _w3c_selectors(kinds: list[str]) -> str:
    data = json.loads(render("w3c", DOCUMENT, ANNOTATIONS[:1]))
    target = data["first"]["items"][0]["target"]
    target["selector"] = [s for s in target["selector"] if s["type"] in kinds]
    return json.dumps(data)


BAD_IMPORTS = [
    ("", "empty file"),
    ("not json at all", "not JSON"),
    ('{"hedgerow": {"format": "hedgerow-annotations", "version": 1}, "annotations": [\n', "not JSON"),
    ("[1, 2]", "item 0: not a W3C Annotation object"),
    ('"a string"', "expected a JSON object"),
    ('{"type": "Book"}', "not a hedgerow json or W3C export"),
    ('{"hedgerow": {"format": "hedgerow-annotations", "version": 9}, "annotations": []}', "version 9"),
    ('{"hedgerow": {"format": "hedgerow-annotations", "version": 1}, "annotations": [{"start": 1}]}',
     "annotation 0: missing field(s): end, quote, tag"),
    ('{"type": "AnnotationCollection", "first": "http://example.org/page1"}', "not embedded"),
    (_w3c_selectors(["TextQuoteSelector"]), "the target has no TextPositionSelector"),
    (_w3c_selectors(["TextPositionSelector"]), "the target has no TextQuoteSelector"),
    (_w3c_without(["first", "items", 0], "target"), "needs exactly one target with selectors"),
    (_w3c_without(["first", "items", 0], "body"), "needs exactly one tagging body"),
    (_w3c_without(["first", "items", 0], "id"), "has no 'id'"),
    ('{"start": 1, "end": 2, "quote": "x", "tag": "t"}\nnot json\n', "line 2 is not JSON"),
    ('{"start": 1, "end": 2, "quote": "x", "tag": "t"}\n{"start": "1"}\n', "line 2: missing field(s)"),
]


# Named by the message: the texts hold random uuids, and xdist's workers must collect the same ids.
@pytest.mark.parametrize("text, message", BAD_IMPORTS, ids=[message for _, message in BAD_IMPORTS])
def test_bad_import_input_is_a_clear_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_export(text, "bad.json")
    assert str(caught.value).startswith("bad.json: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_broken_w3c_item_is_named_by_its_id() -> None:
    with pytest.raises(InputError, match=f"item 0 \\(urn:uuid:{ANNOTATIONS[0].id}\\)"):
        parse_export(_w3c_selectors([]), "bad.json")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("given", [ANNOTATIONS, []], ids=["six", "none"])
def test_pieces_from_a_layer_equal_the_whole_text_json_would_write(fmt: str, given: list[Annotation]) -> None:
    from tui.core.export import json_pieces, pieces, w3c_annotation, w3c_collection
    from tui.core.layer import Layer

    layer = Layer(given, text=DOCUMENT.text)
    written = list(pieces(fmt, DOCUMENT, layer))
    assert "".join(written) == render(fmt, DOCUMENT, reversed(given))  # a list is sorted first
    if fmt == "json":  # the same text json.dumps gives for the whole structure at once
        whole = {"hedgerow": {"format": "hedgerow-annotations", "version": 1},
                 "document": json.loads("".join(json_pieces(DOCUMENT, [])))["document"],
                 "annotations": [a.to_record() for a in IN_ORDER if a in given]}
        assert "".join(written) == _dumps_in_order(whole)
        assert len(written) > len(given)  # in pieces, an annotation at a time
    if fmt == "w3c":
        whole = w3c_collection(DOCUMENT, layer)
        if given:
            source = sha256_uri(DOCUMENT.sha256)
            whole["first"]["items"] = [w3c_annotation(a, source) for a in IN_ORDER]
        assert "".join(written) == _dumps_in_order(whole, streamed=("first",))


def _sorted_inside(value):
    if isinstance(value, dict):
        return {key: _sorted_inside(value[key]) for key in sorted(value)}
    return [_sorted_inside(v) for v in value] if isinstance(value, list) else value


def _dumps_in_order(whole: dict, streamed: tuple[str, ...] = ()) -> str:
    """json.dumps with the top level (and the `streamed` dicts) in the order written, all else sorted."""
    ordered = {key: ({k: _sorted_inside(v) for k, v in value.items()} if key in streamed else _sorted_inside(value))
               for key, value in whole.items()}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
