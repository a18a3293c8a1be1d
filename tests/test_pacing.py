"""Background work waits while the user acts (tui.core.pacing), on a fake clock: no test waits for real."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tui.core import pacing


class FakeClock:
    """time.monotonic and time.sleep for the pacing module: sleeping moves the clock on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(pacing.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(pacing.time, "sleep", fake.sleep)
    monkeypatch.setattr(pacing, "_acted", -1e9)
    yield fake


def in_a_worker(job: object) -> None:
    """Run `job` in another thread (pause never waits on the main thread) and wait for it."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            job()  # type: ignore[operator]
        except BaseException as error:  # re-raised below, on the test's thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    if errors:
        raise errors[0]


def test_a_worker_goes_on_at_once_when_nobody_acts(clock: FakeClock) -> None:
    in_a_worker(pacing.pause)
    assert clock.slept == []


def test_a_worker_waits_until_the_user_has_been_still_for_a_moment(clock: FakeClock) -> None:
    pacing.user_acted()
    clock.now += 0.01  # the worker reaches its next piece 10 ms after the key
    in_a_worker(pacing.pause)
    assert sum(clock.slept) == pytest.approx(pacing.QUIET - 0.01)


def test_a_key_held_down_slows_a_worker_but_never_stops_it(clock: FakeClock) -> None:
    def key_repeats(seconds: float) -> None:  # the user acts again while the worker sleeps
        clock.slept.append(seconds)
        clock.now += seconds
        pacing.user_acted()

    clock.sleep = key_repeats  # type: ignore[method-assign]
    pacing.time.sleep = key_repeats  # type: ignore[assignment]  # (monkeypatch puts time.sleep back)
    pacing.user_acted()
    in_a_worker(pacing.pause)
    assert sum(clock.slept) == pytest.approx(pacing.LONGEST)


def test_the_ui_thread_never_waits(clock: FakeClock) -> None:
    pacing.user_acted()
    pacing.pause()  # on the main thread, as the UI's own work runs
    assert clock.slept == []
