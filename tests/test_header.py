"""The screen's header row (focuslib/screen/header.py): one row at any width, fields dropped by priority.

Pure: the model's `text(width, below)` with a fixed wall clock.  What feeds it in a running focus is
tests/test_header_feed.py.
"""

from __future__ import annotations

import re
import threading

import pytest

from focuslib.screen.header import PRIORITY, HeaderModel, HeaderState, fields, render, short, uptime
from focuslib.twitch.events_moderation import ChatSettings
from focuslib.view.layout import text_width

NOW = 1_800_000_000.0
SGR = re.compile(r"\x1b\[[0-9;]*m")
ALL_MODES = ChatSettings(emote_only=True, followers_only=True, follower_minutes=10, slow=True, slow_seconds=30,
                         subscribers_only=True, unique=True)
BUSY = HeaderState(channel="DeskFox", live=True, started_at=NOW - 3_723, viewers=1_309, modes=ALL_MODES, shield=True,
                   held=3, automod=2, link="connected", subscribed=50, wanted=52, gap=(NOW - 120, NOW - 60))


def model(state: HeaderState = BUSY, color: bool = False) -> HeaderModel:
    m = HeaderModel(color=color, wall=lambda: NOW)
    m.update(**{name: getattr(state, name) for name in HeaderState.__slots__})
    return m


def shown(row: str) -> list[str]:
    """The fields of a row, by the texts `fields` gives them."""
    return [f.key for f in fields(BUSY, 12, NOW) if f.text in row]


def test_a_wide_row_has_every_field_in_screen_order():
    row = model().text(250, 12)
    assert row.startswith("DeskFox · ● live 1h02m · 1,309 viewers · followers-only 10m · subs-only · emote-only · "
                          "slow 30s · unique chat ")
    assert row.rstrip().endswith("SHIELD · 3 held · 2 AutoMod · subscribed 50/52 · missed "
                                 f"{_hm(NOW - 120)}–{_hm(NOW - 60)} · ↓ 12 new")
    assert len(row) == 250  # padded: the row is the header's whole width


def _hm(t: float) -> str:
    import time

    return time.strftime("%H:%M", time.localtime(t))


@pytest.mark.parametrize("width", list(range(1, 260)))
def test_at_every_width_one_row_exactly_that_wide_and_fields_go_lowest_priority_first(width):
    row = model().text(width, 12)
    assert "\n" not in row and text_width(row) == width
    kept = shown(row)
    if not kept:  # only the channel's start fits
        assert row.rstrip() in ("…", "D…", "De…", "Des…", "Desk…", "DeskF…", "DeskFo…")
        return
    assert kept[0] == "channel"
    # Whatever is shown outranks whatever is not: the kept fields are a prefix of the priority order.
    ranks = sorted(PRIORITY[f.key] for f in fields(BUSY, 12, NOW))
    assert sorted(PRIORITY[k] for k in kept) == ranks[:len(kept)]


def test_the_last_to_go_are_the_channel_the_held_and_automod_counts_and_reconnecting():
    state = HeaderState(channel="DeskFox", live=True, started_at=NOW - 60, viewers=5, modes=ALL_MODES, held=3,
                        automod=2, link="reconnecting")
    assert render(state, 42, 0, NOW, False) == "DeskFox  3 held · 2 AutoMod · reconnecting"
    assert render(state, 41, 0, NOW, False).split() == ["DeskFox", "3", "held", "·", "2", "AutoMod"]
    assert render(state, 20, 0, NOW, False).split() == ["DeskFox", "3", "held"]
    assert render(state, 7, 0, NOW, False) == "DeskFox"
    assert render(state, 4, 0, NOW, False) == "Des…"


def test_priority_order_is_stated_and_total():
    assert list(PRIORITY)[:4] == ["channel", "held", "automod", "reconnecting"]
    assert len(set(PRIORITY.values())) == len(PRIORITY)


def test_a_name_from_twitch_is_sanitized_and_measured_in_columns():
    m = model(HeaderState(channel="\x1b[2J\x1b]0;pwned\x07ちいさな\u202eFox\r\n", live=False))
    row = m.text(30)
    assert "\x1b" not in row and "\x07" not in row and "\u202e" not in row and "\r" not in row and "\n" not in row
    assert row.startswith("ちいさなFox · ○ offline") and text_width(row) == 30
    colored = model(HeaderState(channel="\x1b[31mEvil"), color=True).text(30)
    assert "\x1b[31m" not in colored and "Evil" in colored


def test_colours_only_with_color_and_never_wider():
    plain = model().text(120, 3)
    painted = model(color=True).text(120, 3)
    assert not SGR.search(plain) and SGR.search(painted)
    assert SGR.sub("", painted) == plain


def test_live_offline_unknown_and_stale():
    assert render(HeaderState(channel="a"), 40, 0, NOW, False).split() == ["a", "connecting"]
    assert "○ offline" in render(HeaderState(channel="a", live=False), 40, 0, NOW, False)
    live = HeaderState(channel="a", live=True, started_at=NOW - 59, viewers=1)
    assert "● live 0m · 1 viewer " in render(live, 60, 0, NOW, False)
    stale = HeaderState(channel="a", live=True, started_at=NOW - 7_200, viewers=12, stale=True)
    assert "● live 2h00m · 12 viewers (stale)" in render(stale, 80, 0, NOW, False)
    assert "stream unknown (Twitch not answering)" in render(HeaderState(channel="a", stale=True), 80, 0, NOW, False)


def test_connection_states():
    def link(**kw):
        return render(HeaderState(channel="a", **kw), 60, 0, NOW, False).split("  ")[-1].strip()

    assert link(link="connecting") == "connecting"
    assert link(link="subscribing", subscribed=3, wanted=52) == "subscribing 3/52"
    assert link(link="connected", subscribed=52, wanted=52) == "connected"
    assert link(link="connected", subscribed=28, wanted=52) == "subscribed 28/52"
    assert link(link="reconnecting", subscribed=52, wanted=52) == "reconnecting"
    old_gap = (NOW - 3_600, NOW - 3_000)  # shown for ten minutes after it ended
    assert link(link="connected", subscribed=1, wanted=1, gap=old_gap) == "connected"


def test_on_change_only_when_something_changed_and_never_under_the_lock():
    calls = []
    m = HeaderModel(color=False, wall=lambda: NOW)
    m.on_change = lambda: calls.append(m.snapshot())  # snapshot takes the lock: a call under it would deadlock
    assert m.update(held=2) and not m.update(held=2) and m.update(held=0)
    assert [s.held for s in calls] == [2, 0]


def test_writers_and_readers_on_many_threads():
    m = HeaderModel(color=False, wall=lambda: NOW)
    start = threading.Barrier(4)

    def write(field):
        start.wait()
        for k in range(2_000):
            m.update(**{field: k})

    def read(rows):
        start.wait()
        for _ in range(500):
            rows.append(m.text(80, 1))

    rows: list[str] = []
    workers = [threading.Thread(target=write, args=(f,)) for f in ("held", "automod", "viewers")]
    workers.append(threading.Thread(target=read, args=(rows,)))
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    s = m.snapshot()
    assert (s.held, s.automod, s.viewers) == (1_999, 1_999, 1_999)
    assert all(text_width(r) == 80 for r in rows)


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (30, "30s"), (90, "1m30s"), (600, "10m"), (3_600, "1h"),
                                           (5_400, "90m"), (5_430, "1h30m"), (86_400, "1d"), (7_776_000, "90d")])
def test_short_durations(seconds, text):
    assert short(seconds) == text


def test_uptime():
    assert [uptime(s) for s in (-5, 59, 60, 3_599, 3_600, 36_061)] == ["0m", "0m", "1m", "59m", "1h00m", "10h01m"]


def test_the_rows_in_docs_screen_md_are_what_the_header_draws():
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "screen.md").read_text(encoding="utf-8")
    section = doc.split("## The header (screen mode)")[1].split("```text\n")[1].split("```")[0]
    state = HeaderState(channel="DeskFox", live=True, started_at=NOW - 3_723, viewers=309, shield=True, held=3,
                        automod=2, link="connected", subscribed=52, wanted=52,
                        modes=ChatSettings(False, True, 10, True, 30, False, False))
    assert section.splitlines() == [render(state, 110, 12, NOW, False), render(state, 60, 12, NOW, False)]
    raid = HeaderState(channel="DeskFox", live=True, started_at=NOW - 60, viewers=5, modes=ALL_MODES, held=3,
                       automod=2, link="reconnecting")
    assert f"At 42 columns a raid reads `{render(raid, 42, 0, NOW, False)}`" in doc.replace("\n", " ")
