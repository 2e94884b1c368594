"""The recap's bits end to end: focus against the simulated Twitch, a scripted stream, the recap printed at stop.

A cheer comes as its chat message, as channel.bits.use (type cheer) and as channel.cheer: it counts once.
Power-ups and combos come only as channel.bits.use (a message effect also decorates a chat message, without
bits): they add.
"""

from __future__ import annotations

import pytest

from focuslib.sim import payloads_community
from focuslib.sim import triggers

from conftest import N_SUBS
from test_history_flow import ANN, say

STREAMS = {
    "cheers only": ([*triggers.cheer(triggers.OTTER, 100, "for the coffee fund"),
                     *triggers.cheer(None, 50, "from nobody")],
                    "150"),
    "power-ups only": ([*triggers.power_up(triggers.KATZE, 50, "message_effect", "this one sparkles SeemsGood"),
                        *triggers.power_up(triggers.MOSS, 500, "celebration"),
                        ("channel.bits.use", payloads_community.bits_use(triggers.HERON, 5, "combo"))],
                       "555 on power-ups and combos"),
    "both": ([*triggers.cheer(triggers.OTTER, 100, "for the coffee fund"),
              *triggers.power_up(triggers.OTTER, 100, "gigantify_an_emote", emote="PogChamp"),
              ("channel.bits.use", payloads_community.bits_use(triggers.HERON, 5, "combo"))],
             "205 (100 cheered, 105 on power-ups and combos)"),
}


@pytest.mark.parametrize("stream", STREAMS)
def test_the_recap_counts_each_cheer_once_and_adds_the_bits_of_power_ups_and_combos(sim, start_focus, stream):
    frames, bits = STREAMS[stream]
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(N_SUBS)
    for stype, payload in frames:
        sim.notify(stype, payload)
    say(sim, ANN, "that was the stream")
    focus.out.wait_text("Ann: that was the stream")  # every report before it reached focus (one socket, in order)
    assert focus.stop() == 0
    recap = focus.out.text[focus.out.text.index("\nrecap "):].splitlines()
    assert f"  bits          {bits}" in recap, "\n".join(recap)
