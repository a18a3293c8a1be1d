"""The HTML report: one self-contained page a reader opens in a browser, or prints to PDF.

The page is made as a stream of pieces (`document_page`, `corpus_page`), written by `write_report`
through the atomic writer, so a 5 MB document never becomes one 5 MB string (let alone the page).

What comes from files -- the text, quotes, notes, tag names, annotator names, file names -- is
untrusted: it is escaped (`html.escape`, quotes too) wherever it goes, and the page's Content
Security Policy forbids scripts and every request, so even a slip could neither run nor call out.
Control characters are shown as visible stand-ins (`shown`), which keeps one character per code
point. The page has no script at all: hovering shows a title, focusing (tab) shows a tip in CSS.
The text itself, with its marked spans, is made by `tui.core.report_article`.
"""

from __future__ import annotations

import re
import tempfile
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from tui import __version__
from tui.core.anchoring import quote_holds
from tui.core.annotation import Annotation
from tui.core.atomic import atomic_write_chunks
from tui.core.brief import DEFAULT_ROLES, BriefRoles
from tui.core.document import Document
from tui.core.errors import HedgerowError
from tui.core.layer import Layer
from tui.core.paths import relative_path
from tui.core.report_article import TEXT_CHUNK, ArticleState, ElementIds, article_pieces, text
from tui.core.report_brief import brief_for, brief_pieces
from tui.core.report_sources import ReportedDocument
from tui.core.report_style import STYLESHEET, TagLook, TagLooks, tag_css, tag_looks
from tui.core.safe_text import shown_line
from tui.core.tags import TagSet
from tui.core.wording import count_of

if TYPE_CHECKING:
    from tui.core.links import Link

# No script may run and nothing may be fetched: the styles are inline, and there is nothing else.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
WRITE_CHUNK = 1 << 16  # characters gathered before encoding and writing
QUOTE_SHOWN = 600  # characters of a quote shown in the lists (the text holds all of it)
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")  # a blank line, and any more after it


def _clip(value: str, width: int = QUOTE_SHOWN) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


# -- writing ---------------------------------------------------------------------------------

def encoded(pieces: Iterable[str | bytes]) -> Iterator[bytes]:
    """The pieces as UTF-8, a few tens of KB at a time (a lone surrogate from a JSON file becomes '?').
    A bytes piece is already encoded and goes through as it is."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            if batch:
                yield "".join(batch).encode("utf-8", "replace")
                batch, size = [], 0
            yield piece
            continue
        batch.append(piece)
        size += len(piece)
        if size >= WRITE_CHUNK:
            yield "".join(batch).encode("utf-8", "replace")
            batch, size = [], 0
    if batch:
        yield "".join(batch).encode("utf-8", "replace")


def write_report(path: Path, pieces: Iterable[str | bytes]) -> None:
    """Write the page atomically, as it is made."""
    atomic_write_chunks(path, encoded(pieces))


# -- the page --------------------------------------------------------------------------------

def page_head(title: str, looks: Iterable[TagLook]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="hedgerow {__version__}">\n'
        f"<title>{text(title)}</title>\n<style>{STYLESHEET}{tag_css(looks)}</style>\n</head>\n"
        '<body>\n<a class="skip" href="#main">Skip to the report</a>\n<div class="page">\n'
    )


PAGE_TAIL = ('<p class="footer">Written by hedgerow. Offsets are Unicode code points into the NFC text; '
             "every highlight holds its annotation's quote exactly.</p>\n</div>\n</body>\n</html>\n")


def _meta(items: Iterable[tuple[str, str]]) -> str:
    cells = "".join(f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in items if v)
    return f'<dl class="meta">{cells}</dl>'


def _word_count(value: str) -> int:
    """Words (runs of non-space), counted a chunk at a time: never a list of every word."""
    words = 0
    for start in range(0, len(value), TEXT_CHUNK):
        end = start + TEXT_CHUNK
        words += len(value[start:end].split())
        if end < len(value) and not value[end - 1].isspace() and not value[end].isspace():
            words -= 1  # a word across the cut is counted in the next chunk too
    return words


def legend_card(looks: dict[str, TagLook], counts: dict[str, int], heading: str = "Legend") -> str:
    """Every tag: its look in the text (tint, line and label), its count and its description."""
    rows = []
    for look in looks.values():
        count = counts.get(look.name, 0)
        rows.append(
            f'<tr><td><span class="swatch {look.css_class}" aria-hidden="true">Aa</span></td>'
            f'<td><span class="chip {look.css_class}">{text(look.name)}</span>'
            f'<span class="desc">{text(look.description) or "&nbsp;"} <i>({look.line} line)</i></span></td>'
            f'<td class="count">{count:,}</td></tr>'
        )
    total = sum(counts.values())
    rows.append(f'<tr class="total"><td></td><td>All tags</td><td class="count">{total:,}</td></tr>')
    return (f'<section class="card" aria-labelledby="legend-h"><h2 id="legend-h">{escape(heading)}</h2>'
            f'<table class="legend">{"".join(rows)}</table>'
            '<p class="howto">Each tagged passage is tinted in its tag&rsquo;s colour, labelled, and underlined in '
            "its tag&rsquo;s line; overlapping passages stack their lines. Bracketed numbers lead to notes. "
            "Hover over a "
            "passage, or reach it with Tab, to see its tag, annotator and note.</p></section>")


def contents_card(entries: Iterable[tuple[str, str]]) -> str:
    links = "".join(f'<li><a href="#{escape(target)}">{label}</a></li>' for target, label in entries)
    return f'<nav class="card toc" aria-label="Contents"><h2>Contents</h2><ol>{links}</ol></nav>'


# -- one document's sections -----------------------------------------------------------------

def notes_section(layer: Layer, looks: dict[str, TagLook], ids: ElementIds, state: ArticleState) -> Iterator[str]:
    """The notes in the order their numbers appear in the text, each linking back to its span."""
    if not state.notes:
        return
    yield (f'<section class="card notes" id="{ids.notes}" aria-labelledby="{ids.notes}-h">'
           f'<h2 id="{ids.notes}-h">Notes</h2><ol>')
    for number, k in state.notes:
        a = layer.at_position(k)
        yield (f'<li id="{ids.note(number)}" value="{number}"><span class="chip {looks[a.tag].css_class}">'
               f'{text(a.tag)}</span> <a href="#{ids.ref(number)}" class="excerpt" title="back to the text">'
               f'“{text(_clip(a.quote, 160))}” ↩</a> <span class="who">— {text(a.annotator)}</span>'
               f'<p class="note-text">{text(a.note)}</p></li>')
    yield "</ol></section>"


def by_tag_section(layer: Layer, value: str, looks: dict[str, TagLook], ids: ElementIds,
                   state: ArticleState) -> Iterator[str]:
    """Every annotation, grouped by tag in codebook order, each linking to its place in the text.
    Needs the article's state: the tag of every span, so each annotation is made once here."""
    counts = layer.counts()
    paragraphs = paragraph_starts(value)
    yield (f'<section class="card" id="{ids.by_tag}" aria-labelledby="{ids.by_tag}-h">'
           f'<h2 id="{ids.by_tag}-h">Annotations by tag</h2>')
    for look in looks.values():
        count = counts.get(look.name, 0)
        if not count:
            continue
        yield (f'<div class="group" id="{ids.prefix}tag-{look.index}"><h3><span class="chip {look.css_class}">'
               f'{text(look.name)}</span><span class="n">{count_of(count, "annotation")}</span></h3>'
               f'<ol class="quotes">')
        for k in [k for k, index in enumerate(state.tags) if index == look.index]:
            a = layer.at_position(k)
            quote = text(_clip(a.quote))
            if k in state.unplaced:
                quote = f'“{quote}” <span class="unplaced">(not found at its place in this text)</span>'
            else:
                quote = f'<a href="#{ids.span(k)}">“{quote}”</a>'
            sub = [text(a.annotator)] if a.annotator else []
            if a.note:
                number = state.note_of.get(k)
                link = f' <a href="#{ids.note(number)}">[{number}]</a>' if number else ""
                sub.append(f'note{link}: <span class="note-inline">{text(_clip(a.note, 300))}</span>')
            paragraph = bisect_right(paragraphs, a.start)
            yield (f'<li><span class="pos" title="paragraph {paragraph:,}, characters {a.start:,}&ndash;{a.end:,}">'
                   f'¶{paragraph:,}</span>'
                   f'<span class="q">{quote}<span class="sub">{" · ".join(sub)}</span></span></li>')
        yield "</ol></div>"
    yield "</section>"


def paragraph_starts(value: str) -> array[int]:
    """Where each paragraph starts (paragraphs are separated by blank lines), 8 bytes each."""
    return array("q", [0, *(m.end() for m in PARAGRAPH_BREAK.finditer(value))])


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def agreement_section(reported: ReportedDocument, ids: ElementIds) -> str:
    """A short table: each pair of annotators' agreement overall, and exact F1 per tag."""
    heading = (f'<section class="card" id="{ids.agreement}" aria-labelledby="{ids.agreement}-h">'
               f'<h2 id="{ids.agreement}-h">Agreement between layers</h2>')
    report = reported.agreement
    if report is None:
        return f"{heading}<p>{text(reported.agreement_note)}</p></section>" if reported.agreement_note else ""
    if reported.stale_layers:  # as `hedgerow agree` warns
        heading += (f'<p class="notice">Made on another version of this text: {text(", ".join(reported.stale_layers))}'
                    f"’s annotations. Spans whose quote moved are compared where they were; "
                    f"<code>hedgerow check --apply</code> moves them first.</p>")
    tags = report["tags"]
    head = "".join(f"<th scope=\"col\">{text(t)} F1</th>" for t in tags)
    rows = []
    for pair in report["pairs"]:
        o = pair["overall"]
        per_tag = "".join(f"<td>{_figure(pair['per_tag'][t]['exact_f1'])}</td>" for t in tags)
        rows.append(f'<tr><th scope="row">{text(pair["a"])} / {text(pair["b"])}</th>'
                    f'<td>{o["spans_a"]:,} / {o["spans_b"]:,}</td><td>{_figure(o["exact_f1"])}</td>'
                    f'<td>{_figure(o["overlap_f1"])}</td><td>{_figure(o["kappa"])}</td>{per_tag}</tr>')
    caption = (f"Exact F1: same start, end and tag; overlap F1: same tag, sharing a character; &kappa;: Cohen&rsquo;s "
               f"kappa over {report['tokens']:,} tokens. Pooled Krippendorff&rsquo;s &alpha;: "
               f"{_figure(report['overall_alpha'])}. "
               f"The text shows the layer “{text(reported.layer_name)}”.")
    return (f'{heading}<table class="agree"><caption>{caption}</caption><thead><tr><th scope="col">Pair</th>'
            f'<th scope="col">Spans</th><th scope="col">Exact F1</th><th scope="col">Overlap F1</th>'
            f'<th scope="col">&kappa;</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _notices(reported: ReportedDocument) -> Iterator[str]:
    document, layer = reported.document, reported.layer
    if document.is_empty:
        yield '<p class="notice">This document is empty: there is no text to show.</p>'
    elif reported.missing:
        yield (f'<p class="notice">No annotations to show: {text(reported.missing)} for this document. '
               "The text is shown without highlights.</p>")
    elif not len(layer):
        yield (f'<p class="notice">The layer “{text(reported.layer_name)}” has no annotations yet: '
               "the text is shown without highlights.</p>")
    if reported.stale:
        yield ('<p class="notice">These annotations were made on another version of this text. Spans whose quote '
               "is no longer at its place are listed, not highlighted; <code>hedgerow check --apply</code> "
               "moves them.</p>")


def document_details(reported: ReportedDocument) -> str:
    document, layer = reported.document, reported.layer
    annotators = ", ".join(sorted(text(name) for name in layer.annotators() if name)) if len(layer) else ""
    return _meta((
        ("File", text(relative_path(document.path))),
        ("Layer", text(reported.layer_name)),
        ("Other layers", ", ".join(text(n) for n in reported.other_layers)),
        ("Annotators", annotators),
        ("Length", f"{count_of(_word_count(document.text), 'word')} · {count_of(len(document.text), 'character')}"),
        ("Text sha256", f'<span title="{document.sha256}">{document.sha256[:12]}…</span>'),
    ))


def document_sections(reported: ReportedDocument, looks: dict[str, TagLook], ids: ElementIds) -> Iterator[str]:
    """One document's report, after its heading: notices, agreement, brief, the text, notes, the lists."""
    yield from _notices(reported)
    if reported.agreement is not None or reported.agreement_note:
        yield agreement_section(reported, ids)
    layer, value = reported.layer, reported.document.text
    if reported.brief is not None:
        def anchor_of(annotation_id: str) -> str | None:
            try:
                k = layer.index_of(annotation_id)
            except KeyError:
                return None
            return ids.span(k) if quote_holds(value, layer.at_position(k)) else None

        yield from brief_pieces(reported.brief, anchor_of)
    state = ArticleState()
    yield (f'<section id="{ids.text}" aria-labelledby="{ids.text}-h"><h2 id="{ids.text}-h">'
           f'The text, annotated</h2><div class="article">')
    yield from article_pieces(value, layer, looks, ids, state)
    yield "</div></section>"
    yield from notes_section(layer, looks, ids, state)
    if len(layer):
        yield from by_tag_section(layer, value, looks, ids, state)


def _contents(reported: ReportedDocument, ids: ElementIds) -> list[tuple[str, str]]:
    entries = [(ids.agreement, "Agreement")] if reported.agreement is not None or reported.agreement_note else []
    entries += [("brief", "Brief")] if reported.brief is not None else []
    entries.append((ids.text, "The text, annotated"))
    if any(True for a in _with_notes(reported.layer)):
        entries.append((ids.notes, "Notes"))
    if len(reported.layer):
        entries.append((ids.by_tag, "Annotations by tag"))
    return entries


def _with_notes(layer: Layer) -> Iterator[Annotation]:
    return (a for a in layer if a.note)


def document_page(reported: ReportedDocument, looks: dict[str, TagLook], generated: str | None = None) -> Iterator[str]:
    """The whole page for one document, as pieces."""
    document = reported.document
    ids = ElementIds()
    yield page_head(f"{document.title} — hedgerow report", looks.values())
    yield (f'<header class="masthead"><p class="kicker">Annotation report · '
           f'{count_of(len(reported.layer), "annotation")} · {escape(generated or now_utc())}</p>'
           f"<h1>{text(document.title)}</h1>{document_details(reported)}</header>")
    yield '<div class="layout"><aside class="side">'
    yield legend_card(looks, reported.layer.counts())
    yield contents_card((target, escape(label)) for target, label in _contents(reported, ids))
    yield '</aside><main class="main" id="main">'
    yield from document_sections(reported, looks, ids)
    yield "</main></div>"
    yield PAGE_TAIL


def layer_page(document: Document, layer: Layer, layer_name: str, tags: TagSet, *,
               stale: bool = False, links: Iterable[Link] = (), roles: BriefRoles = DEFAULT_ROLES) -> Iterator[str]:
    """The page for one layer held in memory (the TUI's, as it is now)."""
    brief = brief_for(document, layer, links, roles)
    reported = ReportedDocument(document, layer, layer_name, stale=stale, brief=brief)
    return document_page(reported, tag_looks(tags, layer.counts()))


# -- a corpus --------------------------------------------------------------------------------

@dataclass
class CorpusEntry:
    """One file of a corpus, as the contents table lists it."""

    path: Path
    title: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    problem: str = ""  # why it could not be read


SPOOL_READ = 1 << 16


def corpus_page(root: Path, paths: Iterable[Path], looks: TagLooks, load: Callable[[Path], ReportedDocument],
                entries: list[CorpusEntry], spool_dir: Path | None = None,
                generated: str | None = None) -> Iterator[str | bytes]:
    """One page for every document of a corpus: a contents table with counts, then each document.

    One pass: each document is loaded by `load`, written to a temporary file next to the output
    (`spool_dir`) and dropped, while its title and counts go to `entries`; then the head (whose CSS
    needs every tag met), the legend and the table are written, and the spool after them. So memory
    stays flat in the number of documents, and no document is read twice.
    """
    with tempfile.TemporaryFile(dir=spool_dir) as spool:
        for n, path in enumerate(paths, 1):
            try:
                reported = load(path)
            except HedgerowError as error:
                entries.append(CorpusEntry(path, problem=shown_line(str(error))))
                continue
            entries.append(CorpusEntry(path, reported.document.title, reported.layer.counts()))
            for chunk in encoded(_corpus_document(reported, looks, n)):
                spool.write(chunk)
            del reported
        totals: dict[str, int] = {}
        for entry in entries:
            for tag, count in entry.counts.items():
                totals[tag] = totals.get(tag, 0) + count
        readable = sum(not e.problem for e in entries)
        name, folder = folder_name(root), folder_shown(root)
        yield page_head(f"{name} — hedgerow corpus report", looks.values())
        yield (f'<header class="masthead"><p class="kicker">Corpus report · {count_of(readable, "document")} · '
               f'{count_of(sum(totals.values()), "annotation")} · {escape(generated or now_utc())}</p>'
               f"<h1>{text(name)}</h1>{_meta((('Folder', text(folder)),))}</header>")
        yield '<div class="layout"><aside class="side">'
        yield legend_card(looks, totals, "Legend (whole corpus)")
        yield '</aside><main class="main" id="main">'
        yield from _corpus_table(root, entries, looks)
        spool.seek(0)
        while chunk := spool.read(SPOOL_READ):
            yield chunk
    yield "</main></div>"
    yield PAGE_TAIL


def folder_name(root: Path) -> str:
    """The folder's own name: `.` or `a/..` say nothing to a reader, so their real name (`/` for the root)."""
    name = root.name
    if name in ("", ".", ".."):
        resolved = root.resolve()
        name = resolved.name or str(resolved)
    return name


def folder_shown(root: Path) -> str:
    """The folder as given, unless that is `.` or ends in `..`: then its real name."""
    return str(root) if root.name not in ("", ".", "..") else folder_name(root)


def _corpus_document(reported: ReportedDocument, looks: TagLooks, n: int) -> Iterator[str]:
    ids = ElementIds(f"d{n}-")
    yield (f'<article class="doc" id="d{n}" aria-labelledby="d{n}-h"><h2 class="title" id="d{n}-h">'
           f'{text(reported.document.title)}</h2>{document_details(reported)}'
           f'<p class="who">{count_of(len(reported.layer), "annotation")} · '
           f'<a href="#documents">back to the list</a></p>')
    yield from document_sections(reported, looks, ids)
    yield "</article>"


def _corpus_table(root: Path, entries: list[CorpusEntry], looks: dict[str, TagLook]) -> Iterator[str]:
    yield '<section class="card" id="documents" aria-labelledby="documents-h"><h2 id="documents-h">Documents</h2>'
    if not entries:
        yield f"<p>No .txt or .md documents under {text(folder_shown(root))}.</p></section>"
        return
    head = "".join(f'<th scope="col" class="num"><span class="chip {look.css_class}">{text(look.name)}</span></th>'
                   for look in looks.values())
    yield (f'<table class="docs"><thead><tr><th scope="col">Document</th><th scope="col">File</th>{head}'
           f'<th scope="col" class="num">All</th></tr></thead><tbody>')
    for n, entry in enumerate(entries, 1):
        try:
            where = entry.path.relative_to(root).as_posix()
        except ValueError:
            where = entry.path.as_posix()
        if entry.problem:
            yield (f'<tr><td class="problem">Not read: {text(entry.problem)}</td><td>{text(where)}</td>'
                   f'<td colspan="{len(looks) + 1}"></td></tr>')
            continue
        cells = "".join(f'<td class="num">{entry.counts.get(look.name, 0):,}</td>' for look in looks.values())
        yield (f'<tr><td><a href="#d{n}">{text(entry.title)}</a></td><td>{text(where)}</td>{cells}'
               f'<td class="num">{sum(entry.counts.values()):,}</td></tr>')
    yield "</tbody></table></section>"
