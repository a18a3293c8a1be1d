"""Property-based tests (hypothesis): random documents and random edit sequences.

Documents mix combining marks, emoji and ZWJ sequences, flags, CJK, right-to-left scripts, CRLF
and lone CR, byte-order marks and control characters. Edits (add, retag, note, delete, undo,
save and reload) go through the Session, checked against a plain model after every step.
Examples are kept few so the suite stays fast, and the same every run (derandomize).
"""

from __future__ import annotations

import io
import os
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hostile import SGR, unsafe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from tui.app.cells import fit, snippet
from tui.app.wrap import as_drawn, row_span, wrap
from tui.commands.documents import annotation_table
from tui.commands.gitcmds import show_line
from tui.core.document import Document, normalise, read_text, text_hash
from tui.core.errors import InputError
from tui.core.export import FORMATS, render
from tui.core.importer import parse_export
from tui.core.safe_text import shown, shown_line
from tui.core.session import Session, SessionOptions

# HEDGEROW_EXAMPLES=500 (and HEDGEROW_RANDOM=1 for new seeds) searches harder, by hand.
PROPERTIES = settings(max_examples=int(os.environ.get("HEDGEROW_EXAMPLES", "40")), deadline=None,
                      derandomize=not os.environ.get("HEDGEROW_RANDOM"),
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PIECES = [
    "e\u0301", "a\u0308\u0327", "\u0301",  # combining marks, one starting a line with nothing to join
    "👩\u200d💻", "👍🏽", "🇰🇿🇺🇸", "\u200d",  # ZWJ sequence, skin tone, flags, a stray joiner
    "中文", "한국어", "ｶﾀｶﾅ",  # CJK, hangul, half-width
    "مرحبا", "שָׁלוֹם",  # right to left, with points
    "\r\n", "\r", "\n", "\n\n", "\ufeff",  # line ends and a BOM (at the start, or inside)
    "\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b", "\u202e", "\u2066", "\x7f", "\t", "\x01",  # controls
    "\u2028", "\x85", "\x0b", "\x1c",  # where str.splitlines (not JSON Lines) would break a line
    "The minister said", " ", ".", "NATO", "[bold]x[/bold]",
]
text_pieces = st.one_of(st.sampled_from(PIECES),
                        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                max_size=4))
raw_documents = st.lists(text_pieces, min_size=1, max_size=30).map("".join)
notes = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=4).map("".join)
TAGS = ("actor", "commitment", "hedge")


# -- documents ---------------------------------------------------------------------------------


@PROPERTIES
@given(raw_documents)
def test_reading_a_file_gives_its_normalised_text_and_that_texts_hash(raw: str) -> None:
    data = raw.encode("utf-8")
    text, sha256 = read_text(data, Path("doc.txt"))
    assert text == normalise(raw)
    assert sha256 == text_hash(text)
    assert "\r" not in text
    assert not raw.startswith("\ufeff") or text == normalise(raw[1:])  # one leading BOM is dropped
    assert unicodedata.is_normalized("NFC", text)


@PROPERTIES
@given(raw_documents, st.integers(min_value=2, max_value=50))
def test_no_drawn_row_holds_a_control_character(raw: str, width: int) -> None:
    text = normalise(raw)
    starts = wrap(text, width)
    assert starts[0] == 0 and starts == sorted(set(starts))
    for row in range(len(starts)):
        start, end = row_span(text, starts, row)
        drawn = as_drawn(text[start:end])
        assert len(drawn) == end - start  # one code point, one stand-in: offsets do not move
        assert not unsafe(drawn)


@PROPERTIES
@given(raw_documents, st.integers(min_value=0, max_value=40))
def test_one_line_cells_and_shown_text_are_safe(raw: str, width: int) -> None:
    assert not unsafe(shown_line(raw)) and len(shown_line(raw)) == len(raw)
    assert not unsafe(shown(raw).replace("\n", "").replace("\t", ""))
    assert not unsafe(snippet(raw, width)) and not unsafe(fit(raw, width))


# -- edit sequences through the Session ---------------------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.floats(0, 1), st.floats(0, 1), st.sampled_from(TAGS), notes),
        st.tuples(st.just("retag"), st.integers(0, 20), st.sampled_from(TAGS)),
        st.tuples(st.just("note"), st.integers(0, 20), notes),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("save and reload")),
    ),
    min_size=1, max_size=14,
)


def records(session: Session) -> dict:
    return {a.id: a for a in session.layer.items()}


def apply(step: tuple, doc: Path, session: Session, model: dict, undo: list[dict]) -> tuple[Session, dict, list]:
    """One step through the session, and the same on the model (a dict of id -> Annotation)."""
    kind, text, ids = step[0], session.text, sorted(model)
    if kind == "add":
        _, a, b, tag, note = step
        start, end = sorted((int(a * len(text)), int(b * len(text))))
        end = max(end, min(len(text), start + 1))
        if end > start and any((m.start, m.end, m.tag) == (start, end, tag) for m in model.values()):
            with pytest.raises(InputError, match="already tagged"):
                session.add(start, end, tag, note)
        elif end > start:
            undo.append(dict(model))
            added = session.add(start, end, tag, note)
            model[added.id] = added
    elif kind in ("retag", "note", "delete") and ids:
        key = ids[step[1] % len(ids)]
        before = dict(model)
        if kind == "retag" and any((m.start, m.end, m.tag) == (model[key].start, model[key].end, step[2])
                                   for other, m in model.items() if other != key):
            with pytest.raises(InputError, match="already tagged"):
                session.retag(key, step[2])
        elif kind == "retag":
            model[key] = session.retag(key, step[2])
        elif kind == "note":
            model[key] = session.set_note(key, step[2])
        else:
            session.delete(key)
            del model[key]
        if model != before:
            undo.append(before)
    elif kind == "undo":
        session.undo()
        if undo:
            model = undo.pop()
    elif kind == "save and reload":
        session.save()
        session = Session.open(doc, SessionOptions(annotator="alice"))
        undo = []  # the history stays with the closed session
    return session, model, undo


@PROPERTIES
@given(raw_documents, operations)
def test_random_edits_keep_quotes_at_their_offsets_survive_reloading_and_export_losslessly(
        raw: str, steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        doc = Path(folder) / "doc.txt"
        doc.write_bytes(raw.encode("utf-8"))
        (Path(folder) / ".git").mkdir()
        session = Session.open(doc, SessionOptions(annotator="alice"))
        text = session.text
        model: dict = {}
        undo: list[dict] = []  # the model's states before each change still undoable
        for step in steps:
            session, model, undo = apply(step, doc, session, model, undo)
            assert records(session) == model
        for annotation in session.layer.items():
            assert annotation.quote == text[annotation.start:annotation.end]
            assert unicodedata.is_normalized("NFC", annotation.quote)
        session.save()
        assert records(Session.open(doc, SessionOptions(annotator="alice"))) == model

        expected = sorted(model.values(), key=lambda a: a.sort_key())
        for fmt in FORMATS:
            exported = render(fmt, session.document, session.layer)
            if fmt == "jsonl" and not expected:
                assert exported == ""  # no lines: nothing to import (an empty file is refused as a mistake)
                continue
            assert parse_export(exported, f"export.{fmt}") == expected, fmt
            # as `hedgerow import` reads a file: bytes decoded, no newline translation
            path = Path(folder) / f"export.{fmt}"
            path.write_bytes(exported.encode("utf-8"))
            assert parse_export(path.read_bytes().decode("utf-8"), str(path)) == expected, fmt

        console = Console(file=io.StringIO(), width=100, force_terminal=True, markup=False, emoji=False)
        console.print(annotation_table(expected, session.tags, session.document.title))
        listed = console.file.getvalue()
        assert SGR.search(listed) and not unsafe(SGR.sub("", listed).replace("\n", ""))
        for annotation in expected:
            assert not unsafe(show_line(annotation))


def test_a_csv_export_with_a_broken_row_is_one_line_naming_the_file() -> None:
    header = "id,tag,start,end,quote\r\n"
    for body, problem in (("a,actor,x,3,abc\r\n", "start must be a whole number"),
                          ("a,actor,1,3,abc,extra\r\n", "one value per column"),
                          ('a,actor,1,3,"abc\r\n', "not valid CSV")):
        try:
            parse_export(header + body, "bad.csv")
        except InputError as error:
            assert str(error).startswith("bad.csv: ") and problem in str(error), str(error)
        else:
            raise AssertionError(f"accepted {body!r}")


def test_json_lines_break_at_newlines_only() -> None:
    from tui.core.annotation import Annotation

    text = "one\u2028two\x85three\x0bfour\x1cfive"
    annotation = Annotation.create(text, 0, len(text), "actor", document="", annotator="a", note=text)
    document = Document.from_text(text)
    assert parse_export(render("jsonl", document, [annotation, annotation]), "x.jsonl") == [annotation] * 2
