"""What feeds the screen's header in a running focus: every field moves when its source moves.

focus runs against the simulated Twitch (tests/conftest.py): the Helix answers are the simulator's state
(`sim.helix.viewers`, `.settings`, `.shield`, `.live`), the events are real EventSub frames, the connection
is dropped for real.  The header model is the one a screen app draws (`FocusHandle.header`); the test waits on
its `on_change`, never on time.  The poll's schedule is checked with an injected clock.
"""

from __future__ import annotations

import threading

from conftest import N_SUBS, t
from focuslib.runtime.headerfeed import LEAST, LIVE_EVERY, OFFLINE_EVERY, PollSchedule, StreamPoller
from focuslib.screen.header import HeaderState
from focuslib.sim import payloads
from focuslib.sim import payloads_moderation as moderation
from focuslib.sim.triggers import KETTLE, fire
from focuslib.twitch.events_moderation import ChatSettings
from test_history_flow import BOB, on_main, say

STREAMS = "/helix/streams"


class Watch:
    """Waits (bounded) until the running focus's header says what the test expects."""

    def __init__(self, focus) -> None:
        assert focus.control.ready.wait(t(10)), "focus never subscribed"
        self.model = focus.control.header
        self.cond = threading.Condition()
        self.seen: list[HeaderState] = []

        def changed() -> None:
            with self.cond:
                self.seen.append(self.model.snapshot())
                self.cond.notify_all()

        self.model.on_change = changed

    def until(self, predicate, what: str = "") -> HeaderState:
        with self.cond:
            ok = self.cond.wait_for(lambda: predicate(self.model.snapshot()), t(10))
        assert ok, f"the header never showed {what}: {self.model.snapshot()}"
        return self.model.snapshot()


def test_start_up_asks_helix_for_the_name_the_stream_the_modes_and_shield_mode(sim, start_focus):
    sim.helix.viewers = 309
    sim.helix.settings.update(slow_mode=True, slow_mode_wait_time=30, follower_mode=True, follower_mode_duration=10)
    sim.helix.shield["is_active"] = True  # turned on before focus started
    focus = start_focus(timestamps=False)
    watch = Watch(focus)
    s = watch.until(lambda s: s.shield and s.modes is not None and s.viewers is not None and s.channel == "DeskFox",
                    "the start-up answers")
    assert (s.live, s.viewers, s.stale) == (True, 309, False)
    assert s.modes == ChatSettings(emote_only=False, followers_only=True, follower_minutes=10, slow=True,
                                   slow_seconds=30, subscribers_only=False, unique=False)
    assert (s.link, s.subscribed, s.wanted) == ("connected", N_SUBS, N_SUBS)
    # Shield Mode on at start is the hold queue's too: SHIELD on the status line, and one line saying so.
    watch.until(lambda s: s.hold_shield, "the hold queue's shield")
    focus.out.wait_text("Shield Mode is on: hold queue on for everyone new")
    assert on_main(focus, focus.app.status_text).endswith(" · SHIELD")
    [streams] = sim.requests_to("GET", STREAMS)
    assert streams.query == {"user_id": [payloads.BROADCASTER[0]]}
    [modes] = sim.requests_to("GET", "/helix/chat/settings")
    assert modes.query == {"broadcaster_id": [payloads.BROADCASTER[0]]}  # no moderator_id: no scope needed
    [shield] = sim.requests_to("GET", "/helix/moderation/shield_mode")
    assert shield.query == {"broadcaster_id": [payloads.BROADCASTER[0]], "moderator_id": [payloads.BROADCASTER[0]]}
    text = watch.model.text(200)
    assert text.startswith("DeskFox · ● live ") and "309 viewers · followers-only 10m · slow 30s" in text
    assert text.rstrip().endswith("SHIELD · connected")
    assert focus.stop() == 0


def test_every_field_moves_when_its_source_moves(sim, start_focus):
    focus = start_focus(timestamps=False, hold_minutes=10)
    watch = Watch(focus)
    watch.until(lambda s: s.viewers == 42, "the first poll's viewers")
    fire(sim, "offline")
    s = watch.until(lambda s: s.live is False, "offline")
    assert (s.viewers, s.started_at) == (None, None)
    fire(sim, "online")
    s = watch.until(lambda s: s.live is True, "live again")
    assert s.started_at is not None and "● live 0m" in watch.model.text(120)
    fire(sim, "slowmode")
    watch.until(lambda s: s.modes is not None and s.modes.slow_seconds == 30, "slow mode")
    fire(sim, "shield-on")
    watch.until(lambda s: s.shield and s.hold_shield, "Shield Mode and the hold's shield")
    fire(sim, "shield-off")
    watch.until(lambda s: not s.shield and not s.hold_shield, "Shield Mode off")
    held = payloads.new_id()
    sim.notify("automod.message.hold", moderation.automod_hold(KETTLE, "rude words", held))
    sim.notify("automod.message.hold", moderation.automod_hold(KETTLE, "more rude words"))
    watch.until(lambda s: s.automod == 2, "two AutoMod items")
    sim.notify("automod.message.update", moderation.automod_update(KETTLE, "rude words", held, "Denied"))
    watch.until(lambda s: s.automod == 1, "one AutoMod item left")
    say(sim, BOB, "first words from a stranger")  # held: no history, no badge, no follow
    watch.until(lambda s: s.held == 1, "one held chatter")
    assert "1 held · 1 AutoMod" in watch.model.text(120)
    # Get Streams was asked once: the online/offline events count, the next poll waits for its minute.
    assert len(sim.requests_to("GET", STREAMS)) == 1
    assert focus.stop() == 0


def test_the_connection_reconnecting_and_the_gap(sim, start_focus):
    focus = start_focus(timestamps=False)
    watch = Watch(focus)
    watch.until(lambda s: s.link == "connected", "connected")
    sim.drop()
    watch.until(lambda s: s.gap is not None and s.link == "connected" and s.subscribed == N_SUBS,
                "connected again, with the gap")
    links = [s.link for s in watch.seen]
    assert "reconnecting" in links and links.index("reconnecting") < len(links) - 1
    assert "subscribing" in links[links.index("reconnecting"):]
    assert " missed " in watch.model.text(200)
    assert focus.stop() == 0


def test_a_failing_get_streams_keeps_the_last_values_and_says_they_are_stale(sim, start_focus):
    focus = start_focus(timestamps=False)
    watch = Watch(focus)
    watch.until(lambda s: s.viewers == 42, "the first poll")
    poller = focus.app.header.poller
    sim.helix.broken["GET /helix/streams"] = (503, "Service Unavailable")
    poller.poll_stream()
    s = watch.until(lambda s: s.stale, "stale")
    assert (s.live, s.viewers) == (True, 42)
    assert "● live 0m · 42 viewers (stale)" in watch.model.text(120)
    del sim.helix.broken["GET /helix/streams"]
    sim.helix.viewers = 57
    poller.poll_stream()
    s = watch.until(lambda s: not s.stale, "fresh again")
    assert s.viewers == 57 and "(stale)" not in watch.model.text(120)
    assert focus.stop() == 0


def test_a_poll_that_contradicts_a_recent_event_is_not_believed(sim, start_focus):
    # Twitch's Get Streams lags stream.online/offline: an answer saying "live" just after the stream ended
    # must not bring the header back to live.
    focus = start_focus(timestamps=False)
    watch = Watch(focus)
    watch.until(lambda s: s.viewers == 42, "the first poll")
    sim.notify("stream.offline", payloads.broadcaster())  # an event only: Get Streams still lists the stream
    sim.helix.live = True
    watch.until(lambda s: s.live is False, "offline")
    focus.app.header.poller.poll_stream()
    watch.until(lambda s: len(sim.requests_to("GET", STREAMS)) == 2 and s.stale is False, "the second answer")
    assert on_main(focus, lambda: watch.model.snapshot().live) is False  # the answer was handled before this
    assert focus.stop() == 0


# -- the schedule, with an injected clock -------------------------------------------------------------------


def test_get_streams_at_most_once_a_minute_whatever_pokes_it():
    sched = PollSchedule()
    now = 1_000.0
    assert sched.due() == float("-inf")  # at start at once
    polls = []
    for step in range(0, 3_600):  # an hour in seconds: live, with an online/offline event every 7 s
        clock = now + step
        if step % 7 == 0:
            sched.poke()
        if clock >= sched.due():
            polls.append(clock)
            sched.polled(clock, live=True)
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    assert min(gaps) >= LEAST == 60 and len(polls) == 60


def test_offline_it_asks_every_five_minutes_and_an_event_brings_the_next_one_forward():
    sched = PollSchedule()
    sched.polled(0.0, live=False)
    assert sched.due() == OFFLINE_EVERY
    sched.poke()  # stream.online
    assert sched.due() == LEAST
    sched.polled(LEAST, live=True)
    assert sched.due() == LEAST + LIVE_EVERY


def test_the_poller_thread_follows_its_schedule(sim, start_focus):
    focus = start_focus(timestamps=False)
    watch = Watch(focus)
    watch.until(lambda s: s.viewers == 42, "the first poll")
    focus.app.header.poller.stop(t(2))  # the test drives a poller of its own, on a clock it moves
    now = [0.0]
    poller = StreamPoller(focus.app.header.poller.api, focus.app.header, lambda fn: None, threading.Event(),
                          clock=lambda: now[0]).start()
    try:
        # Start-up's questions, the shield's last: then the poller waits for its schedule.
        sim.wait_for(lambda: len(sim.requests_to("GET", "/helix/moderation/shield_mode")) == 2)
        assert len(sim.requests_to("GET", STREAMS)) == 2
        now[0] = LEAST  # a minute after the last: a poke's poll is due now
        poller.poke()
        sim.wait_for(lambda: len(sim.requests_to("GET", STREAMS)) == 3)
    finally:
        poller.stop(t(2))
    assert not poller.thread.is_alive()
    assert focus.stop() == 0


def test_the_status_line_shows_the_automod_count_where_it_is_redrawn_and_a_pipe_prints_nothing_new(sim, start_focus):
    from conftest import Sink

    live = start_focus(timestamps=False, sink=Sink(tty=True))  # a terminal: the status line is redrawn in place
    watch = Watch(live)
    sim.notify("automod.message.hold", moderation.automod_hold(KETTLE, "rude words"))
    watch.until(lambda s: s.automod == 1, "the AutoMod item")
    assert on_main(live, live.app.status_text) == f"subscribed {N_SUBS}/{N_SUBS} · 1 AutoMod"
    assert live.stop() == 0
    sim.wait_for(lambda: not sim.live_sessions(), timeout=t(10))
    piped = start_focus(timestamps=False)
    watch = Watch(piped)
    sim.notify("automod.message.hold", moderation.automod_hold(KETTLE, "rude words"))
    watch.until(lambda s: s.automod == 1, "the AutoMod item")
    assert on_main(piped, piped.app.status_text) == f"subscribed {N_SUBS}/{N_SUBS}"
    assert piped.stop() == 0
    assert "AutoMod" not in "".join(line for line in piped.out.lines() if line.startswith("--"))


def test_the_simulator_answers_get_streams_as_twitch_does(sim):
    from conftest import Browser

    grant = sim.issue_token()
    headers = {"Authorization": f"Bearer {grant.access_token}", "Client-Id": sim.client_id}
    me = {"user_id": payloads.BROADCASTER[0]}
    with Browser() as http:
        def streams(params):
            return http.get(sim.api_url + "/streams", params=params, headers=headers)

        assert http.post(sim.http_base + "/sim/viewers?count=7").json() == {"viewers": 7}
        [row] = streams(me).json()["data"]
        assert (row["user_name"], row["type"], row["viewer_count"]) == ("DeskFox", "live", 7)
        assert streams({"user_login": "DESKFOX"}).json()["data"] == [row]
        assert streams({"user_id": "1"}).json()["data"] == []  # another channel: not live here
        too_many = streams([("user_id", str(k)) for k in range(101)])
        assert too_many.status_code == 400
        assert streams({**me, "first": "0"}).status_code == 400
        fire(sim, "offline")
        assert streams(me).json() == {"data": [], "pagination": {}}  # Twitch lists live streams only
        assert http.post(sim.http_base + "/sim/viewers?count=x").status_code == 400
