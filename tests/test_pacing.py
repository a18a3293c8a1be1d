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


def test_paced_yields_every_item_and_pauses_every_so_many(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    pauses: list[int] = []  # how many items had been yielded at each pause
    monkeypatch.setattr(pacing, "pause", lambda: pauses.append(len(seen)))

    def loop() -> None:
        for item in pacing.paced(range(10), every=4):
            seen.append(item)
        assert list(pacing.paced([])) == []

    in_a_worker(loop)
    assert seen == list(range(10)) and pauses[:3] == [0, 4, 8]  # (then one finding the end, one for [])
    items = [1, 2, 3]
    assert pacing.paced(items) is items  # on the UI thread, where pause never waits: no pacing at all


def test_building_a_layer_stands_back_within_every_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker indexing a large layer pauses at least every EVERY rows in each pass over them (the
    duplicate check, numbering, the position sort, the longest span), not once per pass: a pass over
    100,000 rows without a pause shared the interpreter with every key pressed meanwhile."""
    import random
    import uuid

    from tui.core import layer as layer_module
    from tui.core.annotation import Annotation
    from tui.core.layer import Layer

    rng = random.Random(7)
    text = "word " * 4000
    rows = 6 * pacing.EVERY
    annotations = [Annotation(start=(s := rng.randrange(0, 19000)), end=s + 4, tag="actor", quote=text[s:s + 4],
                              id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), document="d", annotator="a")
                   for _ in range(rows)]
    in_loops: list[int] = []  # pauses made by `paced` inside the passes over the rows
    monkeypatch.setattr(pacing, "pause", lambda: in_loops.append(1))
    monkeypatch.setattr(layer_module, "pause", lambda: None)  # its pauses between passes
    in_a_worker(lambda: Layer(annotations, text=text))
    # ids in random order: the id sort's split, the duplicate check, the numbering, its order check,
    # the position sort's split and the longest span each pass over every row
    assert len(in_loops) >= 6 * rows // pacing.EVERY


def test_when_still_runs_at_once_when_nobody_acts_else_after_the_user_stops(clock: FakeClock) -> None:
    ran: list[float] = []
    scheduled: list[tuple[float, object]] = []
    later = lambda delay, retry: scheduled.append((delay, retry))  # noqa: E731  (a timer, run by hand below)

    pacing.when_still(lambda: ran.append(clock.now), later)
    assert ran == [clock.now] and scheduled == []

    ran.clear()
    pacing.user_acted()  # a key: the work waits for a still moment
    pacing.when_still(lambda: ran.append(clock.now), later)
    assert ran == [] and [delay for delay, _ in scheduled] == [pacing.QUIET]
    clock.now += pacing.QUIET + 0.001  # the retry's timer, a little late as timers are
    scheduled.pop()[1]()  # type: ignore[operator]
    assert ran == [clock.now] and scheduled == []


def test_when_still_waits_longest_at_most_while_keys_keep_coming(clock: FakeClock) -> None:
    ran: list[float] = []
    scheduled: list[object] = []
    started = clock.now
    pacing.user_acted()
    pacing.when_still(lambda: ran.append(clock.now), lambda delay, retry: scheduled.append(retry))
    while not ran:
        clock.now += pacing.QUIET
        pacing.user_acted()  # a key repeat every QUIET: never still
        scheduled.pop()()  # type: ignore[operator]
    assert ran[0] - started == pytest.approx(pacing.LONGEST)


def test_stop_when_ends_a_job_at_its_next_pause_and_only_that_job() -> None:
    stop = threading.Event()
    outcomes: dict[str, str] = {}

    def job(name: str, stoppable: bool) -> None:
        try:
            if stoppable:
                with pacing.stop_when(stop.is_set):
                    for _ in range(1000):
                        pacing.pause()
                        stop.wait(0.005)
            else:
                for _ in range(20):  # a save: never stopped
                    pacing.pause()
                    stop.wait(0.005)
            outcomes[name] = "finished"
        except pacing.Stopped:
            outcomes[name] = "stopped"

    threads = [threading.Thread(target=job, args=("load", True)), threading.Thread(target=job, args=("save", False))]
    for thread in threads:
        thread.start()
    stop.set()
    for thread in threads:
        thread.join(5)
    assert outcomes == {"load": "stopped", "save": "finished"}
    with pacing.stop_when(lambda: True):
        pacing.pause()  # the UI thread never waits, and is never stopped
