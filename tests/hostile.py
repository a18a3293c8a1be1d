"""Hostile text for the untrusted-input tests: what a crafted article or annotation file may hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tui.core.safe_text import UNSAFE_ONE_LINE
from tui.core.session import Session, SessionOptions

ESC, BEL = "\x1b", "\x07"
OSC52 = f"{ESC}]52;c;aGFja2Vk{BEL}"  # set the clipboard to "hacked"
OSC_TITLE = f"{ESC}]0;pwned{BEL}"  # set the window title
CLEAR = f"{ESC}[2J"  # clear the screen
C1_CSI = "\u009b31m"  # a one-code-point CSI
BIDI = "\u202eevil\u202c \u2066iso\u2069"  # a right-to-left override and an isolate
MARKUP = "[bold]B[/bold] [link=http://evil.example]L[/link] :smile:"
SEQUENCES = (OSC52, OSC_TITLE, CLEAR, C1_CSI, BIDI)

ARTICLE = (f"Hostile {OSC_TITLE}headline\n\nThe minister said {OSC52} that NATO {CLEAR} would {C1_CSI} "
           f"commit to the plan. {BIDI} Perhaps {MARKUP} not.\tTabbed\x7f.\n\n"
           "A second paragraph, quite ordinary, with some words to annotate.\n")
NOTE = f"note {OSC52} {OSC_TITLE} {CLEAR} {C1_CSI} {MARKUP}\nsecond line {BIDI}"
HOSTILE_TAG = f"[link=http://evil.example]t{CLEAR}"
HOSTILE_ANNOTATOR = f"bob{OSC_TITLE}"

# rich's and Textual's own styling (SGR) and nothing else: what a forced-terminal console may emit
SGR = re.compile(r"\x1b\[[0-9;]*m")


def unsafe(text: str) -> list[str]:
    """The characters in `text` that must never reach a terminal line (controls, tab, newline too)."""
    return UNSAFE_ONE_LINE.findall(text)


def hostile_project(root: Path, name: str = "hostile.txt") -> Path:
    """A project holding the hostile article and alice's file on it: a note full of escapes, and
    (edited into the file as a colleague's crafted copy would be) a tag and a creator that are too."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    doc = root / name
    doc.write_text(ARTICLE, encoding="utf-8")
    session = Session.open(doc, SessionOptions(annotator="alice"))
    start = ARTICLE.index("The minister")
    session.add(start, ARTICLE.index("commit"), "actor", note=NOTE)
    commit = ARTICLE.index("commit")
    session.add(commit, ARTICLE.index("not."), "commitment", note=MARKUP)
    session.save()
    path = session.store.path
    data = json.loads(path.read_text(encoding="utf-8"))
    record = next(r for r in data["annotations"].values() if r["tag"] == "commitment")
    record["tag"], record["annotator"] = HOSTILE_TAG, HOSTILE_ANNOTATOR
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return doc
