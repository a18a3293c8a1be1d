"""The one GC policy: pauses nest and restore, a TUI's start freezes and raises the threshold.

The collector's settings are global, so each test puts them back as it found them.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator

import pytest

from tui.core import gc_policy


@pytest.fixture(autouse=True)
def restore_the_collector() -> Iterator[None]:
    enabled, threshold, interval = gc.isenabled(), gc.get_threshold(), sys.getswitchinterval()
    frozen = gc.get_freeze_count() > 0
    yield
    sys.setswitchinterval(interval)
    gc.unfreeze()
    if frozen:  # as conftest left it: what the run loaded stays out of full collections
        gc.freeze()
    gc.set_threshold(*threshold)
    (gc.enable if enabled else gc.disable)()


def test_pauses_nest_and_the_collector_comes_back_after_the_outermost() -> None:
    gc.enable()
    with gc_policy.paused():
        assert not gc.isenabled()
        with gc_policy.batch():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one ending does not switch it back on
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    with gc_policy.paused():
        pass
    assert not gc.isenabled()


def test_a_pause_ends_on_an_error_too() -> None:
    gc.enable()
    with pytest.raises(ValueError), gc_policy.paused():
        raise ValueError
    assert gc.isenabled()


def test_pauses_from_two_threads_overlap_safely() -> None:
    gc.enable()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with gc_policy.paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    with gc_policy.paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # the other thread's pause still holds
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_starting_a_tui_freezes_what_was_loaded_and_collects_less_often() -> None:
    gc.enable()
    gc.unfreeze()
    loaded: list[object] = []
    with gc_policy.starting_a_tui():
        assert not gc.isenabled()
        loaded.extend([[n] for n in range(1000)])
    assert gc.isenabled()
    assert gc.get_threshold()[0] == gc_policy.TUI_GEN0_THRESHOLD
    assert gc.get_freeze_count() >= 1000
    assert sys.getswitchinterval() == pytest.approx(gc_policy.TUI_SWITCH_INTERVAL)


def collections_while(job: object) -> list[int]:
    """The generations collected while `job` runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        job()  # type: ignore[operator]
    finally:
        gc.callbacks.remove(note)
    return seen


def test_leaving_a_tuis_start_collects_nothing() -> None:
    """What the start made is frozen before the collector is back: its first run does not walk it all
    (a generation-1 collection over Textual's modules took ~100 ms before the first frame)."""
    gc.enable()
    gc.unfreeze()
    gc.collect()
    loaded: list[object] = []
    start = gc_policy.starting_a_tui()
    start.__enter__()
    for _ in range(20):  # more than the thresholds, as Textual's import is
        loaded.extend([[n] for n in range(1000)])

    def leave_and_go_on() -> None:
        start.__exit__(None, None, None)
        loaded.extend([[n] for n in range(100)])  # the next objects made

    assert collections_while(leave_and_go_on) == []
    assert gc.isenabled()


def test_a_tui_can_keep_the_collector_off_until_its_first_frame() -> None:
    gc.enable()
    with gc_policy.starting_a_tui(until_shown=True):
        pass
    assert not gc.isenabled()  # the app builds its first screen
    assert gc.get_threshold()[0] == gc_policy.TUI_GEN0_THRESHOLD
    built = [[n] for n in range(1000)]
    gc_policy.shown()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)  # what the first frame built is frozen too
    gc_policy.shown()  # a second document opened: nothing more to do
    assert gc.isenabled()


def test_shown_does_nothing_when_nothing_was_held() -> None:
    gc.disable()
    gc_policy.shown()  # a TUI started without until_shown (the corpus's, the review's)
    assert not gc.isenabled()


def test_while_the_user_is_still_the_due_collection_runs_early() -> None:
    gc.enable()
    gc.set_threshold(gc_policy.TUI_GEN0_THRESHOLD)  # as in a TUI: not before 10,000 new objects
    gc.collect()
    assert not gc_policy.collect_while_idle()  # nothing new: nothing to do
    made = [[n] for n in range(gc_policy.IDLE_MINIMUM + 100)]
    assert gc.get_count()[0] >= gc_policy.IDLE_MINIMUM and made
    assert collections_while(gc_policy.collect_while_idle) == [0]
    assert gc.get_count()[0] < gc_policy.IDLE_MINIMUM
    with gc_policy.paused():  # a brief's build holds it off: so does idleness
        more = [[n] for n in range(gc_policy.IDLE_MINIMUM + 100)]
        assert not gc_policy.collect_while_idle() and more


def test_the_idle_collection_takes_the_generation_python_would_take_next() -> None:
    gc.enable()
    gc.collect()
    threshold = gc.get_threshold()
    try:
        gc.set_threshold(100_000, 1, 1)  # no automatic collection meanwhile
        generations = []
        for _ in range(7):
            made = [[n] for n in range(gc_policy.IDLE_MINIMUM + 100)]
            generations += collections_while(gc_policy.collect_while_idle)
            del made
        assert generations == [0, 0, 1, 0, 0, 1, 2]
    finally:
        gc.set_threshold(*threshold)


def test_what_is_kept_is_frozen_not_walked_by_the_next_collection() -> None:
    """The TUI's brief: ~250,000 objects made in a pause. With `paused()` alone, the first collection
    after walked them all (~0.3 s on the UI thread); `kept()` freezes them, after collecting the
    young garbage from before, so that it is not frozen with them."""
    gc.enable()
    gc.set_threshold(gc_policy.TUI_GEN0_THRESHOLD, 10, 10)
    gc.unfreeze()
    gc.collect()
    garbage = [[]]
    garbage[0].append(garbage)  # a cycle, young when the brief is built
    garbage = None
    frozen = gc.get_freeze_count()
    brief: list[object] = []

    def build() -> None:
        with gc_policy.kept():
            assert not gc.isenabled()
            brief.extend([[n] for n in range(3 * gc_policy.TUI_GEN0_THRESHOLD)])

    assert collections_while(build) == [0]  # the young generation, before the build
    assert collections_while(lambda: brief.append([0])) == []  # the next object made: with paused(), a collection
    assert gc.isenabled() and gc.get_count()[0] < 100
    assert gc.get_freeze_count() - frozen >= 3 * gc_policy.TUI_GEN0_THRESHOLD
    assert gc.collect() == 0  # the cycle was collected before the freeze, not frozen with the brief
