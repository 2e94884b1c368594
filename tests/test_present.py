"""The presenter: groups, one line per fact, flood collapse, gift bombs, throttled progress, alerts.

Driven with parsed payloads and explicit monotonic times (the presenter is pure
state plus the terminal writer, which writes to a StringIO here).
"""

from __future__ import annotations

import io

import pytest

from focuslib.view.collapse import FloodGate, GiftBombs, Throttle
from focuslib.twitch.events import parse_event
from focuslib.view.present import Presenter
from focuslib.view.render import ColorMode, Renderer
from focuslib.sim import payloads
from focuslib.sim import payloads_channel
from focuslib.sim import payloads_chat
from focuslib.sim import payloads_community
from focuslib.twitch.subscriptions import desired
from focuslib.view.terminal import Terminal

from cases import HERON, MOSS, OTTER

ALL_TYPES = frozenset(spec.type for spec in desired("1", "1"))


class Screen:
    def __init__(self, **kw) -> None:
        self.out = io.StringIO()
        self.terminal = Terminal(self.out, fancy=False)
        self.presenter = Presenter(Renderer(ColorMode.NONE, timestamps=False), self.terminal, **kw)

    def show(self, stype: str, payload: dict, now: float = 0.0) -> None:
        self.presenter.show(parse_event(stype, "1", payload), now)
        self.terminal.flush()

    def tick(self, now: float) -> None:
        self.presenter.tick(now)
        self.terminal.flush()

    @property
    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()


def viewer(n: int) -> tuple[str, str, str]:
    return (str(9000 + n), f"viewer_{n}", f"Viewer_{n}")


# -- follow floods ---------------------------------------------------------------------

def test_follows_beyond_five_in_ten_seconds_collapse_into_one_line_per_interval() -> None:
    s = Screen()
    for k in range(40):
        s.show("channel.follow", payloads.follow(viewer(k)), now=k * 0.2)  # 40 follows in 8 s
    assert s.lines == [f"♥ Viewer_{k} followed" for k in range(5)]
    assert s.presenter.deadline() == pytest.approx(1.0 + 10.0)  # the 6th follow opened the interval
    s.tick(10.9)
    assert len(s.lines) == 5  # not yet
    s.tick(11.0)
    summary = s.lines[5]
    assert summary.startswith("♥ 35 follows in 10 s: Viewer_5, Viewer_6, ")
    assert summary.endswith("…") and len(s.lines) == 6
    s.tick(21.0)  # a quiet interval ends the flood: nothing to say, back to normal
    assert len(s.lines) == 6 and s.presenter.deadline() is None
    s.show("channel.follow", payloads.follow(viewer(99)), now=30.0)
    assert s.lines[-1] == "♥ Viewer_99 followed"


def test_a_slow_stream_of_follows_is_never_collapsed() -> None:
    s = Screen()
    for k in range(20):
        s.show("channel.follow", payloads.follow(viewer(k)), now=k * 2.1)
    assert len(s.lines) == 20 and s.presenter.deadline() is None


def test_flood_gate_keeps_collapsing_while_the_flood_lasts() -> None:
    gate: FloodGate[int] = FloodGate(limit=2, window=10)
    assert [gate.add(k, float(k)) for k in range(4)] == [True, True, False, False]
    assert gate.due(11.9) == [] and gate.due(12.0) == [2, 3]
    assert not gate.add(4, 13.0)  # still collapsing in the next interval
    assert gate.due(22.0) == [4] and gate.collapsing
    assert gate.due(32.0) == [] and not gate.collapsing


# -- gift bombs ----------------------------------------------------------------------

def test_a_gift_bomb_is_one_line_plus_one_line_of_recipients() -> None:
    s = Screen()
    recipients = [viewer(k) for k in range(5)]
    for event in payloads_chat.gift_bomb(MOSS, recipients, gift_id="bomb-1"):
        s.show("channel.chat.notification", event, now=1.0)
    assert s.lines == ["[GIFT] ✦ Mossy_Lantern is gifting 5 T1 subs to the community (23 gifted in total)",
                       "✦ → Viewer_0, Viewer_1, Viewer_2, Viewer_3, Viewer_4"]
    assert s.presenter.deadline() is None  # complete: nothing waits


@pytest.mark.parametrize("event_first", [True, False])
def test_a_gifters_total_from_channel_subscription_gift_shows_when_the_notice_lacks_it(event_first: bool) -> None:
    """The notice is the line shown and its channel.subscription.gift twin never is: the twin's cumulative
    total was lost.  It goes on the bomb's first line if it came first, else on the recipients' line."""
    s = Screen()
    recipients = [viewer(k) for k in range(2)]
    notice, *gifts = payloads_chat.gift_bomb(MOSS, recipients, gift_id="bomb-2")
    notice["community_sub_gift"]["cumulative_total"] = None  # a notice without it
    twin = payloads_channel.subscription_gift(MOSS, 2, cumulative_total=40)
    steps = [("channel.subscription.gift", twin), ("channel.chat.notification", notice)]
    for stype, event in (steps if event_first else steps[::-1]):
        s.show(stype, event, now=1.0)
    for event in gifts:
        s.show("channel.chat.notification", event, now=1.0)
    s.tick(10.0)
    assert s.lines == (["[GIFT] ✦ Mossy_Lantern is gifting 2 T1 subs to the community (40 gifted in total)",
                        "✦ → Viewer_0, Viewer_1"] if event_first else
                       ["[GIFT] ✦ Mossy_Lantern is gifting 2 T1 subs to the community",
                        "✦ → Viewer_0, Viewer_1 (40 gifted in total)"])


def test_gift_bomb_recipients_are_grouped_by_community_gift_id_even_interleaved() -> None:
    s = Screen()
    a = payloads_chat.gift_bomb(MOSS, [viewer(1), viewer(2)], gift_id="A")
    b = payloads_chat.gift_bomb(None, [viewer(3), viewer(4), viewer(5)], gift_id="B", tier="2000")
    for event in (a[0], b[0], a[1], b[1], b[2], a[2], b[3]):
        s.show("channel.chat.notification", event)
    assert s.lines == ["[GIFT] ✦ Mossy_Lantern is gifting 2 T1 subs to the community (23 gifted in total)",
                       "[GIFT] ✦ An anonymous gifter is gifting 3 T2 subs to the community",
                       "✦ → Viewer_1, Viewer_2", "✦ → Viewer_3, Viewer_4, Viewer_5"]


def test_a_bomb_whose_recipients_stop_coming_is_shown_at_its_deadline() -> None:
    s = Screen(gift_wait=5.0)
    bomb = payloads_chat.gift_bomb(MOSS, [viewer(1), viewer(2), viewer(3)], gift_id="C")
    s.show("channel.chat.notification", bomb[0], now=0.0)
    s.show("channel.chat.notification", bomb[1], now=1.0)
    assert len(s.lines) == 1 and s.presenter.deadline() == 6.0
    s.tick(6.0)
    assert s.lines[1] == "✦ → Viewer_1 (+2 not shown by Twitch)"


def test_recipients_before_their_bomb_still_make_one_bomb() -> None:
    s = Screen()
    bomb = payloads_chat.gift_bomb(MOSS, [viewer(1), viewer(2)], gift_id="D")
    for event in (bomb[1], bomb[2], bomb[0]):
        s.show("channel.chat.notification", event)
    assert s.lines == ["[GIFT] ✦ Mossy_Lantern is gifting 2 T1 subs to the community (23 gifted in total)",
                       "✦ → Viewer_1, Viewer_2"]


def test_lost_bomb_notice_still_shows_gifter_and_recipients_at_the_deadline() -> None:
    bombs = GiftBombs(wait=2.0)
    assert bombs.recipient("E", "v1", "gifter", "1000", 0.0) is None
    assert bombs.deadline() == 2.0 and bombs.due(1.9) == []
    (bomb,) = bombs.due(2.0)
    assert (bomb.gifter, bomb.recipients, bomb.announced) == ("gifter", ["v1"], False)
    s = Screen()
    s.show("channel.chat.notification", payloads_chat.sub_gift(MOSS, viewer(1), community_gift_id="F"), now=0.0)
    assert s.lines == []
    s.tick(5.0)
    assert s.lines == ["[GIFT] ✦ Mossy_Lantern gifted a T1 sub", "✦ → Viewer_1"]


def test_the_same_bomb_from_three_subscriptions_is_shown_once() -> None:
    # Twitch reports a bomb as channel.subscription.gift, a gifted channel.subscribe
    # per recipient, and the chat notices; the notices are the source of truth.
    s = Screen(types=ALL_TYPES)
    recipients = [viewer(1), viewer(2)]
    s.show("channel.subscription.gift", payloads_channel.subscription_gift(MOSS, 2, cumulative_total=23))
    for r in recipients:
        s.show("channel.subscribe", payloads.subscribe(r, is_gift=True))
    for event in payloads_chat.gift_bomb(MOSS, recipients, gift_id="G"):
        s.show("channel.chat.notification", event)
    assert s.lines == ["[GIFT] ✦ Mossy_Lantern is gifting 2 T1 subs to the community (23 gifted in total)",
                       "✦ → Viewer_1, Viewer_2"]


def test_without_notifications_the_gift_subscriptions_make_the_bomb() -> None:
    s = Screen(types=ALL_TYPES - {"channel.chat.notification"})
    s.show("channel.subscription.gift", payloads_channel.subscription_gift(MOSS, 2), now=0.0)
    s.show("channel.subscribe", payloads.subscribe(viewer(1), is_gift=True), now=0.1)
    s.show("channel.subscribe", payloads.subscribe(viewer(2), is_gift=True), now=0.2)
    s.show("channel.subscribe", payloads.subscribe(viewer(3), is_gift=True), now=0.3)  # a gift from elsewhere
    assert s.lines == ["[GIFT] ✦ Mossy_Lantern is gifting 2 T1 subs to the community",
                       "✦ → Viewer_1, Viewer_2", "✦ Viewer_3 received a gifted T1 sub"]


# -- one fact, one line ------------------------------------------------------------------

@pytest.mark.parametrize("frames", [
    [("channel.subscribe", payloads.subscribe(OTTER)), ("channel.chat.notification", payloads_chat.sub(OTTER))],
    [("channel.subscription.message", payloads_channel.subscription_message(OTTER, "hi", 5)),
     ("channel.chat.notification", payloads_chat.resub(OTTER, 5, text="hi"))],
    [("channel.raid", payloads_channel.raid(HERON, 9)), ("channel.chat.notification", payloads_chat.raid(HERON, 9))],
    [("channel.chat.message", payloads.chat_message(OTTER, "Cheer100 hi")),
     ("channel.cheer", payloads_channel.cheer(OTTER, 100, "x"))],
    [("channel.ban", payloads_channel.ban(OTTER, MOSS, "spam", 10)),
     ("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(OTTER))],
    [("channel.channel_points_custom_reward_redemption.add", payloads_channel.redemption(HERON, "Ask", 10, "why?")),
     ("channel.chat.message", payloads.chat_message(HERON, "why?", reward_id="r1"))],
], ids=["sub", "resub", "raid", "cheer", "ban", "reward-message"])
def test_a_fact_reported_twice_is_shown_once(frames) -> None:
    s = Screen(types=ALL_TYPES)
    for stype, payload in frames:
        s.show(stype, payload)
    assert len(s.lines) == 1, s.lines


@pytest.mark.parametrize("stype,payload,needs", [
    ("channel.subscribe", payloads.subscribe(OTTER), "channel.chat.notification"),
    ("channel.raid", payloads_channel.raid(HERON, 9), "channel.chat.notification"),
    ("channel.cheer", payloads_channel.cheer(OTTER, 100, "x"), "channel.chat.message channel.bits.use"),
    ("channel.bits.use", payloads_community.bits_use(OTTER, 100, "cheer", "x"), "channel.chat.message"),
    ("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(OTTER), "channel.ban"),
], ids=["sub", "raid", "cheer", "bits-use", "clear-user"])
def test_the_other_source_is_shown_when_the_preferred_one_is_not_subscribed(stype, payload, needs) -> None:
    s = Screen(types=ALL_TYPES - set(needs.split()))
    s.show(stype, payload)
    assert len(s.lines) == 1


def test_notice_kinds_follow_their_event_group() -> None:
    s = Screen(groups=frozenset({"chat"}))
    s.show("channel.chat.notification", payloads_chat.sub(OTTER))
    s.show("channel.chat.notification", payloads_chat.raid(HERON, 3))
    s.show("channel.chat.notification", payloads_chat.announcement(MOSS, "hello"))
    assert s.lines == ["▸ announcement Mossy_Lantern: hello"]


# -- progress throttling -----------------------------------------------------------------

def test_progress_updates_are_throttled_and_the_end_wins() -> None:
    s = Screen(progress_interval=10.0)
    s.show("channel.poll.begin", payloads_channel.poll("begin", "Q?", [("A", 0), ("B", 0)]), now=0.0)
    for k in range(1, 6):
        s.show("channel.poll.progress", payloads_channel.poll("progress", "Q?", [("A", k), ("B", 0)]), now=float(k))
    assert [line.split(" — ")[1] for line in s.lines] == ["A / B (2 min)", "A 100% · B 0%"]
    s.tick(11.0)  # the latest update waited for its turn
    assert s.lines[-1].endswith("A 100% · B 0%") and len(s.lines) == 3
    s.show("channel.poll.progress", payloads_channel.poll("progress", "Q?", [("A", 6), ("B", 6)]), now=12.0)
    s.show("channel.poll.end", payloads_channel.poll("end", "Q?", [("A", 6), ("B", 7)], "completed"), now=13.0)
    assert s.presenter.deadline() is None  # the held update is stale once the poll ended
    assert s.lines[-1].startswith("▤ Poll ended: Q? — B wins with 7 votes")


def test_throttle_keeps_the_latest_update_per_key() -> None:
    th: Throttle[str] = Throttle(interval=5)
    assert th.add("x", "1", 0.0) and not th.add("x", "2", 1.0) and not th.add("x", "3", 2.0)
    assert th.add("y", "a", 2.0)
    assert th.deadline() == 5.0 and th.due(5.0) == ["3"] and th.deadline() is None


# -- alerts ------------------------------------------------------------------------------

@pytest.mark.parametrize("stype,payload,alert", [
    ("channel.chat.notification", payloads_chat.raid(HERON, 50), True),
    ("channel.chat.notification", payloads_chat.sub(OTTER), True),
    ("channel.chat.message", payloads.chat_message(OTTER, "hi all", message_type="user_intro"), True),
    ("channel.chat.message", payloads.chat_message(OTTER, "hey @DeskFox"), True),
    ("channel.chat.message", payloads.chat_message(OTTER, "hey @someone_else"), False),
    ("channel.follow", payloads.follow(OTTER), False),
    ("channel.chat.notification", payloads_chat.shared(payloads_chat.raid(HERON, 50), ("5", "other", "Other")), False),
], ids=["raid", "sub", "first-chat", "mention", "other-mention", "follow", "shared-raid"])
@pytest.mark.parametrize("bell", [True, False])
def test_alerts_ring_the_bell_only_when_asked(stype, payload, alert, bell) -> None:
    s = Screen(bell=bell)
    s.show(stype, payload)
    assert ("\a" in s.out.getvalue()) == (alert and bell)
    assert s.lines[0].startswith("[") == alert


def test_a_big_bomb_lists_what_fits_on_one_row_and_counts_the_rest() -> None:
    out = io.StringIO()
    terminal = Terminal(out, fancy=False)
    presenter = Presenter(Renderer(ColorMode.NONE, timestamps=False, width=60), terminal)
    for event in payloads_chat.gift_bomb(MOSS, [viewer(k) for k in range(30)], gift_id="big"):
        presenter.show(parse_event("channel.chat.notification", "1", event), 0.0)
    terminal.flush()
    recipients = out.getvalue().splitlines()[-1]
    assert recipients.startswith("✦ → Viewer_0, Viewer_1, ") and recipients.endswith(" more")
    shown = recipients.count("Viewer_")
    assert recipients.endswith(f" and {30 - shown} more") and len(recipients) <= 60


def test_the_docs_explain_every_symbol_focus_draws() -> None:
    """docs/screen.md > Reading a line lists each event's symbol (`◈` shield mode and `✉` unban requests were
    missing)."""
    from pathlib import Path

    from focuslib.view.style import STYLES

    doc = (Path(__file__).resolve().parent.parent / "docs" / "screen.md").read_text()
    table = doc[doc.index("## Reading a line"):doc.index("## Floods and duplicates")]
    missing = [kind for kind, (symbol, _) in STYLES.items() if symbol and f"`{symbol}`" not in table]
    assert missing == []
