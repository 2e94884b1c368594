"""The hold queue guards the first stream too: badge, history or follow age vouch, everyone else is held.

focus runs against the simulated Twitch, whose Get Channel Followers answers with the follow ages the test
sets (`sim.helix.follow`); its failures and slowness are the simulator's own knobs, and its rate-limit bucket
is made small so a wave of new accounts reaches it in a test's time.
"""

from __future__ import annotations

import sqlite3

from conftest import N_SUBS, t
from focuslib.twitch import commands
from focuslib.store.schema import db_path
from test_history_flow import BOB, CY, DEE, MOD, on_main, say

VIP_FRIEND = ("506", "vippy", "Vippy")
FOLLOWERS = "/helix/channels/followers"


def follower_calls(sim) -> list[str]:
    return [r.q("user_id") for r in sim.requests_to("GET", FOLLOWERS)]


def test_a_first_run_holds_every_chatter_without_badge_or_follow_age(sim, start_focus):
    sim.helix.follow(CY, 30)  # a follower of 30 days: shown at once
    sim.helix.follow(DEE, 1 / 24)  # of 1 hour: held
    focus = start_focus(timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    say(sim, BOB, "first words from a stranger")
    say(sim, MOD, "a moderator", badges=[("moderator", "1", "")])
    say(sim, VIP_FRIEND, "a vip", badges=[("vip", "1", "")])
    say(sim, CY, "a follower of a month")
    say(sim, DEE, "a follower of an hour")
    say(sim, CY, "again")  # known now: no second call
    focus.out.wait_text("Cy: again")
    focus.out.wait_text("held: new chatter Dee (1 message)")
    focus.out.wait_text("held: new chatter Bob (1 message)")
    text = focus.out.text
    assert "Mossy: a moderator" in text and "Vippy: a vip" in text and "Cy: a follower of a month" in text
    assert "stranger" not in text and "follower of an hour" not in text
    assert "the history knows no chatter of this channel yet: the hold queue lets through the broadcaster, " \
           "moderators, VIPs and followers of 7+ days" in text
    assert sorted(follower_calls(sim)) == sorted([BOB[0], CY[0], DEE[0]])  # one call each, none for badges
    assert on_main(focus, focus.app.status_text) == f"subscribed {N_SUBS}/{N_SUBS} · 2 held"  # the status line
    assert focus.app.guard.held == 2  # one snapshot, for the header too
    memory = focus.app.memory
    [listed] = on_main(focus, lambda: memory.release(""))  # /release alone: who is held
    assert listed in ("held (2): bob, dee (/release USER)", "held (2): dee, bob (/release USER)")
    assert commands.parse("/release") == commands.Release("")
    assert focus.stop() == 0
    conn = sqlite3.connect(db_path(focus.settings.data_dir))
    try:
        stored = dict(conn.execute("SELECT user_id, followed_at IS NOT NULL FROM follows"))
    finally:
        conn.close()
    assert stored == {BOB[0]: 0, CY[0]: 1, DEE[0]: 1}  # the answers are kept in the history


def test_helix_failing_holds_and_says_so_once(sim, start_focus):
    sim.helix.follow(CY, 30)
    sim.helix.broken["GET " + FOLLOWERS] = (503, "Service Unavailable")
    focus = start_focus(timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    say(sim, BOB, "stranger one")
    say(sim, CY, "a follower, but Twitch cannot say")
    focus.out.wait_text("held: new chatter Bob (1 message)")
    focus.out.wait_text("held: new chatter Cy (1 message)")
    lines = [line for line in focus.out.lines() if "did not say in time" in line]
    assert lines == ["· hold queue: Twitch did not say in time how long new chatters have followed you (slow, "
                     "failing or a wave of them): they are held; /release USER lets one through"]
    assert "stranger one" not in focus.out.text and "cannot say" not in focus.out.text
    assert focus.stop() == 0


def test_helix_slow_holds_and_a_late_answer_lets_a_follower_through(sim, start_focus):
    sim.helix.follow(CY, 30)
    sim.helix.slow["GET " + FOLLOWERS] = t(0.6)
    focus = start_focus(timestamps=False, hold_minutes=10, follow_wait=0.1)
    sim.wait_subscribed(N_SUBS)
    say(sim, CY, "slow twitch, old follower")
    focus.out.wait_text("held: new chatter Cy (1 message)")  # 0.1 s passed without an answer: held
    assert "slow twitch, old follower" not in focus.out.text
    focus.out.wait_text("released Cy (1 message): following you for 30 days")
    text = focus.out.text
    assert text.index("held: new chatter Cy") < text.index("Cy: slow twitch, old follower") < text.index(
        "released Cy")
    assert focus.stop() == 0


def test_without_the_followers_scope_nobody_is_vouched_for_by_follow_age(sim, env, start_focus):
    from focuslib.sim.state import ALL_SCOPES

    sim.helix.follow(CY, 30)
    grant = sim.issue_token(scopes=[s for s in ALL_SCOPES if s != "moderator:read:followers"])
    focus = start_focus({"TWITCH_USER_ACCESS_TOKEN": grant.access_token, "TWITCH_REFRESH_TOKEN": grant.refresh_token},
                        timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS - 1)  # all but channel.follow
    focus.out.wait_text("hold queue: the token lacks the moderator:read:followers scope, so follow age vouches "
                        "for nobody: new chatters are held until /release; run make auth to grant it")
    say(sim, CY, "an old follower, unprovable")
    focus.out.wait_text("held: new chatter Cy (1 message)")
    assert follower_calls(sim) == []
    assert focus.stop() == 0


def test_a_wave_of_300_new_accounts_stays_within_the_rate_limit_and_shows_no_text(sim, start_focus):
    sim.buckets.size, sim.buckets.per = 100, 60.0  # a small bucket: the wave would empty it in a blink
    focus = start_focus(timestamps=False, hold_minutes=10, follow_wait=0.3, follow_pace=(5, 0.005))
    sim.wait_subscribed(N_SUBS)
    memory = focus.app.memory
    from focuslib.view.collapse import FloodGate

    on_main(focus, lambda: setattr(memory, "wave", FloodGate(5, 0.5)))
    wave = [(str(71000000 + k), f"wave_{k}", f"Wave_{k}") for k in range(300)]
    for who in wave:
        say(sim, who, f"SPAM SPAM from {who[1]}")
    say(sim, MOD, "still here", badges=[("moderator", "1", "")])
    focus.out.wait_text("Mossy: still here")  # chat never stalls behind the wave
    focus.out.wait_for(lambda text: sum(int(line.split(" ")[2]) for line in text.splitlines()
                                        if line.startswith("· held ") and "new chatters in" in line) >= 295, 20)
    assert on_main(focus, lambda: len(memory.hold)) == 300  # every one held, none shown
    assert "SPAM" not in focus.out.text
    singles = [line for line in focus.out.lines() if line.startswith("· held: new chatter")]
    assert len(singles) == 5  # the first five, then one line per window: never a wall of them
    assert sim.rate_limit_hits == 0  # focus never found the bucket empty ...
    assert sim.buckets.lowest >= 100 * 0.25 - 1  # ... and left a quarter of it for everything else
    assert 0 < len(follower_calls(sim)) < 300
    assert focus.stop() == 0
