"""The speed tails, as a user sees them: hedgerow side by side with less, a trivial Textual pager and
SLATE (the curses annotator), in one run.

    .venv/bin/python bench/tails.py [--runs 5] [--keys 30] [--slate PATH | --no-slate] [--baseline DIR]
                                    [--cpu-runs 5] [--json FILE]

/work/shared/tools/tui_timer.py (../shared from the project) starts each program in tmux at
120x40, interleaved round by round (A B C D, A B C D, ...) so that drift in the machine's load
hits all alike, and measures: ms from launch until MARKER (a line near the top of the 5 MB
document, in no annotation) is on screen; for each of --keys Down presses, ms until the screen
changes (the first key, then median / p90 / max of all); the peak RSS of the process tree.

The data: bench/make_data.py's 5 MB document with 100,000 annotations (annotator "bench").
SLATE gets the same document and 100,000 token spans in its own file format; it runs when its
`slate` command is found (--slate, or on PATH: `pip install slate-nlp` in any venv), else its
column says why not. The targets are issue 10's; figures are medians over the runs. The start
is also timed as the CPU time from process start to the first frame, headless (bench/first_frame.py,
--cpu-runs rounds interleaved, pager / hedgerow / baseline): unlike tmux's wall clock it barely moves
with the load others put on a shared machine. This prints
figures, it never fails a build: on a shared machine, read them beside the references.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import make_data  # noqa: E402  (bench/ is not a package)

TIMER = ROOT.parent / "shared" / "tools" / "tui_timer.py"
FIRST_FRAME = ROOT / "bench" / "first_frame.py"
PYTHON = ROOT / ".venv" / "bin" / "python"
HEDGEROW = ROOT / ".venv" / "bin" / "hedgerow"
SLATE_SPANS = 100_000
SLATE_LABELS = ("actor", "commitment", "hedge")

# (label, tui_timer summary key, format, target as text, check against the trivial pager's figure)
ROWS = [
    ("start (median)", "startup_med", "{:.0f} ms", "<= 1.2x the pager", lambda mine, pager: mine <= 1.2 * pager),
    ("start, CPU (headless)", "start_cpu", "{:.0f} ms", "", None),
    ("first key", "key1_med", "{:.1f} ms", "<= the pager's", lambda mine, pager: mine <= pager),
    ("key median", "key_med", "{:.1f} ms", "", None),
    ("key p90", "key_p90", "{:.1f} ms", "<= 12 ms", lambda mine, pager: mine <= 12),
    ("key max", "key_max", "{:.1f} ms", "<= 50 ms", lambda mine, pager: mine <= 50),
    ("peak RSS", "peak_rss_mib", "{:.0f} MiB", "<= 120 MiB", lambda mine, pager: mine <= 120),
]


def slate_data(document: Path) -> Path:
    """A copy of the document and 100,000 token spans in SLATE's format, beside it in bench/data/."""
    folder = make_data.DATA / "slate-5mb"
    copy = folder / document.name
    annotations = folder / (document.name + ".annotations")
    if copy.is_file() and annotations.is_file():
        return copy
    folder.mkdir(parents=True, exist_ok=True)
    text = document.read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    rng = random.Random(10)
    lines = [(number, len(line.split())) for number, line in enumerate(text.split("\n")) if len(line.split()) > 4]
    spans = set()
    while len(spans) < SLATE_SPANS:
        line, tokens = rng.choice(lines)
        first = rng.randrange(tokens)
        last = min(tokens - 1, first + rng.randrange(4))
        spans.add((line, first, last))
    with annotations.open("w", encoding="utf-8") as out:
        for line, first, last in sorted(spans):
            out.write(f"(({line}, {first}), ({line}, {last})) - {rng.choice(SLATE_LABELS)}\n")
    return copy


def commands(document: Path, slate: str | None, baseline: Path | None = None) -> list[str]:
    found = [f"less=less {document}", f"pager={PYTHON} {ROOT / 'bench' / 'trivial_app.py'} {document}"]
    if slate:
        copy = slate_data(document)
        found.append(f"slate=cd {copy.parent} && {slate} -o {copy.name}")
    if baseline:  # another checkout's tui package, run by this venv (python -m finds it first in its folder)
        found.append(f"baseline=cd {baseline} && {PYTHON} -m tui {document} --annotator {make_data.ANNOTATOR}")
    found.append(f"hedgerow={HEDGEROW} {document} --annotator {make_data.ANNOTATOR}")
    return found


def cpu_starts(document: Path, baseline: Path | None, runs: int) -> dict[str, float]:
    """Median CPU ms from process start to the first frame, headless (bench/first_frame.py), the
    trivial pager and hedgerow (and the baseline checkout) interleaved: CPU time barely moves with
    the machine's load, where tmux's wall-clock start does."""
    checkouts = {"hedgerow": ROOT, **({"baseline": baseline} if baseline else {})}
    found: dict[str, list[float]] = {"pager": [], **{name: [] for name in checkouts}}
    for _ in range(runs):
        for name in found:
            args = ["trivial", str(document)] if name == "pager" else \
                ["hedgerow", str(document), "--annotator", make_data.ANNOTATOR]
            env = {**os.environ, "PYTHONPATH": str(checkouts.get(name, ROOT))}  # that checkout's tui first
            done = subprocess.run([str(PYTHON), str(FIRST_FRAME), *args], cwd=document.parent, env=env,
                                  capture_output=True, text=True, timeout=120)
            try:
                found[name].append(1000 * json.loads(done.stdout.strip().splitlines()[-1])["cpu"])
            except (ValueError, IndexError, KeyError):
                print(f"first_frame.py {name}: no figure ({done.stderr.strip()[-300:]})", file=sys.stderr)
    return {name: sorted(cpu)[len(cpu) // 2] for name, cpu in found.items() if cpu}


def table(summaries: dict[str, dict], slate_note: str) -> list[str]:
    names = [name for name in ("less", "pager", "slate", "baseline", "hedgerow") if name in summaries]
    header = ["", *names, "target", "hedgerow meets it"]
    if "slate" not in summaries:
        header.insert(3, "slate")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    pager = summaries.get("pager", {})
    for label, key, form, target, check in ROWS:
        cells = [label]
        for name in names:
            value = summaries[name].get(key)
            cells.append("-" if value is None else form.format(value))
            if name == "pager" and "slate" not in summaries:
                cells.append(slate_note)
        mine, reference = summaries.get("hedgerow", {}).get(key), pager.get(key)
        verdict = ""
        if check is not None and mine is not None and reference is not None:
            verdict = "yes" if check(mine, reference) else "NO"
        cells += [target, verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--keys", type=int, default=30, help="Down presses per run (default 30)")
    parser.add_argument("--slate", help="SLATE's `slate` command (default: found on PATH)")
    parser.add_argument("--json", type=Path, help="also keep tui_timer's raw figures here")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also run the hedgerow of another checkout (e.g. `git worktree add` of main, compiled "
                             "with `python -m compileall -q tui`) in the same rounds, as a before/after column")
    parser.add_argument("--cpu-runs", type=int, default=5, metavar="N",
                        help="also time the start as CPU to the first frame, headless (bench/first_frame.py), "
                             "N interleaved rounds (default 5; 0 leaves it out)")
    parser.add_argument("--no-slate", action="store_true",
                        help="leave SLATE out (its 100,000 spans take ~15 s to load)")
    args = parser.parse_args()

    if not TIMER.is_file():
        print(f"tui_timer is missing ({TIMER}): nothing to measure", file=sys.stderr)
        return 0
    dataset = make_data.ensure(make_data.FULL)
    for checkout in (ROOT, args.baseline):  # timed from .pyc files, as installed: an edited module would
        if checkout is not None:            # be compiled at every start (PYTHONDONTWRITEBYTECODE, say)
            compileall.compile_dir(checkout / "tui", quiet=1)
    slate = None if args.no_slate else args.slate or shutil.which("slate")
    slate_note = "left out" if args.no_slate else "not installed" if slate is None else ""
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(args.json or Path(scratch) / "tails.json")
        cmd = [sys.executable, str(TIMER), "--marker", make_data.MARKER, "--size", "120x40", "--runs", str(args.runs),
               "--keys", str(args.keys), "--key", "Down", "--timeout", "120", "--json", str(raw), "--",
               *commands(dataset.document, slate, args.baseline)]
        print(f"tui_timer: {args.runs} interleaved rounds, {args.keys} x Down, 120x40 ...", file=sys.stderr)
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        print(done.stderr, file=sys.stderr, end="")
        if done.returncode != 0 or not raw.is_file():
            print(done.stdout)
            return 1
        figures = json.loads(raw.read_text(encoding="utf-8"))
    summaries = {name: entry["summary"] for name, entry in figures["commands"].items()}
    if args.cpu_runs:
        print(f"first_frame.py: CPU to the first frame, headless, {args.cpu_runs} interleaved rounds ...",
              file=sys.stderr)
        for name, cpu in cpu_starts(dataset.document, args.baseline, args.cpu_runs).items():
            summaries.setdefault(name, {})["start_cpu"] = cpu
    print(f"\n{dataset.document.name}: {dataset.size:,} bytes, {dataset.count:,} annotations; "
          f"medians of {args.runs} interleaved runs, {args.keys} x Down each")
    print("\n".join(table(summaries, slate_note)))
    for name, entry in figures["commands"].items():
        failed = [run for run in entry["runs"] if run.get("error")]
        if failed:
            print(f"{name}: {len(failed)} failed run(s): {failed[0]['error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
