"""Long work runs at low CPU priority: results, streams, errors, closing and context all pass through."""
import contextvars
import os
import threading
import time

import pytest

from core.runtime import priority

ASKED = contextvars.ContextVar("asked", default="nobody")


def my_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_function_runs_in_a_nicer_thread_and_returns_its_result():
    here = my_nice()
    work = priority.low_priority(lambda x: (x * 2, my_nice(), threading.get_native_id()))
    value, nice, thread = work(21)
    assert value == 42 and thread != threading.get_native_id()
    assert nice == min(19, priority.NICE) and nice > here and my_nice() == here


def test_a_stream_arrives_item_by_item_with_the_callers_context():
    ASKED.set("alice")

    def count(n):
        for i in range(n):
            yield i, ASKED.get(), my_nice()
    items = list(priority.low_priority(count)(3))
    assert [i for i, _, _ in items] == [0, 1, 2]
    assert {who for _, who, _ in items} == {"alice"} and {n for _, _, n in items} == {priority.NICE}


def test_errors_reach_the_caller():
    def fails():
        raise ValueError("no")

    def fails_later():
        yield 1
        raise KeyError("late")
    with pytest.raises(ValueError, match="no"):
        priority.low_priority(fails)()
    stream = priority.low_priority(fails_later)()
    assert next(stream) == 1
    with pytest.raises(KeyError, match="late"):
        next(stream)


def test_a_stream_runs_only_as_far_as_its_caller_has_asked():
    made = []

    def counting():
        for i in range(100):
            made.append(i)
            yield i
    stream = priority.low_priority(counting)()
    assert [next(stream), next(stream)] == [0, 1]
    time.sleep(0.2)
    assert made == [0, 1]  # nothing is computed for a caller that is not listening


def test_closing_the_stream_closes_the_work():
    closed = threading.Event()

    def endless():
        try:
            while True:
                yield 1
                time.sleep(0.01)
        finally:
            closed.set()
    stream = priority.low_priority(endless)()
    assert next(stream) == 1
    stream.close()
    assert closed.wait(5)
