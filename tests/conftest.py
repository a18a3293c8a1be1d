"""Shared fixtures: the seed article and a throwaway project that keeps annotations in tmp."""

from __future__ import annotations

import contextlib
import gc
import importlib
import inspect
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import textual._wait
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation

from tui.core import gc_policy

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
SEED = REPO / "seeds" / "kazakhstan-nato-partnership-edm-2005.txt"
MEMORY_TMP = Path("/dev/shm")  # a tmpfs on Linux
MEMORY_TMP_ROOM = 2 << 30  # bytes free it needs (a whole run writes a few hundred MB at most)
_MEMORY_BASETEMP = pytest.StashKey[str]()


def _memory_tmp_has_room() -> bool:
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").split("\n")
        stat = os.statvfs(MEMORY_TMP)
    except OSError:
        return False
    is_tmpfs = any(line.split()[1:3] == [str(MEMORY_TMP), "tmpfs"] for line in mounts if line)
    return is_tmpfs and os.access(MEMORY_TMP, os.W_OK) and stat.f_bavail * stat.f_frsize >= MEMORY_TMP_ROOM


def pytest_configure(config: pytest.Config) -> None:
    """tmp_path in memory where a tmpfs has room. Every save fsyncs the file and its folder: ~14 ms
    of waiting each on this machine's disk, thousands of times a run. The code under test still
    fsyncs; only the disk under tmp is faster. xdist hands the folder on to its workers."""
    if config.option.basetemp or hasattr(config, "workerinput") or not _memory_tmp_has_room():
        return
    # A name no longer than /tmp/pytest-of-USER/pytest-N: a screen test reads the path in a header.
    config.option.basetemp = tempfile.mkdtemp(prefix="pytest-", dir=MEMORY_TMP)
    config.stash[_MEMORY_BASETEMP] = config.option.basetemp


# Pilot waits for the app to go idle after every key and pause: it sleeps in slices and calls the
# app idle after a slice in which the process used under a twentieth of it. Textual's slice is
# 20 ms, and a press waits at least three (~60 ms) although the app answers a key in a few ms:
# most of a Pilot test's wall time was these sleeps (test_app + test_reading_panels in one
# process: 65 s wall for 30 s CPU). 10 ms slices with the same twentieth: 48 s wall, same CPU.
# Each press still waits at least as long as a frame (1/60 s), so frames due land before it returns.
PILOT_IDLE_SLICE = 0.01  # seconds
textual._wait.SLEEP_GRANULARITY = PILOT_IDLE_SLICE
textual._wait.SLEEP_IDLE = PILOT_IDLE_SLICE / 20


def _share_parsed_css() -> None:
    """Every Pilot test starts an app, and every app parsed the same CSS again (its own stylesheet
    keeps its own cache): about a quarter of an app's start. A worker keeps the rules parsed once,
    per CSS text, origin and theme variables. Parsed rules are only read after parsing (Textual's
    own cache hands the same list to every parse of a stylesheet), so apps share them safely; an
    app still reads its CSS files, collects its widgets' CSS and applies all of it as a user's does."""
    parse_rules = Stylesheet._parse_rules
    if list(inspect.signature(parse_rules).parameters) != [
            "self", "css", "read_from", "is_default_rules", "tie_breaker", "scope"]:
        return  # another Textual: each app parses its own CSS, as before
    parsed: dict[tuple[object, ...], list[RuleSet]] = {}

    def shared_parse_rules(self: Stylesheet, css: str, read_from: CSSLocation, is_default_rules: bool = False,
                           tie_breaker: int = 0, scope: str = "") -> list[RuleSet]:
        variables = tuple(sorted(self._variables.items()))
        key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        return rules

    Stylesheet._parse_rules = shared_parse_rules  # type: ignore[method-assign]


_share_parsed_css()


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """Each test worker imports the test modules from its own place in the list, then collects as
    usual (the modules are imported by then). On a fresh clone the first import of a test module
    rewrites its asserts and caches the result; every worker collects every module, and in the same
    order they all rewrote all of them at once: 3 workers spent 3 x ~5 s of CPU where ~5 s does.
    Started apart, each rewrites its own share and finds the others' cached as it comes to them."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    collecting_all = all(Path(arg.split("::")[0]).resolve() in (TESTS, REPO) for arg in session.config.args)
    if not worker.startswith("gw") or count < 2 or not collecting_all:
        return
    modules = sorted(TESTS.glob("test_*.py"))
    start = int(worker.removeprefix("gw")) * len(modules) // count
    for path in modules[start:] + modules[:start]:
        # By the name pytest gives it (prepend import mode); an error is left for collection to report.
        if path.stem not in sys.modules:
            with contextlib.suppress(Exception):
                importlib.import_module(path.stem)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The test process runs under the TUI's collector policy (tui.core.gc_policy): what collection
    loaded (pytest, Textual, hypothesis, every test module) is frozen, and gen-0 collections wait for
    TUI_GEN0_THRESHOLD new objects. With Python's defaults, Pilot tests spent about a quarter of
    their CPU in the collector (3,655 collections, 33 of them full ones walking the whole heap:
    7.8 s of 32.4 s for test_app + test_reading_panels); with this, 3.9 s of 28.8 s."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(gc_policy.TUI_GEN0_THRESHOLD, *gc.get_threshold()[1:])


def pytest_unconfigure(config: pytest.Config) -> None:
    basetemp = config.stash.get(_MEMORY_BASETEMP, None)
    if basetemp is not None:
        shutil.rmtree(basetemp, ignore_errors=True)  # memory: not left behind as pytest leaves /tmp's



@pytest.fixture(autouse=True)
def user_files(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's config and cache in a tmp folder: tests never read or write the real ones. Made
    by name (mkdtemp), not numbered: pytest numbers a folder by listing all the others (~2,000 by
    the end of a run, half of them these), which cost ~2 s of a run's CPU."""
    home = Path(tempfile.mkdtemp(prefix="user-", dir=tmp_path_factory.getbasetemp()))
    monkeypatch.delenv("HEDGEROW_ANNOTATOR", raising=False)
    monkeypatch.setenv("HEDGEROW_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("HEDGEROW_CACHE", str(home / "cache"))
    return home


@pytest.fixture
def seed_path() -> Path:
    """The seed article in the repository (read it, do not write next to it)."""
    return SEED


@pytest.fixture
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tmp project root (it has a `.git` folder) holding `seed.txt`, a copy of the seed.

    Its annotations land in `<project>/annotations/`, never in the repository's.
    """
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()
    shutil.copyfile(SEED, root / "seed.txt")
    return root


@pytest.fixture
def project_doc(project: Path) -> Path:
    """The seed's copy inside `project`."""
    return project / "seed.txt"
