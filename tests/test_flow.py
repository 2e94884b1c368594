"""focus against the simulated Twitch over real sockets: the happy path."""

from __future__ import annotations

from focuslib.sim import payloads as P

from conftest import ESC


def test_chat_follow_and_sub_reach_the_screen_in_order(sim, start_focus):
    focus = start_focus()
    session = sim.wait_subscribed(3)
    kinds = sorted(sub["type"] for sub in session.subscriptions.values())
    assert kinds == ["channel.chat.message", "channel.follow", "channel.subscribe"]
    sim.notify("channel.chat.message", P.chat_message(("1", "ann", "Ann"), "hello there", color="#FF0000"))
    sim.notify("channel.follow", P.follow(("2", "bob", "Bob")))
    sim.notify("channel.subscribe", P.subscribe(("3", "cy", "Cy"), "2000"))
    sim.notify("channel.subscribe", P.subscribe(("4", "di", "Di"), "1000", is_gift=True))
    focus.out.wait_text("Di received a gifted T1 sub")
    focus.out.wait_text("-- subscribed 3/3")
    lines = focus.out.lines()
    shown = [line for line in lines if not line.startswith("-- ")]
    assert shown[0].endswith("Ann: hello there")
    assert shown[1].endswith("♥ Bob followed")
    assert shown[2].endswith("★ Cy subscribed at T2")
    assert "-- subscribed 3/3" in lines
    assert not ESC.search(focus.out.text)  # not a terminal and color auto: plain
    assert focus.stop() == 0
