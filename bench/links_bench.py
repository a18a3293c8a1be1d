"""Links at scale: 100,000 annotations with 50,000 links against the same annotations without links.

    .venv/bin/python bench/links_bench.py [--runs N] [--keys N]

Uses make_data's full dataset (a 5 MB document, 100,000 annotations; generated on first run) and
writes beside it, in bench/data/tui-5mb/annotations/.../, two layers of the same annotations:
`plain` (no links: today's file, the reference) and `linked` (plus 50,000 links: each commitment
`by` the actor before it, then hedges `hedges` the commitment after them, until 50,000).

Printed side by side, each the median of --runs:
  load   Session.open (read, index, and the links' index), the collector paused as in every command
  load, TUI  the same as the TUI's worker reads a large file (Session.read_annotations, the links'
         index included) and the UI thread installs it, with the collector as the TUI runs it
  save   Session.save (the annotations and the links table)
  brief  build_brief over every annotation and link (target: <= 1,000 ms), as the TUI's `B` builds
         it: the collector paused and what it made frozen (tui.core.gc_policy.kept), so the first
         collection after does not walk it all (`hedgerow brief` has the collector off throughout);
         the collector on, for comparison, beside it. A commitment's sentence is found when first asked for (the TUI
         shows the few in view), so `brief + json` also times the whole JSON, every sentence found,
         as `hedgerow brief --format json` makes it (not its printing)
  B      what the TUI's `B` does before the screen shows: the brief built so, then the screen's
         lines, its summary line and the first 40 lines drawn (tui.app.brief_screen)
  keys   the TUI headless (Pilot, in-process): ms per key press for right, ] and tagging a
         commitment (which looks for an actor to propose), medians over --keys presses
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import make_data  # noqa: E402

LINKS_WANTED = 50_000
BRIEF_TARGET_MS = 1000.0


def timed_ms(action, runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds: on a shared machine the CPU time is the steadier figure.

    What `action` returns is freed after the clocks stop: the time to build a thing, not to drop it."""
    walls, cpus = [], []
    for _ in range(runs):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        made = action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        del made
    return statistics.median(walls), statistics.median(cpus)


def make_links(layer) -> list:
    """Valid links: each commitment `by` the last actor before it, then hedges `hedges` the next commitment."""
    from tui.core.links import Link

    links, last_actor, pending_hedges = [], None, []
    created = "2026-11-29T00:00:00.000Z"
    for annotation in layer:
        if annotation.tag == "actor":
            last_actor = annotation.id
        elif annotation.tag == "commitment":
            if last_actor is not None:
                links.append(Link(annotation.id, "by", last_actor, created))
            for hedge in pending_hedges:
                links.append(Link(hedge, "hedges", annotation.id, created))
            pending_hedges = []
        elif annotation.tag == "hedge":
            pending_hedges.append(annotation.id)
    by = [link for link in links if link.relation == "by"]
    hedges = [link for link in links if link.relation == "hedges"]
    return (by + hedges)[:LINKS_WANTED]


def prepare(dataset) -> tuple[Path, str, str]:
    from tui.core.session import Session, SessionOptions

    folder = dataset.annotations.parent
    plain, linked = folder / "plain.json", folder / "linked.json"
    if (not plain.exists() or plain.stat().st_mtime < dataset.annotations.stat().st_mtime
            or plain.stat().st_size != dataset.annotations.stat().st_size):
        shutil.copyfile(dataset.annotations, plain)
        linked.unlink(missing_ok=True)
    if linked.exists() and b'\n  "links": {\n    "1": {' not in linked.read_bytes():
        linked.unlink()  # links keyed as before issue 11 (by link id): made again, as hedgerow writes them now
    if not linked.exists():
        session = Session.open(dataset.document, SessionOptions(annotator="plain"))
        links = make_links(session.layer)
        session.store.path = linked
        session.annotator = "linked"
        session.add_many([], "links", links)
        session.save()
    return dataset.document, "plain", "linked"


def open_session(document: Path, annotator: str):
    from tui.core.session import Session, SessionOptions

    return Session.open(document, SessionOptions(annotator=annotator))


def tui_load(document: Path, annotator: str):
    """Session.open(defer=True), read_annotations (the worker's part) and install (the UI thread's),
    with the collector's TUI threshold (gc_policy.TUI_GEN0_THRESHOLD), what was loaded before frozen."""
    from tui.core import gc_policy
    from tui.core.session import Session, SessionOptions

    session = Session.open(document, SessionOptions(annotator=annotator), defer=True)
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(gc_policy.TUI_GEN0_THRESHOLD, *thresholds[1:])
    try:
        session.install(*session.read_annotations())
        session.links.is_linked("")  # what the first frame after it asks
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    return session


async def key_times(document: Path, annotator: str, presses: int) -> dict[str, float]:
    from tui.app.app import HedgerowApp

    session = open_session(document, annotator)
    # The presses tag and undo, and the app saves: into a copy, so the bench's layers stay as made.
    session.store.path = session.store.path.with_name(f"{annotator}-keys.json")
    app = HedgerowApp(session)
    results: dict[str, list[float]] = {"right": [], "]": [], "tag commitment": []}
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.5)
        text = session.text
        start = text.index(make_data.MARKER) + len(make_data.MARKER) + 2000
        app.view.move_to(start)
        await pilot.pause()

        async def timed(name: str, *keys: str) -> None:
            began = time.perf_counter()
            await pilot.press(*keys)
            results[name].append((time.perf_counter() - began) * 1000)

        for _ in range(presses):
            await timed("right", "right")
        for _ in range(presses):
            await timed("]", "right_square_bracket")
        for _ in range(min(presses, 10)):
            app.view.move_to(app.view.cursor + 400)
            app.view.select(app.view.cursor, app.view.cursor + 6)
            await pilot.pause()
            await timed("tag commitment", "2")
            await pilot.press("u")
        await pilot.press("q")
    session.store.path.unlink(missing_ok=True)
    return {name: statistics.median(values) for name, values in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=30, help="key presses timed per key (0: skip the TUI)")
    args = parser.parse_args()
    dataset = make_data.ensure(make_data.FULL)
    document, plain, linked = prepare(dataset)

    from tui.core.brief import build_brief

    sessions = {name: open_session(document, name) for name in (plain, linked)}
    count, links = len(sessions[linked].layer), len(sessions[linked].links)
    print(f"{document.name}: {len(sessions[plain].text):,} characters, {count:,} annotations; "
          f"'{linked}' has {links:,} links, '{plain}' none")
    print(f"{'':18}{'no links (today)':>24}{'50,000 links':>24}    (wall ms / CPU ms, median)")

    def row(label: str, values: list, note: str = "") -> None:
        cells = "".join(f"{v[0]:>13,.0f} / {v[1]:>8,.0f}" if isinstance(v, tuple) else f"{v:>24,.1f}"
                        for v in values)
        print(f"{label:18}{cells}" + (f"   {note}" if note else ""))

    from tui.core import gc_policy

    def command_load(name: str):
        with gc_policy.paused():  # as every command loads (tui.core.gc_policy.batch)
            return open_session(document, name).links.ready()

    row("load", [timed_ms(lambda n=n: command_load(n), args.runs) for n in (plain, linked)],
        "Session.open and the links' index, the collector paused (as a command)")
    row("load, TUI", [timed_ms(lambda n=n: tui_load(document, n), args.runs) for n in (plain, linked)],
        "read as the TUI's worker reads it, and installed (the collector as in the TUI)")
    row("save", [timed_ms(sessions[n].save, args.runs) for n in (plain, linked)])
    session = sessions[linked]

    def brief_of(s):
        with gc_policy.kept():  # as the TUI's B builds it: `hedgerow brief` runs with the collector off throughout
            return build_brief(s.text, s.layer, s.links, {})

    brief_ms = [timed_ms(lambda s=sessions[n]: brief_of(s), args.runs) for n in (plain, linked)]
    brief = build_brief(session.text, session.layer, session.links, {})
    verdict = "met" if brief_ms[1][1] <= BRIEF_TARGET_MS else "MISSED"
    row("brief", brief_ms, f"target <= {BRIEF_TARGET_MS:,.0f} ms of CPU: {verdict} "
        f"({len(brief.entities):,} entities, {brief.commitments:,} commitments)")
    def brief_json(s):
        with gc_policy.paused():
            return json.dumps(build_brief(s.text, s.layer, s.links, {}).to_json(), ensure_ascii=False)

    row("brief + json", [timed_ms(lambda s=sessions[n]: brief_json(s), args.runs) for n in (plain, linked)],
        "every sentence found, the JSON made as a string")
    from rich.style import Style

    from tui.app.brief_screen import BriefLines, brief_lines
    from tui.core.brief import summary_line

    def brief_screen(s):
        brief = brief_of(s)
        lines, drawn = brief_lines(brief), BriefLines()
        summary_line(brief)
        return [drawn.render_row(lines[i], 100, Style()) for i in range(min(40, len(lines)))]

    row("B", [timed_ms(lambda s=sessions[n]: brief_screen(s), args.runs) for n in (plain, linked)],
        "the brief as B builds it, the screen's lines and summary, 40 lines drawn")
    row("brief, gc on", [timed_ms(lambda s=sessions[n]: build_brief(s.text, s.layer, s.links, {}), args.runs)
                         for n in (plain, linked)], "the collector on throughout (not how hedgerow runs it)")
    if args.keys:
        times = [asyncio.run(key_times(document, n, args.keys)) for n in (plain, linked)]
        for key in times[0]:
            row(f"key {key}", [t[key] for t in times])
    return 0


if __name__ == "__main__":
    sys.exit(main())
