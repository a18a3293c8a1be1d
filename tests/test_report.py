"""The HTML report, read back with an HTML parser: every quote in its marks, notes linked both ways,
contrast computed, untrusted input inert, bad input handled, the page written as a stream.
(tests/test_report_browser.py opens the same pages in Chromium.)"""

from __future__ import annotations

import json
import os
import re
import tracemalloc
from pathlib import Path

import pytest
from report_fixture import SEED_SPANS, annotate, find
from report_html import read_page

from tui.cli import main
from tui.core.annotation import Annotation
from tui.core.brief import Brief, Commitment, Entity, Sentences, Span
from tui.core.document import Document
from tui.core.layer import Layer
from tui.core.paths import layer_path
from tui.core.report import document_page, encoded, write_report
from tui.core.report_sources import LayerChoice, ReportedDocument, find_documents, reported_document
from tui.core.report_style import INK, LINE_STYLES, PAPER, contrast, parse_colour, tag_looks
from tui.core.session import Session, SessionOptions
from tui.core.store import AnnotationStore
from tui.core.tags import DEFAULT_TAGS, Tag, TagSet


def report(*args: str) -> int:
    return main(["report", *args])


@pytest.fixture
def annotated(project_doc: Path) -> Path:
    annotate(project_doc)
    return project_doc


def seed_page(doc: Path, tmp_path: Path, *extra: str) -> tuple[str, list[Annotation]]:
    out = tmp_path / "report.html"
    assert report(str(doc), "--annotator", "alice", "-o", str(out), *extra) == 0
    layer = AnnotationStore(doc.parent / "annotations" / doc.stem / "alice.json").load().annotations
    return out.read_text(encoding="utf-8"), layer


def test_every_annotation_is_marked_with_exactly_its_quote(annotated: Path, tmp_path: Path) -> None:
    html, annotations = seed_page(annotated, tmp_path)
    page = read_page(html)
    assert len(annotations) == len(SEED_SPANS)
    assert page.quotes == {a.id: a.quote for a in annotations}
    assert not page.find_all("script") and "<script" not in html  # nothing needs a script: readable with them off
    # the article's text is the document's, with footnote numbers only between the marks
    article = Document.load(annotated).text
    assert re.sub(r"\[?\d+\]?", "", page.text).count("Kazakhstan") >= article.count("Kazakhstan")


def test_overlapping_and_nested_spans_keep_their_own_lanes(annotated: Path, tmp_path: Path) -> None:
    html, annotations = seed_page(annotated, tmp_path)
    page = read_page(html)
    by_quote = {a.quote: a for a in annotations}
    lane = {}
    for mark in page.find_all("mark"):
        classes = mark.attrs["class"].split()
        lane.setdefault(mark.attrs["data-id"], set()).add(next(c for c in classes if re.fullmatch(r"l\d", c)))
    assert all(len(lanes) == 1 for lanes in lane.values()), "a span keeps one underline depth"
    hedge = by_quote["seemingly ruling out the possibility"]
    commitment = by_quote["ruling out the possibility of NATO forces being deployed to Kazakhstan in the "
                          "foreseeable future"]
    assert lane[hedge.id] != lane[commitment.id]  # partly overlapping: both lines show
    outer, inner = by_quote[SEED_SPANS[2][0]], by_quote["NATO Secretary-General"]
    assert lane[outer.id] != lane[inner.id]  # nested
    assert page.quotes[inner.id] == inner.quote and page.quotes[outer.id] == outer.quote


def test_each_span_has_a_label_a_tab_stop_and_a_tip(annotated: Path, tmp_path: Path) -> None:
    html, annotations = seed_page(annotated, tmp_path)
    page = read_page(html)
    for a in annotations:
        first = [m for m in page.find_all("mark", data_id=a.id) if "tabindex" in m.attrs]
        assert len(first) == 1
        assert first[0].attrs["data-label"] == a.tag
        assert a.tag in first[0].attrs["data-tip"] and "alice" in first[0].attrs["data-tip"]
        if a.note:
            assert a.note in first[0].attrs["data-tip"]
    # every piece can be hovered: the innermost mark of each piece has a title naming its tags
    titled = [m for m in page.find_all("mark") if "title" in m.attrs]
    assert titled and all(m.attrs["title"] for m in titled)


def test_notes_are_numbered_in_reading_order_and_linked_both_ways(annotated: Path, tmp_path: Path) -> None:
    html, annotations = seed_page(annotated, tmp_path)
    page = read_page(html)
    refs = [e for e in page.find_all("a") if "ref" in (e.attrs.get("class") or "").split()]
    noted = [a for a in annotations if a.note]
    assert [r.attrs["href"] for r in refs] == [f"#note-{n}" for n in range(1, len(noted) + 1)]
    ids = {e.attrs.get("id") for e in page.elements}
    for n in range(1, len(noted) + 1):
        assert f"ref-{n}" in ids and f"note-{n}" in ids
        assert page.find_all("a", href=f"#ref-{n}"), f"note {n} links back to the text"
    # in the order the notes' spans end in the text
    ends = sorted(noted, key=lambda a: (a.end, a.start))
    notes_text = html[html.index('id="notes"'):]
    positions = [notes_text.index(json.dumps(a.note)[1:-1].replace("<", "&lt;")) for a in ends]
    assert positions == sorted(positions)


def test_legend_counts_every_tag(annotated: Path, tmp_path: Path) -> None:
    html, annotations = seed_page(annotated, tmp_path)
    legend = html[html.index('class="legend"'):html.index("</table>", html.index('class="legend"'))]
    for tag in ("actor", "commitment", "hedge"):
        count = sum(a.tag == tag for a in annotations)
        assert re.search(rf">{tag}</span>.*?<td class=\"count\">{count}</td>", legend)
    assert f'<td class="count">{len(annotations)}</td>' in legend


@pytest.mark.parametrize("colours", [
    [t.colour for t in DEFAULT_TAGS],
    ["black", "#ffff00", "#000080", "white", "#ff0000", "color(93)", "#00ff00"],
])
def test_text_contrast_meets_wcag_aa_for_any_codebook(colours: list[str]) -> None:
    tags = TagSet(tuple(Tag(f"tag{i}", c) for i, c in enumerate(colours)))
    looks = tag_looks(tags)
    html = "".join(document_page(ReportedDocument(Document.from_text("x"), Layer(), "alice"), looks))
    css = html[html.index("<style>"):html.index("</style>")]
    for look in looks.values():
        background = re.search(rf"mark\.{look.css_class},[^{{]*{{background-color:(#[0-9a-f]{{6}})", css).group(1)
        label = re.search(rf"\.chip\.{look.css_class},[^{{]*{{background-color:(#[0-9a-f]{{6}})", css).group(1)
        ink = re.search(r"--ink:(#[0-9a-f]{6})", css).group(1)
        assert contrast(parse_colour(ink), parse_colour(background)) >= 4.5  # the text on its tint
        assert contrast(PAPER, parse_colour(label)) >= 4.5  # a label's white text
        assert contrast(INK, look.tint) >= 7.0
    # colour is never the only cue: the first tags all draw different lines, and every span is labelled
    lines = [look.line for look in looks.values()]
    assert lines[:len(LINE_STYLES)] == list(LINE_STYLES)[:len(lines)]


def test_only_hex_colours_made_here_reach_the_css() -> None:
    looks = tag_looks(TagSet((Tag("a", "red; } body { display:none"), Tag("</style><script>", "#5fafff"))))
    html = "".join(document_page(ReportedDocument(Document.from_text("x"), Layer(), "alice"), looks))
    css = html[html.index("<style>") + 7:html.index("</style>")]
    assert "body { display" not in css and "script" not in css
    assert set(re.findall(r"background-color:([^;}]+)", css)) <= set(re.findall(r"#[0-9a-f]{6}", css)) | {"var(--wash)"}


HOSTILE_TEXT = (
    'Hostile page</title></style><script>window.__pwned = 1; alert("text")</script>\n\n'
    'A link: <a href="javascript:alert(1)">click me</a> and javascript:alert(2) bare.\n'
    '<img src=x onerror="window.__pwned=2"> <iframe src="https://example.com/"></iframe>\n'
    "</style><style>body{display:none}</style> &amp; &lt;b&gt; \"quotes\" 'single'\n"
    "Controls: \x1b[31mred\x1b[0m and a bidi override \u202eevil\u202c end.\n"
)


def hostile_project(project: Path) -> Path:
    """A document full of markup, and a layer whose tag, annotator and notes are markup too."""
    doc = project / "<b>hostile<script>.txt"
    doc.write_text(HOSTILE_TEXT, encoding="utf-8")
    session = Session.open(doc, SessionOptions(annotator="alice"))
    text = session.text
    tags = ["</style><script>window.__pwned=3</script>", "hedge", '"><img src=x onerror=alert(4)>']
    quotes = ["<script>window.__pwned = 1;", 'href="javascript:alert(1)"', "<img src=x onerror=",
              "</style><style>body{display:none}</style>", "\x1b[31mred"]
    made = []
    for i, quote in enumerate(quotes):
        start, end = find(text, quote)
        a = Annotation.create(text, start, end, tags[i % len(tags)], document=session.document.sha256,
                              annotator='<img src=x onerror="window.__pwned=5">',
                              note='</textarea><script>window.__pwned=6</script><a href="javascript:alert(7)">x</a>')
        made.append(a)
    session.add_many(made)
    session.save()
    return doc


def test_a_hostile_document_renders_as_text(project: Path, tmp_path: Path) -> None:
    doc = hostile_project(project)
    out = tmp_path / "hostile.html"
    assert report(str(doc), "--annotator", "alice", "-o", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    page = read_page(html)
    names = {e.tag for e in page.elements}
    assert not names & {"script", "img", "iframe", "object", "embed", "link", "base", "form", "textarea"}
    assert [e.tag for e in page.elements].count("style") == 1
    for element in page.elements:
        assert not any(name.startswith("on") for name in element.attrs), element
        for name in ("href", "src", "action", "xlink:href"):
            value = element.attrs.get(name)
            assert value is None or value.startswith("#"), element
    shown = page.text
    assert 'Hostile page</title></style><script>window.__pwned = 1;' in shown
    assert ' alert("text")</script>' in shown  # after the span's note number
    assert 'href="javascript:alert(1)"' in shown and "</style><style>body{display:none}</style>" in shown
    assert "\x1b" not in html and "\u202e" not in html  # controls show as visible stand-ins
    assert "␛[31mred" in shown
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    layer = AnnotationStore(doc.parent / "annotations" / doc.stem / "alice.json").load().annotations
    quotes = page.quotes
    for a in layer:  # the marks still hold the quotes, as shown
        assert quotes[a.id] == a.quote.replace("\x1b", "␛")


def test_an_empty_layer_gives_a_page_that_says_so(project_doc: Path, tmp_path: Path) -> None:
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    session.save()
    out = tmp_path / "empty.html"
    assert report(str(project_doc), "--annotator", "alice", "-o", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    assert "has no annotations yet" in html and "<mark" not in html
    assert "Simmons" in read_page(html).text


@pytest.mark.parametrize("args, message", [
    (["missing.txt"], "missing.txt: no such file"),
    (["{doc}", "--layer", "carol"], "no layer 'carol' for seed.txt"),
    (["{doc}", "--annotator", "nobody"], "no layer 'nobody' for seed.txt"),
    (["{doc}", "--all", "--annotations", "{empty}"], "no annotation files for seed.txt"),
    ([], "report needs a document or --corpus DIR"),
])
def test_missing_layer_or_document_is_a_one_line_error(annotated: Path, tmp_path: Path, capsys, args, message) -> None:
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out.html"
    args = [a.format(doc=annotated, empty=tmp_path / "empty") for a in args]
    assert report(*args, "-o", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_all_layers_show_agreement_and_layer_picks_the_one_shown(annotated: Path, tmp_path: Path) -> None:
    annotate(annotated, [*SEED_SPANS[:8], ("Simmons", "Simmons held", "actor", "")], annotator="bob")
    html, _ = seed_page(annotated, tmp_path, "--all", "--layer", "bob")
    assert "Agreement between layers" in html and "alice / bob" in html
    assert re.search(r"<th scope=\"row\">alice / bob</th><td>19 / 9</td>", html)
    page = read_page(html)
    bob = AnnotationStore(annotated.parent / "annotations" / "seed" / "bob.json").load().annotations
    assert page.quotes == {a.id: a.quote for a in bob}
    assert "The text shows the layer “bob”" in html
    # without --layer: gold if there is one, else the first by name
    html, _ = seed_page(annotated, tmp_path, "--all")
    assert "The text shows the layer “alice”" in html


def test_one_layer_with_all_says_agreement_needs_two(annotated: Path, tmp_path: Path) -> None:
    html, _ = seed_page(annotated, tmp_path, "--all")
    assert "Agreement needs two annotators' layers; this document has 1: alice." in html


def test_stale_annotations_are_listed_not_misplaced(annotated: Path, tmp_path: Path) -> None:
    text = annotated.read_text(encoding="utf-8")
    annotated.write_text("A new first line.\n" + text.replace("denied any need", "rejected any need"), encoding="utf-8")
    html, annotations = seed_page(annotated, tmp_path)
    page = read_page(html)
    assert "made on another version of this text" in html
    assert page.quotes == {}  # every offset moved: nothing is highlighted in the wrong place
    assert html.count("not found at its place in this text") == len(annotations)


def test_agreement_with_a_layer_made_on_another_version_says_so(annotated: Path, tmp_path: Path) -> None:
    """`agree` warns; the report's agreement table said nothing."""
    text = annotated.read_text(encoding="utf-8")
    annotated.write_text(text.replace("denied any need", "rejected any need"), encoding="utf-8")
    annotate(annotated, SEED_SPANS[:3], annotator="bob")  # made on this text; alice's on the one before
    html, _ = seed_page(annotated, tmp_path, "--all", "--layer", "bob")
    assert "Agreement between layers" in html
    assert "Made on another version of this text: alice’s annotations." in html


def span(quote: str, tag: str = "actor", annotation_id: str = "") -> Span:
    return Span(annotation_id, tag, 0, len(quote), quote)


def made(quote: str, hedges: tuple[str, ...] = (), annotation_id: str = "") -> Commitment:
    """A commitment of the brief's model (tui.core.brief), its hedges given by their quotes."""
    return Commitment(span(quote, "commitment", annotation_id), tuple(span(h, "hedge") for h in hedges),
                      Sentences(quote))


def test_the_brief_section_renders_a_brief_with_its_chart(annotated: Path) -> None:
    choice = LayerChoice(annotator="alice")
    reported = reported_document(annotated, choice, TagSet())
    assert reported.brief is None  # no relations yet: the page shows the annotations by tag
    commitment = next(a for a in reported.layer if a.tag == "commitment" and "2007" in a.quote)
    reported.brief = Brief({}, [
        Entity("Simmons <NATO envoy>", [], [made(commitment.quote, ("suggested", "could"), commitment.id),
                                            made("bare promise")]),
        Entity("Kazakhstan", [], [made("steps taken")]),
        Entity("Mentioned only", [span("Mentioned only")], []),  # a mention alone: not in the chart
    ], [made("<i>nobody's</i> promise")], [span("The rhetoric remains to be tested.", "hedge")])
    html = "".join(document_page(reported, tag_looks(TagSet(), reported.layer.counts())))
    brief = html[html.index('id="brief"'):html.index("</section>", html.index('id="brief"'))]
    assert "<svg" in brief and "Simmons &lt;NATO envoy&gt;" in brief and "<NATO" not in brief
    assert "1 hedged · 1 bare" in brief and "0 hedged · 1 bare" in brief and "Mentioned only" not in brief
    assert "Commitments with no actor linked" in brief and "&lt;i&gt;nobody's&lt;/i&gt; promise" in brief
    assert "The rhetoric remains to be tested." in brief
    k = reported.layer.index_of(commitment.id)
    assert f'href="#a{k}"' in brief and f'id="a{k}"' in html
    assert '<a href="#brief">Brief</a>' in html


def test_a_large_document_is_written_as_a_stream_in_flat_memory(tmp_path: Path) -> None:
    paragraph = ("Kazakhstan has taken further steps towards strengthening its partnership with NATO; "
                 "it could, perhaps, be tested 👍🏽. ") * 6
    text = ((paragraph + "\n\n") * (1_000_000 // (len(paragraph) + 2)))  # bench/report_bench.py: 5 MB
    document = Document.from_text(text, tmp_path / "big.txt")
    layer = Layer([Annotation.create(document.text, s, s + 10, ("actor", "hedge")[s % 2], document="d",
                                     annotator="a", note="n" if s % 3 == 0 else "")
                   for s in range(0, len(document.text) - 20, 1999)], document.text)
    reported = ReportedDocument(document, layer, "a")
    looks = tag_looks(TagSet(), layer.counts())
    tracemalloc.start()
    biggest = 0
    for chunk in encoded(document_page(reported, looks)):
        biggest = max(biggest, len(chunk))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert biggest < 1 << 19  # pieces of tens of KB, never the page
    assert peak < 2 * 1024 * 1024, f"{peak / 2**20:.1f} MiB traced while writing a page of over 1 MB"
    out = tmp_path / "big.html"
    write_report(out, document_page(reported, looks))
    assert out.stat().st_size > 1_000_000 and out.read_bytes().endswith(b"</html>\n")


def test_find_documents_walks_subfolders_once_and_skips_hidden(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "2005" / "deep").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "annotations").mkdir()
    for name in ("b.txt", "a.md", "2005/x.txt", "2005/deep/y.TXT", ".hidden/z.txt", "annotations/w.txt", "c.json"):
        (root / name).write_text("text\n", encoding="utf-8")
    os.symlink(root, root / "2005" / "loop")  # a symlink loop ends
    found = [p.relative_to(root).as_posix() for p in find_documents(root)]
    assert found == ["2005/deep/y.TXT", "2005/x.txt", "a.md", "b.txt"]


def test_corpus_report_covers_every_document_and_lists_bad_files(project: Path, tmp_path: Path, capsys) -> None:
    corpus = project / "corpus"
    (corpus / "2006").mkdir(parents=True)
    first = corpus / "seed.txt"
    first.write_text((project / "seed.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "2006" / "note.md").write_text("# A note\n\nNATO could act.\n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01binary")
    annotate(first)
    session = Session.open(corpus / "2006" / "note.md", SessionOptions(annotator="alice"))
    session.add(*find(session.text, "could"), "hedge", "a <b>note</b>")
    session.save()
    out = tmp_path / "corpus.html"
    assert report("--corpus", str(corpus), "--annotator", "alice", "-o", str(out)) == 1  # binary.txt left out
    html = out.read_text(encoding="utf-8")
    page = read_page(html)
    layer = AnnotationStore(layer_path(first, "alice")).load().annotations  # annotations/corpus/seed/
    assert page.quotes == {a.id: a.quote for a in layer} | {session.layer.at_position(0).id: "could"}
    assert "A note" in html and "Not read:" in html and "binary" in html
    assert 'id="d1-a0"' in html and 'id="d3-note-1"' in html  # ids stay unique per document
    assert "not in the report" in capsys.readouterr().err


def test_a_corpus_report_that_leaves_a_damaged_layer_out_exits_1(project: Path, tmp_path: Path, capsys) -> None:
    corpus = project / "corpus"
    corpus.mkdir()
    good, damaged = corpus / "a.txt", corpus / "b.txt"
    for doc in (good, damaged):
        doc.write_text("The ministry pledged to act.\n", encoding="utf-8")
        session = Session.open(doc, SessionOptions(annotator="alice"))
        session.add(0, 12, "actor")
        session.save()
    file = layer_path(damaged, "alice")
    damaged_json = file.read_text(encoding="utf-8").rstrip()[:-1].rstrip() + ",\n}\n"  # a trailing comma
    file.write_text(damaged_json, encoding="utf-8")
    out = tmp_path / "corpus.html"
    assert report("--corpus", str(corpus), "--annotator", "alice", "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert "wrote a report of 1 document (1 document left out)" in err
    assert f"not in the report: {file}: corrupt JSON" in err
    html = out.read_text(encoding="utf-8")  # still written, saying what it left out
    assert "Not read:" in html and "b.txt" in html and 'id="d1"' in html
    damaged.unlink()  # nothing left out: 0
    assert report("--corpus", str(corpus), "--annotator", "alice", "-o", str(out)) == 0


def test_a_corpus_report_of_dot_is_titled_with_the_folders_real_name(project: Path, tmp_path: Path,
                                                                     monkeypatch) -> None:
    (project / "inner").mkdir()
    monkeypatch.chdir(project / "inner")
    out = tmp_path / "corpus.html"
    for given in (".", "..", "../inner/.."):
        assert report("--corpus", given, "--annotator", "alice", "-o", str(out)) == 0
        html = out.read_text(encoding="utf-8")
        name = "inner" if given == "." else "project"
        assert f"<title>{name} — hedgerow corpus report</title>" in html
        assert f"<h1>{name}</h1>" in html and f"<dt>Folder</dt><dd>{name}</dd>" in html
    assert report("--corpus", "../inner", "--annotator", "alice", "-o", str(out)) == 0
    assert "<dt>Folder</dt><dd>../inner</dd>" in out.read_text(encoding="utf-8")  # a path that says something


def test_corpus_documents_without_the_layer_say_so(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus.html"
    assert report("--corpus", str(project), "--layer", "gold", "-o", str(out)) == 0
    assert "No annotations to show: no layer “gold” for this document." in out.read_text(encoding="utf-8")


def test_corpus_with_all_layers_has_an_agreement_table_per_document(project: Path, tmp_path: Path) -> None:
    corpus = project / "corpus"
    corpus.mkdir()
    doc = corpus / "seed.txt"
    doc.write_text((project / "seed.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "other.txt").write_text("Nothing annotated here.\n", encoding="utf-8")
    annotate(doc)
    annotate(doc, SEED_SPANS[:5], annotator="bob")
    out = tmp_path / "corpus.html"
    assert report("--corpus", str(corpus), "--all", "--layer", "bob", "-o", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    bob = AnnotationStore(layer_path(doc, "bob")).load().annotations  # annotations/corpus/seed/
    assert read_page(html).quotes == {a.id: a.quote for a in bob}
    assert 'id="d2-agreement"' in html and "alice / bob" in html and "The text shows the layer “bob”" in html
    assert "No annotations to show: no annotations yet for this document." in html  # other.txt


def test_the_chart_leaves_room_for_the_counts_after_the_longest_bar() -> None:
    from tui.core.report_brief import CHART_WIDTH, chart_svg

    bare = made("setting up a team", (), "b1")
    hedged = made("could include", ("could",), "h1")
    brief = Brief({}, [Entity("Robert Simmons", [], [hedged, hedged, bare, bare])], [], [])
    svg = chart_svg(brief)
    label = re.search(r'<text x="([\d.]+)"[^>]*>(\d+ hedged · \d+ bare)</text>', svg)
    assert label is not None
    x, text = float(label.group(1)), label.group(2)
    assert x + 7 * len(text) <= CHART_WIDTH  # ~7 px a character at font-size 12: never clipped


# Every C0 control but tab and newline, DEL and every C1 control: none may reach the page's bytes.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ANSI_TEXT = ("The minister \x1b]0;PWNED\x07 pledged \x1b]52;c;aGk=\x07 to act. It may perhaps "
             "\x1b[31mhappen\x1b[0m.\nA second \u009b2J paragraph, \x7f\x01 with a bare pledge to act.\n")


def ansi_project(project: Path, name: str = "ansi.txt") -> tuple[Path, Session]:
    """A document of terminal escapes, with an actor whose entity name, a commitment whose note, and
    hedges whose quotes hold them too, linked as the brief reads them."""
    doc = project / name
    doc.write_text(ANSI_TEXT, encoding="utf-8")
    session = Session.open(doc, SessionOptions(annotator="alice"))
    text = session.text
    actor = session.add(*find(text, "The minister"), "actor", note="says \x1b[2J\x9b1m", entity="Min\x1b]0;X\x07istry")
    pledge = session.add(*find(text, "pledged \x1b]52;c;aGk=\x07 to act"), "commitment", note="note \x1b]52;c;aGk=\x07")
    bare = session.add(*find(text, "a bare pledge"), "commitment")
    hedge = session.add(*find(text, "may perhaps \x1b[31mhappen\x1b[0m"), "hedge")
    session.add(*find(text, "\x1b]0;PWNED\x07"), "hedge", note="\x07own voice\x1b[0m")  # linked to nothing
    session.link(pledge.id, actor.id, "by")
    session.link(bare.id, actor.id, "by")
    session.link(hedge.id, pledge.id, "hedges")
    session.save()
    return doc, session


def test_no_raw_control_character_reaches_the_report_file(project: Path, tmp_path: Path) -> None:
    doc, _ = ansi_project(project)
    out = tmp_path / "ansi.html"
    assert report(str(doc), "--annotator", "alice", "-o", str(out)) == 0
    html = out.read_bytes().decode("utf-8")
    brief = html[html.index('id="brief"'):html.index("</section>", html.index('id="brief"'))]
    assert "hedged by “may perhaps ␛[31mhappen␛[0m”" in brief  # the brief's quotes as stand-ins too
    assert "“␛]0;PWNED␇”" in brief and "Min␛]0;X␇istry" in brief
    assert "\x1b" not in html and RAW_CONTROL.findall(html) == []
    corpus = tmp_path / "corpus.html"
    assert report("--corpus", str(project), "--annotator", "alice", "-o", str(corpus)) == 0
    html = corpus.read_bytes().decode("utf-8")
    assert "hedged by “may perhaps ␛[31mhappen␛[0m”" in html
    assert "\x1b" not in html and RAW_CONTROL.findall(html) == []


@pytest.mark.parametrize("form", ["text", "md", "json"])
def test_the_brief_of_a_hostile_document_writes_no_raw_control(project: Path, form: str, capsys) -> None:
    doc, _ = ansi_project(project)
    assert main(["brief", str(doc), "--annotator", "alice", "--format", form]) == 0
    out = capsys.readouterr().out
    assert RAW_CONTROL.findall(out) == [] and "\x1b" not in out
    if form == "json":  # the exact text, written as JSON escapes
        brief = json.loads(out)
        assert brief["entities"][0]["entity"] == "Min\x1b]0;X\x07istry"
        assert "\\u001b]52;c;aGk=\\u0007" in out and "\\u009b2J" in out
    else:  # stand-ins (Markdown escapes the brackets)
        shown = out.replace("\\", "")
        assert "may perhaps ␛[31mhappen␛[0m" in shown and "Min␛]0;X␇istry" in shown
