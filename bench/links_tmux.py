"""Links at scale as a user sees them: hedgerow in tmux on the 5 MB document, today's layer (`plain`,
no links) beside the same layer with 50,000 links (`linked`), in one run.

    .venv/bin/python bench/links_tmux.py [--rounds N]

links_bench.py times the keys through Pilot, which waits for the whole process to go idle, so its
"tag commitment" includes the background save of 100,000 annotations. Here each layer is opened in
a 120x40 tmux session (a copy in a temporary project, so the bench's layers stay as made) and the
time is what a user waits for: ms from launch until "✓ saved" shows (the annotations loaded), and
ms from pressing `2` on a selected sentence until the screen changes (the tag shown), then `u`.
The two layers alternate round by round, so drift in the machine's load hits both alike.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import links_bench  # noqa: E402  (bench/ is not a package)
import make_data  # noqa: E402

HEDGEROW = ROOT / ".venv" / "bin" / "hedgerow"
TAGS_PER_ROUND = 5


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def until_changed(session: str, before: str, limit: float = 10.0) -> float | None:
    began = time.perf_counter()
    while tmux("capture-pane", "-p", "-e", "-t", session) == before:
        time.sleep(0.003)
        if time.perf_counter() - began > limit:
            return None
    return (time.perf_counter() - began) * 1000


def one_round(project: Path, layer: str) -> tuple[float | None, list[float]]:
    session = f"links-tmux-{layer}"
    tmux("kill-session", "-t", session)
    began = time.perf_counter()
    tmux("new", "-d", "-s", session, "-x", "120", "-y", "40",
         f"cd {project} && {HEDGEROW} edm-5mb.txt --annotator {layer}")
    loaded = None
    while time.perf_counter() - began < 60:
        if "✓ saved" in tmux("capture-pane", "-p", "-t", session):
            loaded = (time.perf_counter() - began) * 1000
            break
        time.sleep(0.02)
    time.sleep(2)  # what the first frame left to do
    tags = []
    for _ in range(TAGS_PER_ROUND):
        for _ in range(3):
            tmux("send-keys", "-t", session, "Down")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "s")  # the sentence under the cursor
        time.sleep(0.5)
        before = tmux("capture-pane", "-p", "-e", "-t", session)
        tmux("send-keys", "-t", session, "2")  # tag it a commitment
        shown = until_changed(session, before)
        if shown is not None:
            tags.append(shown)
        time.sleep(3)  # the save of 100,000 annotations runs in a worker
        tmux("send-keys", "-t", session, "u")
        time.sleep(3)
    tmux("send-keys", "-t", session, "q")
    time.sleep(1)
    tmux("kill-session", "-t", session)
    return loaded, tags


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("links_tmux.py needs tmux")
        return 1
    dataset = make_data.ensure(make_data.FULL)
    document, plain, linked = links_bench.prepare(dataset)
    with tempfile.TemporaryDirectory(prefix="hedgerow-links-") as folder:
        project = Path(folder)
        (project / ".git").mkdir()  # the project root: annotations/ beside the document
        shutil.copyfile(document, project / document.name)
        codebook = document.parent / "hedgerow.toml"
        if codebook.exists():
            shutil.copyfile(codebook, project / codebook.name)
        layers = project / "annotations" / document.stem
        layers.mkdir(parents=True)
        for layer in (plain, linked):
            shutil.copyfile(dataset.annotations.parent / f"{layer}.json", layers / f"{layer}.json")
        loads: dict[str, list[float]] = {plain: [], linked: []}
        tags: dict[str, list[float]] = {plain: [], linked: []}
        for _ in range(args.rounds):
            for layer in (plain, linked):
                loaded, shown = one_round(project, layer)
                if loaded is not None:
                    loads[layer].append(loaded)
                tags[layer] += shown
    print(f"{document.name}, 100,000 annotations; tmux 120x40, {args.rounds} rounds alternating, "
          f"{TAGS_PER_ROUND} tags a round (median / max, ms)")
    print(f"{'':26}{'no links (today)':>20}{'50,000 links':>20}")
    for label, values in (("start to '✓ saved'", loads), ("tag key until shown", tags)):
        cells = "".join(f"{statistics.median(v):>11,.0f} / {max(v):>6,.0f}" if v else f"{'-':>20}"
                        for v in (values[plain], values[linked]))
        print(f"{label:26}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
