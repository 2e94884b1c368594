"""Twins: a moment Twitch reports through two subscriptions gets exactly one line, never none.

Each kind (sub, resub, gift, anonymous gift, gift bomb, raid, and the cheer
with each of its poorer reports: channel.cheer, channel.bits.use, both, and an
anonymous cheer)
is played with only the poorer report (the channel.* events), only the richer
one (the chat notice or chat message), both in either order, and two users'
moments interleaved.  The presenter is driven with explicit monotonic times,
like tests/test_present.py.
"""

from __future__ import annotations

import pytest

from focuslib.sim import payloads
from focuslib.sim import payloads_channel
from focuslib.sim import payloads_chat
from focuslib.sim import payloads_community
from focuslib.sim.triggers import ANONYMOUS_CHEERER
from focuslib.view.twins import WINDOW, Twins

from cases import HERON, MOSS, OTTER
from test_present import ALL_TYPES, Screen

NOTICE = "channel.chat.notification"
Frames = list[tuple[str, dict]]


def sub(who) -> tuple[Frames, Frames]:
    return [("channel.subscribe", payloads.subscribe(who))], [(NOTICE, payloads_chat.sub(who))]


def resub(who) -> tuple[Frames, Frames]:
    return ([("channel.subscription.message", payloads_channel.subscription_message(who, "still here", 5))],
            [(NOTICE, payloads_chat.resub(who, 5, text="still here"))])


def cheer(who) -> tuple[Frames, Frames]:
    return ([("channel.cheer", payloads_channel.cheer(who, 100, "Cheer100 coffee"))],
            [("channel.chat.message", payloads.chat_message(who, "Cheer100 coffee"))])


def bits_use(who) -> tuple[Frames, Frames]:
    return ([("channel.bits.use", payloads_community.bits_use(who, 100, "cheer", "Cheer100 coffee"))],
            [("channel.chat.message", payloads.chat_message(who, "Cheer100 coffee"))])


def cheer_thrice(who) -> tuple[Frames, Frames]:
    """A cheer as Twitch sends it with every subscription: channel.bits.use, channel.cheer and chat."""
    return ([("channel.bits.use", payloads_community.bits_use(who, 100, "cheer", "Cheer100 coffee")),
             ("channel.cheer", payloads_channel.cheer(who, 100, "Cheer100 coffee"))],
            [("channel.chat.message", payloads.chat_message(who, "Cheer100 coffee"))])


def anonymous_cheer(who) -> tuple[Frames, Frames]:
    """Anonymous: no user in channel.cheer or channel.bits.use; chat has Twitch's AnAnonymousCheerer."""
    bits = 100 if who == OTTER else 200  # two anonymous cheers told apart by their amount
    return ([("channel.bits.use", payloads_community.bits_use(None, bits, "cheer", f"Cheer{bits}")),
             ("channel.cheer", payloads_channel.cheer(None, bits, f"Cheer{bits}"))],
            [("channel.chat.message", payloads.chat_message(ANONYMOUS_CHEERER, f"Cheer{bits}"))])


def raid(who) -> tuple[Frames, Frames]:
    return [("channel.raid", payloads_channel.raid(who, 40))], [(NOTICE, payloads_chat.raid(who, 40))]


def gift(who) -> tuple[Frames, Frames]:
    return ([("channel.subscription.gift", payloads_channel.subscription_gift(who, 1)),
             ("channel.subscribe", payloads.subscribe(HERON, is_gift=True))],
            [(NOTICE, payloads_chat.sub_gift(who, HERON))])


def anonymous_gift(who) -> tuple[Frames, Frames]:
    """Anonymous: no gifter in channel.subscription.gift, chatter_is_anonymous in the notice."""
    recipient = HERON if who == OTTER else ("81230009", "quiet_quail", "QuietQuail")
    return ([("channel.subscription.gift", payloads_channel.subscription_gift(None, 1)),
             ("channel.subscribe", payloads.subscribe(recipient, is_gift=True))],
            [(NOTICE, payloads_chat.sub_gift(None, recipient))])


def bomb(who) -> tuple[Frames, Frames]:
    recipients = [("9001", "v_1", "V_1"), ("9002", "v_2", "V_2")]
    return ([("channel.subscription.gift", payloads_channel.subscription_gift(who, 2))]
            + [("channel.subscribe", payloads.subscribe(r, is_gift=True)) for r in recipients],
            [(NOTICE, e) for e in payloads_chat.gift_bomb(who, recipients, gift_id=f"bomb-{who[0]}")])


KINDS = {"sub": sub, "resub": resub, "cheer": cheer, "bits-use": bits_use, "cheer-thrice": cheer_thrice,
         "cheer-anonymous": anonymous_cheer, "raid": raid, "gift": gift, "gift-anonymous": anonymous_gift,
         "bomb": bomb}
CHAT = "channel.chat.message"
RICH = {"sub": NOTICE, "resub": NOTICE, "cheer": CHAT, "bits-use": CHAT, "cheer-thrice": CHAT,
        "cheer-anonymous": CHAT, "raid": NOTICE, "gift": NOTICE, "gift-anonymous": NOTICE, "bomb": NOTICE}
CHEERS = ("cheer", "bits-use", "cheer-thrice", "cheer-anonymous")


def play(frames: Frames, *, types=ALL_TYPES, now: float = 0.0, end: float = 60.0) -> list[str]:
    s = Screen(types=types)
    for stype, payload in frames:
        s.show(stype, payload, now=now)
    s.tick(end)
    return s.lines


def alone(frames: Frames, without: str) -> list[str]:
    """What these reports show when their twin's subscription does not exist (no waiting at all)."""
    return play(frames, types=ALL_TYPES - {without})


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_event_is_shown_when_the_window_ends(kind) -> None:
    events, _ = KINDS[kind](OTTER)
    s = Screen(types=ALL_TYPES)
    for stype, payload in events:
        s.show(stype, payload, now=10.0)
    assert s.lines == []  # waiting for the richer twin
    assert s.presenter.deadline() == pytest.approx(10.0 + WINDOW)
    s.tick(10.0 + WINDOW - 0.01)
    assert s.lines == []
    s.tick(10.0 + WINDOW)
    s.tick(60.0)  # a gift's recipients line waits for its bomb's own deadline
    assert s.lines == alone(events, RICH[kind]) and s.lines  # the same line(s) as with no twin at all


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_notice_is_shown_at_once(kind) -> None:
    _, notices = KINDS[kind](OTTER)
    s = Screen(types=ALL_TYPES)
    for stype, payload in notices:
        s.show(stype, payload, now=0.0)
    assert s.lines and s.presenter.deadline() is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("order", ["event-first", "notice-first"])
def test_both_twins_in_either_order_make_one_line(kind, order) -> None:
    events, notices = KINDS[kind](OTTER)
    frames = events + notices if order == "event-first" else notices + events
    s = Screen(types=ALL_TYPES)
    for k, (stype, payload) in enumerate(frames):
        s.show(stype, payload, now=k * 0.2)
    s.tick(60.0)
    assert s.lines == play(notices)  # the richer twin's line(s), exactly once
    assert s.presenter.deadline() is None


@pytest.mark.parametrize("kind", KINDS)
def test_a_twin_later_than_the_window_is_still_dropped(kind) -> None:
    events, notices = KINDS[kind](OTTER)
    s = Screen(types=ALL_TYPES)
    for stype, payload in events:
        s.show(stype, payload, now=0.0)
    s.tick(WINDOW)
    s.tick(15.0)
    shown = list(s.lines)
    for stype, payload in notices:  # 20 s late: within the 30 s a shown moment is remembered
        s.show(stype, payload, now=20.0)
    if kind not in CHEERS:  # a chat message is chat: always shown, its cheer is not repeated
        assert s.lines == shown
    else:
        assert s.lines[:-1] == shown and "cheered" not in s.lines[-1]


@pytest.mark.parametrize("kind", KINDS)
def test_two_users_moments_interleaved_are_paired_by_user_not_by_order(kind) -> None:
    a_events, a_notices = KINDS[kind](OTTER)
    b_events, b_notices = KINDS[kind](MOSS)
    s = Screen(types=ALL_TYPES)
    # Otter's event, then Moss's event, then only Moss's notice: Otter's moment has no twin.
    for stype, payload in a_events + b_events + b_notices:
        s.show(stype, payload, now=0.5)
    s.tick(60.0)
    expected = play(b_notices) + alone(a_events, RICH[kind])
    if kind != "bomb":
        assert sorted(s.lines) == sorted(expected)
    else:
        assert len(s.lines) == len(expected)
    if kind not in ("cheer-anonymous", "gift-anonymous"):
        assert all("Pixel_Otter" in line or "Mossy_Lantern" in line or "→" in line for line in s.lines)


def test_a_notice_without_a_richer_source_subscribed_shows_the_event_at_once() -> None:
    events, _ = sub(OTTER)
    s = Screen(types=ALL_TYPES - {NOTICE})
    s.show(*events[0], now=0.0)
    assert len(s.lines) == 1 and s.presenter.deadline() is None


def test_the_same_users_two_equal_cheers_are_two_moments() -> None:
    events, chats = cheer(OTTER)
    s = Screen(types=ALL_TYPES)
    s.show(*chats[0], now=0.0)
    s.show(*chats[0], now=0.1)
    s.show(*events[0], now=0.2)
    s.show(*events[0], now=0.3)
    s.tick(10.0)
    assert len(s.lines) == 2  # two chat lines, both cheer events were their twins
    s.show(*events[0], now=11.0)  # a third cheer: no chat twin yet, shown when the window ends
    s.tick(11.0 + WINDOW)
    assert len(s.lines) == 3 and "Pixel_Otter" in s.lines[-1] and "100" in s.lines[-1]


def test_shared_chat_notices_are_nobody_s_twin() -> None:
    s = Screen(types=ALL_TYPES)
    s.show(NOTICE, payloads_chat.shared(payloads_chat.sub(OTTER), ("5", "other", "Other")), now=0.0)
    s.show("channel.subscribe", payloads.subscribe(OTTER), now=0.1)
    s.tick(10.0)
    assert len(s.lines) == 2  # the other channel's sub, and ours after the window


def test_twins_forget_shown_moments_after_their_memory() -> None:
    tw = Twins(window=1.0, memory=5.0)
    assert tw.report(("k",), "rich", 0, 0, "R", 0.0)
    assert not tw.report(("k",), "poor", 1, 0, "P", 1.0)  # its twin: dropped
    assert tw.report(("k",), "rich", 0, 0, "R2", 2.0)  # a second moment with the same key
    assert not tw.report(("k",), "poor", 1, 0, "P2", 10.0)  # held: the first two were forgotten
    assert tw.deadline() == 11.0 and tw.due(11.0) == ["P2"]


def test_flush_shows_every_moment_still_waiting_for_its_twin() -> None:
    s = Screen(types=ALL_TYPES)
    for kind in ("sub", "raid", "cheer-anonymous", "gift"):
        for stype, payload in KINDS[kind](OTTER)[0]:
            s.show(stype, payload, now=1.0)
    assert s.lines == [] and s.presenter.deadline() is not None
    s.presenter.flush(1.1)  # focus stops long before the window ends
    s.terminal.flush()
    assert len(s.lines) == 5 and s.presenter.deadline() is None  # the gift is a bomb line plus its recipient
    assert sum("cheered 100 bits" in line for line in s.lines) == 1  # one line per moment, not per report


def test_moments_held_for_their_twin_are_shown_when_focus_stops(sim, start_focus) -> None:
    from test_channel import ALL, END

    focus = start_focus(timestamps=False, twin_window=3600.0)  # an hour's window: only the stop can show them
    sim.wait_subscribed(ALL)
    sim.notify("channel.subscribe", payloads.subscribe(OTTER))  # its chat notice never comes
    sim.notify("channel.cheer", payloads_channel.cheer(None, 5, "Cheer5"))  # nor this anonymous cheer's chat message
    sim.notify("channel.chat.message", payloads.chat_message(END, "frames are handled in order"))
    focus.out.wait_text("StageManager: frames are handled in order")
    assert "Pixel_Otter subscribed" not in focus.out.text and "cheered" not in focus.out.text  # both are held
    assert focus.stop() == 0
    shown = focus.out.lines()
    held = ["[SUB] ★ Pixel_Otter subscribed at T1", "♦ An anonymous cheerer cheered 5 bits: Cheer5"]
    at = shown.index(held[0])
    assert shown[at:at + 2] == held and at > shown.index("StageManager: frames are handled in order")
    assert all(line not in held for line in shown[at + 2:])  # once each; below them only the recap
