"""The corpus bench: the documents screen on 2,000 documents of 20 KB, 3 annotators x 50 annotations each.

    .venv/bin/python bench/corpus_bench.py [--runs N] [--documents N]

Data (generated once, deterministically, under bench/data/corpus-<N>/, git-ignored): a project
(hedgerow.toml marks its root) with seeds/ holding N documents in 20 folders, and for each document
three layers (ann1..ann3) of 50 annotations written through the core's AnnotationStore.

Figures, printed beside their targets and the trivial Textual app in one run:

1. Time to first frame, whole process, in tmux through ../shared/tools/tui_timer.py: `hedgerow
   seeds` until the list's header ("2,000 documents") is on screen, against bench/trivial_app.py
   showing a file holding the same words; interleaved runs, medians. The same tool presses Down
   20 times on the list (terminal-level key latency, a poll-quantised upper bound) and reports
   the process tree's peak RSS (VmHWM). Skipped when ../shared is absent.
2. Counts complete, in process: from the documents screen's start (the app's mount, before its
   first frame) until every row's title and counts are in, cold (no .hedgerow-cache/; the files
   may be in the OS's page cache) and warm (the cache written by the cold run). The time from
   constructing the app (run_test's start-up included) is printed beside it.
3. A key on the list, in process: Down pressed as Pilot does, until the list has drawn its lines
   again (the action and the render of every visible row), median and worst of 50.
4. Returning from a document to the list: `o` in the annotation screen until the list is the
   screen and its rows are drawn (the flush, the re-read of that document's summary, the push).
5. Peak RSS of the in-process run (VmHWM, after the counts are complete).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
TIMER = ROOT.parent / "shared" / "tools" / "tui_timer.py"
PYTHON = ROOT / ".venv" / "bin" / "python"
HEDGEROW = ROOT / ".venv" / "bin" / "hedgerow"
SIZE = (120, 40)
DOC_BYTES = 20_000
ANNOTATORS = ("ann1", "ann2", "ann3")
PER_LAYER = 50
FOLDERS = 20
GENERATOR_VERSION = "1"
TARGETS = {"first frame ratio": 1.5, "counts cold s": 3.0, "counts warm s": 0.5, "key ms": 12.0, "rss MiB": 150.0}
WORDS = (
    "the", "minister", "may", "commit", "to", "a", "plan", "while", "officials", "say", "it", "could",
    "change", "and", "observers", "doubt", "that", "Kazakhstan", "will", "seek", "a", "partnership", "with",
    "NATO", "perhaps", "next", "year", "according", "to", "sources",
)

perf = time.perf_counter


def project(count: int) -> Path:
    return DATA / f"corpus-{count}"


def make_data(count: int) -> Path:
    """The corpus, made once (or again when the generator changed)."""
    from tui.core.annotation import Annotation
    from tui.core.document import make_title, read_text
    from tui.core.store import AnnotationStore

    root = project(count)
    stamp = root / ".generated"
    if stamp.is_file() and stamp.read_text() == GENERATOR_VERSION:
        return root
    if root.exists():
        shutil.rmtree(root)
    (root / "seeds").mkdir(parents=True)
    (root / "hedgerow.toml").write_text("", encoding="utf-8")
    random.seed(12)
    started = perf()
    for n in range(count):
        words, size = [f"Document {n:05d}: report on commitments,"], 0
        while size < DOC_BYTES:
            sentence = " ".join(random.choices(WORDS, k=random.randint(8, 20))).capitalize() + "."
            words.append(sentence + ("\n\n" if random.random() < 0.15 else " "))
            size += len(sentence) + 1
        data = ("\n".join(words[:1]) + "\n\n" + "".join(words[1:]))[:DOC_BYTES].encode("utf-8")
        relative = f"seeds/folder-{n % FOLDERS:02d}/doc-{n:05d}.txt"
        path = root / relative
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        text, sha256 = read_text(data, path)
        for annotator in ANNOTATORS:
            annotations = []
            for start in sorted(random.sample(range(0, len(text) - 40), PER_LAYER)):
                tag = random.choice(("actor", "commitment", "hedge"))
                annotations.append(Annotation.create(text, start, start + random.randint(5, 30), tag,
                                                     document=sha256, annotator=annotator))
            meta = {"annotator": annotator, "document": {"sha256": sha256, "path": relative,
                                                         "title": make_title(text), "length": len(text)}}
            layer = root / "annotations" / relative[: -len(".txt")] / f"{annotator}.json"
            layer.parent.mkdir(parents=True, exist_ok=True)
            AnnotationStore(layer).save(annotations, meta)
    (root / "marker.txt").write_text(f"seeds: {count:,} documents\n", encoding="utf-8")
    stamp.write_text(GENERATOR_VERSION)
    print(f"generated {count:,} documents and {count * len(ANNOTATORS):,} layers in {perf() - started:.0f} s")
    return root


# -- 1. in tmux --------------------------------------------------------------------------------

def first_frame(root: Path, count: int, runs: int) -> dict | None:
    if not TIMER.is_file():
        return None
    marker = f"{count:,} documents"
    cmd = [sys.executable, str(TIMER), "--marker", marker, "--size", f"{SIZE[0]}x{SIZE[1]}", "--runs", str(runs),
           "--keys", "20", "--key", "Down", "--json", "-",
           "--", f"trivial={PYTHON} {ROOT / 'bench' / 'trivial_app.py'} {root / 'marker.txt'}",
           f"hedgerow={HEDGEROW} seeds --annotator ann1"]
    result = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=1800)
    try:
        return json.loads(result.stdout)
    except ValueError:
        print(result.stdout[-2000:], result.stderr[-2000:])
        return None


# -- 2-5. in process -----------------------------------------------------------------------------

def vm_hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def in_process(root: Path) -> dict:
    from tui.app.app import HedgerowApp
    from tui.core.session import SessionOptions

    figures: dict = {}
    for label in ("cold", "warm"):
        if label == "cold":
            shutil.rmtree(root / ".hedgerow-cache", ignore_errors=True)
        app = HedgerowApp(None, corpus=root / "seeds", options=SessionOptions(annotator="ann1"), annotator="ann1")
        started = perf()
        async with app.run_test(size=SIZE) as pilot:
            while app.documents is None or not app.documents.loaded:
                await asyncio.sleep(0.005)
            # From the screen's start (the app's mount): the list is up, the worker reads.
            figures[f"counts {label} s"] = app.documents.counted_in
            figures[f"counts {label} from launch s"] = perf() - started
            figures[f"counts {label} cpu s"] = app.documents.worker_cpu
            if label == "cold":
                continue
            screen = app.documents
            listing = screen.document_list
            assert all(s.read for s in screen.summaries)
            keys, cpu = [], []
            for _ in range(50):
                await pilot.pause()
                t0, c0 = perf(), time.thread_time()
                screen.action_move(1)
                for y in range(listing.scrollable_content_region.height):
                    listing.render_line(y)
                keys.append((perf() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
            figures["key ms"] = statistics.median(keys)
            figures["key worst ms"] = max(keys)
            figures["key cpu ms"] = statistics.median(cpu)
            await pilot.press("enter")
            while app.session is None:
                await asyncio.sleep(0.005)
            await pilot.pause()
            returns, return_cpu = [], []
            for _ in range(5):
                await pilot.pause(0.2)
                t0, c0 = perf(), time.thread_time()
                app.action_documents()
                while app.screen is not screen:
                    await asyncio.sleep(0)
                for y in range(listing.scrollable_content_region.height):
                    listing.render_line(y)
                returns.append((perf() - t0) * 1000)
                return_cpu.append((time.thread_time() - c0) * 1000)
                app.action_back_to_document()
                while app.screen is screen:
                    await asyncio.sleep(0)
            figures["return ms"] = statistics.median(returns)
            figures["return cpu ms"] = statistics.median(return_cpu)
            figures["rss MiB"] = vm_hwm_mib()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="tmux runs of each program (default 3)")
    parser.add_argument("--documents", type=int, default=2000)
    args = parser.parse_args()
    root = make_data(args.documents)
    print(f"corpus: {args.documents:,} documents of {DOC_BYTES // 1000} KB, {len(ANNOTATORS)} annotators x "
          f"{PER_LAYER} annotations each, in {root}")
    figures = asyncio.run(in_process(root))
    timer = first_frame(root, args.documents, args.runs)
    rows = []
    if timer is None:
        rows.append(("1. first frame", "SKIPPED (../shared/tools/tui_timer.py absent)", "", ""))
    else:
        by_name = {name: found["summary"] for name, found in timer["commands"].items()}
        trivial, hedgerow = by_name["trivial"], by_name["hedgerow"]
        ratio = hedgerow["startup_med"] / trivial["startup_med"]
        rows.append(("1. first frame (ms, median)", f"{hedgerow['startup_med']:.0f}",
                     f"trivial {trivial['startup_med']:.0f} -> x{ratio:.2f}",
                     _verdict(ratio <= TARGETS["first frame ratio"], "<= x1.5")))
        rows.append(("   key in tmux (ms, median)", f"{hedgerow['key_med']:.1f}", f"trivial {trivial['key_med']:.1f}",
                     "(poll-quantised)"))
        rows.append(("   peak RSS in tmux (MiB)", f"{hedgerow['peak_rss_mib']:.0f}",
                     f"trivial {trivial['peak_rss_mib']:.0f}",
                     _verdict(hedgerow["peak_rss_mib"] <= TARGETS["rss MiB"], "<= 150")))
    rows += [
        ("2. counts complete, cold (s)", f"{figures['counts cold s']:.2f}",
         f"launch {figures['counts cold from launch s']:.2f}, cpu {figures['counts cold cpu s']:.2f}",
         _verdict(figures["counts cold s"] <= TARGETS["counts cold s"], "<= 3")),
        ("   counts complete, warm (s)", f"{figures['counts warm s']:.2f}",
         f"launch {figures['counts warm from launch s']:.2f}, cpu {figures['counts warm cpu s']:.2f}",
         _verdict(figures["counts warm s"] <= TARGETS["counts warm s"], "<= 0.5")),
        ("3. key on the list (ms)", f"{figures['key ms']:.2f}",
         f"worst {figures['key worst ms']:.2f}, cpu {figures['key cpu ms']:.2f}",
         _verdict(figures["key ms"] <= TARGETS["key ms"], "<= 12")),
        ("4. document -> list (ms)", f"{figures['return ms']:.1f}", f"cpu {figures['return cpu ms']:.1f}", ""),
        ("5. peak RSS in process (MiB)", f"{figures['rss MiB']:.0f}", "",
         _verdict(figures["rss MiB"] <= TARGETS["rss MiB"], "<= 150")),
    ]
    for row in rows:
        print(f"{row[0]:<32} {row[1]:>10}  {row[2]:<30} {row[3]}")
    print(f"load average while it ran: {Path('/proc/loadavg').read_text().split()[:3]} on {os.cpu_count()} cores "
          f"(cpu = the thread's own CPU time, less sensitive to a shared machine than wall time)")
    return 0


def _verdict(ok: bool, target: str) -> str:
    return f"{'PASS' if ok else 'MISS'} (target {target})"


if __name__ == "__main__":
    sys.exit(main())
