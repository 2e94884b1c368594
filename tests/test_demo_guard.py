"""The demo shows the guard: FOCUS_HOLD_NEW=1 holds a newcomer by itself on every run (the demo invents new names),
and `make trigger EVENT=hateraid` plays a raid and a wave of new accounts posting spam, for /shield to be tried.

focus.py --demo runs as a real process (its own simulated Twitch inside), at 4x the demo's pace (cli_env)."""

from __future__ import annotations

import re

from conftest import N_SUBS
from test_cli import cli_env, procs, run_once  # noqa: F401  (the fixtures)

HELD = re.compile(r"held: new chatter (New_Friend_\d+) \(1 message\)")


def test_the_demo_holds_a_new_chatter_by_itself_on_every_run(procs, cli_env):
    env = {**cli_env, "FOCUS_HOLD_NEW": "1"}
    held = []
    for _ in range(2):  # the same data directory: the second run's history knows the first run's chatters
        demo = procs(["focus.py", "--demo", "--no-devlog"], env)
        demo.out.wait_for(lambda text: HELD.search(text), timeout=30 / 4 + 10)  # within 30 s of the demo's pace
        held.append(HELD.search(demo.out.text).group(1))
        assert "first time here, I write Rust too" not in demo.out.text  # the newcomer's words stay off stream
        assert "Pixel_Otter: hey @DeskFox, what are we building today?" in demo.out.text  # regulars show
        demo.signal(2)
        assert demo.wait(3) == 0
    assert held[0] != held[1]  # a new name each run, so the second run holds one too


def test_make_trigger_hateraid_plays_a_raid_and_a_wave_the_hold_queue_keeps_off_stream(procs, cli_env):
    demo = procs(["focus.py", "--demo", "--no-devlog"], {**cli_env, "FOCUS_HOLD_NEW": "1"})
    demo.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
    res = run_once(["-m", "focuslib.sim", "trigger", "hateraid"], cli_env)
    assert res.returncode == 0, res.stderr
    demo.out.wait_text("Hostile_Horde is raiding with 250 viewers")
    # The wave outruns focus's pace of follow-age calls: 2 s later whoever waits is held, said in one line.
    demo.out.wait_text("Twitch did not say in time how long new chatters have followed you")
    text = demo.out.text
    assert "FOLLOW ME FOR FREE VIEWERS" not in text and "this stream is trash" not in text
    assert len(re.findall(r"held: new chatter Raid_Bot_", text)) <= 5  # then one line per 10 s, never a wall
    demo.signal(2)
    assert demo.wait(3) == 0
