"""focus's chat pace: a token bucket that takes `now` (tested without sleeping)."""

from __future__ import annotations

import threading

from focuslib.runtime.execute import ChatPace
from focuslib.twitch.pacer import BURST, INTERVAL, TWITCH_LIMIT, WINDOW, Pacer


def test_a_burst_goes_at_once_then_one_per_interval() -> None:
    pacer = Pacer()
    times = [pacer.reserve(100.0) for _ in range(BURST + 3)]
    assert times[:BURST] == [100.0] * BURST
    assert times[BURST:] == [100.0 + INTERVAL, 100.0 + 2 * INTERVAL, 100.0 + 3 * INTERVAL]


def test_never_more_than_twitchs_limit_in_any_window() -> None:
    pacer = Pacer()
    times = [pacer.reserve(0.0) for _ in range(500)]  # 500 Enter presses at once: queued, none dropped
    assert times == sorted(times)
    for i, start in enumerate(times):
        in_window = sum(1 for x in times[i:] if x < start + WINDOW)
        assert in_window < TWITCH_LIMIT
    assert 80 < max(sum(1 for x in times[i:] if x < s + WINDOW) for i, s in enumerate(times)) <= 90


def test_the_bucket_fills_again_while_idle() -> None:
    pacer = Pacer()
    for _ in range(BURST):
        pacer.reserve(0.0)
    assert pacer.delay(0.0) == INTERVAL
    assert pacer.delay(BURST * INTERVAL) == 0.0
    assert [pacer.reserve(60.0) for _ in range(BURST)] == [60.0] * BURST


def test_spaced_messages_never_wait() -> None:
    pacer = Pacer()
    assert all(pacer.reserve(k * INTERVAL) == k * INTERVAL for k in range(200))


def test_chat_pace_blocks_until_the_slot_and_stops_on_request() -> None:
    now = [0.0]
    pace = ChatPace(Pacer(burst=1, interval=1000.0), clock=lambda: now[0])
    stop = threading.Event()
    assert pace.wait(stop)  # the first message goes at once
    waited: list[bool] = []
    statuses: list[str] = []
    worker = threading.Thread(target=lambda: waited.append(pace.wait(stop, statuses.append)))
    worker.start()
    stop.set()  # the second would wait 1000 s: stopping ends the wait
    worker.join(5)
    assert waited == [False]
    assert statuses == ["pacing chat under Twitch's limit: sending in 1000.0 s"]
