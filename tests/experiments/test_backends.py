"""One executor interface; run_all with a window and cancellation (``experiments.backends``)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from experiments.backends import Cancelled, SerialExecutor, executor, run_all


def square(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x * x


def test_run_all_yields_every_result_and_error_with_its_index():
    with executor(workers=1) as ex:
        assert isinstance(ex, SerialExecutor)
        found = sorted(
            (i, r, type(e).__name__ if e else None)
            for i, r, e in run_all(ex, square, [(k,) for k in range(5)], window=2)
        )
    assert found == [(0, 0, None), (1, 1, None), (2, 4, None), (3, None, "ValueError"),
                     (4, 16, None)]  # fmt: skip


def test_the_window_bounds_the_tasks_in_flight():
    running, peak, lock = [0], [0], threading.Lock()

    def task(k: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return k

    with ThreadPoolExecutor(8) as ex:
        done = sorted(r for _, r, _ in run_all(ex, task, [(k,) for k in range(20)], window=3))
    assert done == list(range(20))
    assert peak[0] <= 3


def test_cancel_stops_submitting_and_raises():
    stop = threading.Event()
    started: list[int] = []

    def task(k: int) -> int:
        started.append(k)
        return k

    with executor(workers=1) as ex, pytest.raises(Cancelled):
        for i, _, _ in run_all(ex, task, [(k,) for k in range(50)], window=2, cancel=stop):
            if i == 3:
                stop.set()
    assert len(started) < 10
