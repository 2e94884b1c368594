"""focus against the simulated Twitch over real sockets: the happy path."""

from __future__ import annotations

from focuslib.sim import payloads as P
from focuslib.sim import payloads_chat as N
from focuslib.subscriptions import desired

from conftest import ESC


def test_chat_follow_and_sub_reach_the_screen_in_order(sim, start_focus):
    focus = start_focus()
    wanted = sorted(spec.type for spec in desired("1", "1"))
    session = sim.wait_subscribed(len(wanted))
    kinds = sorted(sub["type"] for sub in session.subscriptions.values())
    assert kinds == wanted
    sim.notify("channel.chat.message", P.chat_message(("1", "ann", "Ann"), "hello there", color="#FF0000"))
    sim.notify("channel.follow", P.follow(("2", "bob", "Bob")))
    sim.notify("channel.chat.notification", N.sub(("3", "cy", "Cy"), "2000"))
    sim.notify("channel.chat.notification", N.sub_gift(("1", "ann", "Ann"), ("4", "di", "Di")))
    focus.out.wait_text("Ann gifted a T1 sub to Di")
    focus.out.wait_text(f"-- subscribed {len(wanted)}/{len(wanted)}")
    lines = focus.out.lines()
    shown = [line for line in lines if not line.startswith("-- ")]
    assert shown[0].endswith("Ann: hello there")
    assert shown[1].endswith("♥ Bob followed")
    assert shown[2].endswith("★ Cy subscribed at T2")
    assert f"-- subscribed {len(wanted)}/{len(wanted)}" in lines
    assert not ESC.search(focus.out.text)  # not a terminal and color auto: plain
    assert focus.stop() == 0
