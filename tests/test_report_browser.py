"""The HTML report opened in real headless Chromium through Selenium.

Checks that the page loads with no console errors and makes no request, that every highlight
holds its annotation's quote byte for byte (the seed, and a text of emoji, combining marks and
right-to-left scripts), that a hostile document runs no script, that focus shows a span's tip,
that colours keep their contrast and survive print, and writes screenshots (and a PDF) for a
person to look at: under pytest's temp folder (the path is printed), or HEDGEROW_SCREENSHOTS.
HEDGEROW_README_SCREENSHOT=docs/report.png also writes the README's screenshot (`make screenshot`).

Skipped when Chromium, chromedriver or selenium is absent (.ci/run installs them).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from report_fixture import annotate, find
from test_report import hostile_project

from tui.cli import main
from tui.core.paths import layer_path
from tui.core.report_style import contrast
from tui.core.session import Session, SessionOptions
from tui.core.store import AnnotationStore

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Chromium and chromedriver are not installed")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,1000")

PIECES_BY_ID = """
const quotes = {};
for (const mark of document.querySelectorAll('mark[data-id]')) {
  quotes[mark.dataset.id] = (quotes[mark.dataset.id] || '') + mark.textContent;
}
return quotes;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")  # new and empty
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)  # no driver download
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("HEDGEROW_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "report-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nreport screenshots: {folder}")
    return folder


def open_page(driver, page: Path) -> None:
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    driver.get(page.as_uri())
    driver.execute_script("return document.fonts.ready")


def console_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def requests_made(driver, page: Path) -> list[str]:
    """Every request the page (and anything it loaded) made, its own load included."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent" and message["params"]["documentURL"] == page.as_uri():
            urls.append(message["params"]["request"]["url"])
    return urls


def write_report(doc: Path, out: Path, *args: str) -> Path:
    assert main(["report", str(doc), "--annotator", "alice", "-o", str(out), *args]) == 0
    return out


def layer_of(doc: Path) -> list:
    return AnnotationStore(layer_path(doc, "alice")).load().annotations


def assert_quotes_exact(driver, annotations) -> None:
    shown = driver.execute_script(PIECES_BY_ID)
    assert set(shown) == {a.id for a in annotations}
    for a in annotations:
        assert shown[a.id].encode("utf-8") == a.quote.encode("utf-8"), (a.tag, a.quote)


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def rgb(css: str) -> tuple[int, int, int]:
    r, g, b = map(int, re.findall(r"\d+", css)[:3])
    return r, g, b


def test_seed_report_loads_clean_and_every_highlight_holds_its_quote(browser, project_doc: Path, tmp_path: Path,
                                                                      shots: Path) -> None:
    annotations = annotate(project_doc)
    page = write_report(project_doc, tmp_path / "seed.html")
    open_page(browser, page)
    assert browser.title.startswith("Publication: Eurasia Daily Monitor")
    assert_quotes_exact(browser, layer_of(project_doc))
    assert console_errors(browser) == []
    assert requests_made(browser, page) == [page.as_uri()]  # the page alone: no font, style or image fetched
    browser.save_screenshot(str(shots / "report-seed.png"))
    if os.environ.get("HEDGEROW_README_SCREENSHOT"):
        readme_shot = Path(os.environ["HEDGEROW_README_SCREENSHOT"])
        readme_shot.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(readme_shot))
    assert len(annotations) >= 12


def test_seed_report_contrast_focus_tip_and_print(browser, project_doc: Path, tmp_path: Path, shots: Path) -> None:
    annotate(project_doc)
    page = write_report(project_doc, tmp_path / "seed.html")
    open_page(browser, page)
    styles = browser.execute_script("""
        return Array.from(document.querySelectorAll('mark[data-id]'), m => {
          const s = getComputedStyle(m), label = getComputedStyle(m, '::before');
          return [s.color, s.backgroundColor, s.borderBottomStyle, label.color, label.backgroundColor,
                  label.content, m.hasAttribute('data-label')];
        });""")
    for color, background, line, label_color, label_background, content, labelled in styles:
        assert contrast(rgb(color), rgb(background)) >= 4.5  # WCAG AA, as the browser draws it
        assert line in ("solid", "dashed", "dotted", "double")
        if labelled:
            assert contrast(rgb(label_color), rgb(label_background)) >= 4.5 and content not in ("none", "normal")
    # focus (Tab reaches every span's first piece) shows its tag, annotator and note
    tip = browser.execute_script("""
        const m = [...document.querySelectorAll('mark[tabindex]')].find(m => m.dataset.tip.includes('\\n'));
        m.focus();
        return [document.activeElement === m, getComputedStyle(m, '::after').content];""")
    assert tip[0] and "commitment — alice" in tip[1] and "The headline claim" in tip[1]
    browser.save_screenshot(str(shots / "report-focus.png"))
    # print: same tints, exact colour adjustment, the same lines (the non-colour cue)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        printed = browser.execute_script("""
            return Array.from(document.querySelectorAll('mark[data-id]'), m => {
              const s = getComputedStyle(m);
              return [s.backgroundColor, s.borderBottomStyle, s.printColorAdjust || s.webkitPrintColorAdjust];
            });""")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert [p[:2] for p in printed] == [s[1:3] for s in styles]
    assert {p[2] for p in printed} == {"exact"}
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})["data"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    (shots / "report-seed.pdf").write_bytes(pdf)


UNICODE_TEXT = (
    "Emoji and scripts\n\n"
    "The delegation 👨\u200d👩\u200d👧 met 🇰🇿 officials 👍🏽 and said it could help.\n"
    "Combining marks: x\u0301 q\u0323\u0307 and Zalgo-ish a\u0300\u0316\u0301 remain as typed.\n"
    "हिन्दी में: सरकार शायद योजना पर विचार करेगी।\n"
    "עברית: הַמֶּמְשָׁלָה אוּלַי תִּשְׁקֹל אֶת הַתָּכְנִית.\n"
    "العربية: قالت الحكومة إنها قد تدرس الخطة.\n"
    "Mixed: NATO (ناتو) said it might help (אולי).\n"
)

UNICODE_SPANS = [  # (quote, where, tag, note)
    ("👨\u200d👩\u200d👧", "", "actor", "a ZWJ family: one grapheme, five code points"),
    ("\u200d👩\u200d👧 met 🇰🇿", "", "commitment", ""),  # starts inside the family: offsets are code points
    ("🇰🇿", "", "actor", ""),
    ("👍🏽", "", "hedge", ""),
    ("x\u0301 q\u0323\u0307", "", "hedge", "combining marks"),
    ("a\u0300\u0316\u0301", "", "actor", ""),
    ("शायद", "", "hedge", ""),
    ("सरकार शायद योजना", "", "commitment", ""),
    ("הַמֶּמְשָׁלָה אוּלַי", "", "actor", "Hebrew with niqqud"),
    ("אוּלַי", "", "hedge", ""),
    ("الحكومة إنها قد", "", "actor", ""),
    ("قد تدرس الخطة", "", "commitment", "overlaps the actor in right-to-left text"),
    ("(ناتو) said it might", "", "hedge", ""),
    ("אולי", "Mixed", "hedge", ""),
]


def test_unicode_document_highlights_hold_their_quotes_byte_for_byte(browser, project: Path, tmp_path: Path,
                                                                     shots: Path) -> None:
    doc = project / "unicode.txt"
    doc.write_text(UNICODE_TEXT, encoding="utf-8")
    session = Session.open(doc, SessionOptions(annotator="alice"))
    for quote, where, tag, note in UNICODE_SPANS:
        session.add(*find(session.text, nfc(quote), nfc(where)), tag, note)  # the text is NFC, as offsets are
    session.save()
    page = write_report(doc, tmp_path / "unicode.html")
    open_page(browser, page)
    annotations = layer_of(doc)
    assert len(annotations) == len(UNICODE_SPANS)
    assert_quotes_exact(browser, annotations)
    assert console_errors(browser) == []
    # each line takes its own direction: the Arabic and Hebrew lines run right to left
    bidi = browser.execute_script("return getComputedStyle(document.querySelector('.article')).unicodeBidi")
    assert bidi == "plaintext"
    browser.save_screenshot(str(shots / "report-unicode.png"))


def test_hostile_document_runs_no_script(browser, project: Path, tmp_path: Path, shots: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    doc = hostile_project(project)
    page = write_report(doc, tmp_path / "hostile.html")
    open_page(browser, page)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 -- no alert() ran
    state = browser.execute_script("""return [typeof window.__pwned, document.scripts.length, document.images.length,
        document.querySelectorAll('iframe,object,embed,link[href],base,form').length,
        document.querySelector('.article').textContent]""")
    assert state[:4] == ["undefined", 0, 0, 0]
    assert '<script>window.__pwned = 1;' in state[4] and 'href="javascript:alert(1)"' in state[4]
    assert console_errors(browser) == []  # nothing was even attempted (a CSP block would log one)
    assert requests_made(browser, page) == [page.as_uri()]
    layer = layer_of(doc)
    shown = browser.execute_script(PIECES_BY_ID)
    assert {k: v for k, v in shown.items()} == {a.id: a.quote.replace("\x1b", "␛") for a in layer}
    browser.save_screenshot(str(shots / "report-hostile.png"))


def test_corpus_report_loads_clean(browser, project: Path, tmp_path: Path, shots: Path) -> None:
    corpus = project / "corpus"
    (corpus / "2006").mkdir(parents=True)
    shutil.copyfile(project / "seed.txt", corpus / "seed.txt")
    (corpus / "2006" / "unicode.txt").write_text(UNICODE_TEXT, encoding="utf-8")
    annotate(corpus / "seed.txt")
    out = tmp_path / "corpus.html"
    assert main(["report", "--corpus", str(corpus), "--annotator", "alice", "-o", str(out)]) == 0
    open_page(browser, out)
    assert_quotes_exact(browser, layer_of(corpus / "seed.txt"))
    assert console_errors(browser) == []
    assert browser.execute_script("return document.querySelectorAll('article.doc').length") == 2
    browser.save_screenshot(str(shots / "report-corpus.png"))


def test_brief_chart_names_start_inside_the_chart(browser, project_doc: Path, tmp_path: Path, shots: Path) -> None:
    session = Session.open(project_doc, SessionOptions(annotator="alice"))
    text = session.text
    for name, quote, made in (("Foreign Minister Gela Bezhuashvili of Georgia", "Simmons", "setting up a team"),
                              ("WWWWWWWWWWWWWWWWWWWWWWWWWWWW", "Kazakhstan", "to react to disasters")):
        start = text.index(quote)
        actor = session.add(start, start + len(quote), "actor")
        session.set_entity(actor.id, name)
        start = text.index(made)
        commitment = session.add(start, start + len(made), "commitment")
        session.link(commitment.id, actor.id, "by")
    session.save()
    page = write_report(project_doc, tmp_path / "brief.html")
    open_page(browser, page)
    boxes = browser.execute_script(
        "return [...document.querySelectorAll('svg.chart text')].map(t => [t.textContent, t.getBBox().x])")
    assert sum("Foreign Minister" in name or "WWWW" in name for name, _ in boxes) == 2
    for name, x in boxes:
        assert x >= 0, (name, x)  # its start is in the chart, not cut off at the left edge
    browser.find_element("css selector", "#brief").screenshot(str(shots / "report-brief.png"))
