"""A stream's updates are sent to the page at a bounded rate, and none of what they carry is lost."""
from dataclasses import dataclass

from demos import widgets


@dataclass
class Update:
    text: str
    done: bool = False


def timed(stamps, monkeypatch):
    """Updates whose arrival times are `stamps` (the clock reads them one by one)."""
    clock = iter(stamps)
    monkeypatch.setattr(widgets.time, "perf_counter", lambda: next(clock))
    return [Update("x" * (i + 1), done=i == len(stamps) - 1) for i in range(len(stamps))]


def test_fast_tokens_are_coalesced_and_the_last_always_sent(monkeypatch):
    updates = timed([1.00, 1.02, 1.05, 1.11, 1.15, 1.19, 1.22, 1.23], monkeypatch)
    sent = [u for u, _ in widgets.throttled(updates, every_s=1.0, text_every_s=0.1)]
    assert [len(u.text) for u in sent] == [1, 4, 7, 8]   # at most one per 0.1 s, then the final one
    assert sent[-1].done and sent[-1].text == updates[-1].text  # each carries the whole text so far


def test_heavy_views_are_redrawn_less_often_than_the_text(monkeypatch):
    updates = timed([1.0, 1.3, 1.6, 2.1, 2.4], monkeypatch)
    redraws = [redraw for _, redraw in widgets.throttled(updates, every_s=1.0, text_every_s=0.1)]
    assert redraws == [True, False, False, True, True]


def test_zero_interval_sends_every_token(monkeypatch):
    updates = timed([1.0, 1.001, 1.002], monkeypatch)
    assert len(list(widgets.throttled(updates, text_every_s=0))) == 3
