"""The session state machine, fed decoded messages and times (no sockets)."""

from __future__ import annotations

import json

import pytest

from focuslib.twitch.session import (
    BACKOFF_CAP, CLOSE_REASONS, Close, Connect, CreateSubscriptions, Fatal, Gap, Log, Phase, RecentIds, Session, Show,
    Status, Tell,
)
from focuslib.twitch.messages import parse_frame
from focuslib.sim import payloads
from focuslib.twitch.subscriptions import desired

BASE = "wss://eventsub.example/ws"
# The state machine does not care how many: three keeps the expectations readable.
SPECS = tuple(s for s in desired("100", "100")
              if s.type in ("channel.chat.message", "channel.follow", "channel.subscribe"))


def msg(doc: dict) -> object:
    return parse_frame(json.dumps(doc))


def of(actions: list, kind: type) -> list:
    return [a for a in actions if isinstance(a, kind)]


def chat(mid: str | None = None, text: str = "hi") -> object:
    sub = payloads.subscription_object("channel.chat.message", "1", {}, "s")
    return msg(payloads.notification(sub, payloads.chat_message(("1", "ann", "Ann"), text), message_id=mid))


def welcomed() -> tuple[Session, CreateSubscriptions]:
    """A session that has connected and been welcomed (session "x"): its CreateSubscriptions action."""
    s = Session(BASE, SPECS, rng=lambda: 1.0)
    s.start(0)
    s.opened(1, 0)
    (sub,) = of(s.receive(1, msg(payloads.welcome("x", 10)), 0), CreateSubscriptions)
    return s, sub


def live(now: float = 0.0, keepalive: int = 10) -> Session:
    """A session that has connected, been welcomed and created every subscription."""
    s = Session(BASE, SPECS, rng=lambda: 1.0)
    s.start(now)
    s.opened(1, now)
    acts = s.receive(1, msg(payloads.welcome("sess-1", keepalive)), now)
    (sub,) = of(acts, CreateSubscriptions)
    for spec in sub.specs:
        s.subscription_result(sub.epoch, spec, 202, "", now)
    assert s.phase is Phase.LIVE
    return s


def test_welcome_creates_every_desired_subscription_on_that_session():
    s = Session(BASE, SPECS)
    acts = s.start(0)
    assert of(acts, Connect) == [Connect(1, BASE)]
    s.opened(1, 0.1)
    acts = s.receive(1, msg(payloads.welcome("sess-1", 10)), 0.2)
    (sub,) = of(acts, CreateSubscriptions)
    assert sub.session_id == "sess-1"
    assert [x.type for x in sub.specs] == ["channel.chat.message", "channel.follow", "channel.subscribe"]
    body = sub.specs[1].body("sess-1")
    assert body == {"type": "channel.follow", "version": "2",
                    "condition": {"broadcaster_user_id": "100", "moderator_user_id": "100"},
                    "transport": {"method": "websocket", "session_id": "sess-1"}}
    assert s.phase is Phase.SUBSCRIBING


def test_all_results_in_make_the_session_live_with_a_status():
    s, sub = welcomed()
    statuses = []
    for spec in sub.specs:
        statuses += of(s.subscription_result(sub.epoch, spec, 202, "", 0), Status)
    assert statuses == [Status("subscribed 3/3")]
    assert s.phase is Phase.LIVE


def test_a_failed_subscription_is_shown_once_and_the_others_go_on():
    s, sub = welcomed()
    chat_spec, follow_spec, sub_spec = sub.specs
    notices = of(s.subscription_result(sub.epoch, follow_spec, 403, "subscription missing proper authorization", 0),
                 Tell)
    assert len(notices) == 1
    assert "channel.follow" in notices[0].text and "missing proper authorization" in notices[0].text
    assert "moderator:read:followers" in notices[0].text and "make auth" in notices[0].text
    s.subscription_result(sub.epoch, chat_spec, 202, "", 0)
    acts = s.subscription_result(sub.epoch, sub_spec, 202, "", 0)
    assert Status("subscribed 2/3") in acts
    assert s.phase is Phase.LIVE
    # the same failure after a reconnect is not shown again
    s.closed(1, 4006, "", 1)
    s.tick(10)
    s.opened(2, 10)
    (sub2,) = of(s.receive(2, msg(payloads.welcome("y", 10)), 10), CreateSubscriptions)
    assert of(s.subscription_result(sub2.epoch, follow_spec, 403, "nope", 10), Tell) == []


@pytest.mark.parametrize("status", [400, 409])
def test_400_and_409_failures_carry_twitchs_message(status):
    s, sub = welcomed()
    (notice,) = of(s.subscription_result(sub.epoch, sub.specs[0], status, "twitch says why", 0), Tell)
    assert str(status) in notice.text and "twitch says why" in notice.text


def test_every_subscription_refused_is_fatal_with_a_hint():
    s, sub = welcomed()
    acts = []
    for spec in sub.specs:
        acts += s.subscription_result(sub.epoch, spec, 403, "no", 0)
    (fatal,) = of(acts, Fatal)
    assert "make auth" in fatal.hint


def test_notifications_are_shown_and_duplicates_dropped():
    s = live()
    first = s.receive(1, chat("m-1"), 1)
    again = s.receive(1, chat("m-1"), 2)
    assert len(of(first, Show)) == 1
    assert of(again, Show) == [] and of(again, Log)[0].event == "duplicate"


def test_dedupe_memory_is_bounded():
    ids = RecentIds(3)
    assert all(ids.add(k) for k in "abcd")
    assert len(ids) == 3
    assert ids.add("a")  # forgotten: the oldest fell out
    assert not ids.add("d")


def test_watchdog_fires_after_keepalive_plus_margin_and_any_frame_resets_it():
    s = live(0, keepalive=10)
    assert s.deadline() == pytest.approx(12.0)
    assert s.tick(11.9) == []
    s.receive(1, chat(), 9.0)  # a notification is as good as a keepalive
    assert s.deadline() == pytest.approx(21.0)
    s.receive(1, msg(payloads.keepalive()), 20.0)
    assert s.tick(31.0) == []
    acts = s.tick(32.1)
    assert Close(1, 0) in acts
    assert s.phase is Phase.RECONNECTING
    assert any("no message from Twitch" in a.text for a in of(acts, Status))


def test_unplanned_loss_reconnects_to_the_base_url_resubscribes_and_marks_the_gap():
    s = live(0)
    s.receive(1, chat("a"), 5.0)
    acts = s.closed(1, None, "connection dropped", 6.0)
    assert s.phase is Phase.RECONNECTING
    retry_at = s.deadline()
    assert retry_at is not None and 6.0 < retry_at <= 7.0  # first backoff: 0.5-1 s
    acts = s.tick(retry_at)
    (conn,) = of(acts, Connect)
    assert conn.url == BASE and conn.conn == 2
    s.opened(2, 7.5)
    (sub,) = of(s.receive(2, msg(payloads.welcome("sess-2", 10)), 7.6), CreateSubscriptions)
    assert sub.session_id == "sess-2" and len(sub.specs) == 3
    gaps = []
    for spec in sub.specs:
        gaps += of(s.subscription_result(sub.epoch, spec, 202, "", 8.0), Gap)
    assert gaps == [Gap(5.0, 8.0)]  # from the last frame we saw to when we listen again


def test_session_reconnect_migrates_without_resubscribing_or_losing_events():
    s = live(0)
    acts = s.receive(1, msg(payloads.reconnect("sess-1", "wss://edge-2.eventsub.example/ws?reconnect_id=abc")), 10)
    (conn,) = of(acts, Connect)
    assert conn.url == "wss://edge-2.eventsub.example/ws?reconnect_id=abc"  # exactly as given
    assert of(acts, Close) == []  # the old socket stays open
    assert s.phase is Phase.MIGRATING
    # the old socket keeps delivering until the new welcome
    assert len(of(s.receive(1, chat("before"), 10.5), Show)) == 1
    s.opened(conn.conn, 10.6)
    acts = s.receive(conn.conn, msg(payloads.welcome("sess-2", 10)), 10.7)
    assert Close(1, 1000) in acts
    assert of(acts, CreateSubscriptions) == []
    assert s.session_id == "sess-2" and s.phase is Phase.LIVE
    # a late frame from the old socket: shown if new, dropped if already seen
    assert len(of(s.receive(1, chat("late-from-old"), 10.8), Show)) == 1
    assert of(s.receive(conn.conn, chat("before"), 10.9), Show) == []
    # the old socket's close (even 4004) is expected and changes nothing
    acts = s.closed(1, 4004, "grace expired", 40)
    assert of(acts, Status) == [] and s.phase is Phase.LIVE


def test_a_reconnect_url_that_never_welcomes_falls_back_to_the_lost_path():
    s = live(0)
    s.receive(1, msg(payloads.reconnect("sess-1", "wss://edge-2.eventsub.example/ws")), 10)
    assert s.deadline() == pytest.approx(40)  # the old socket works for 30 s (§1.6): wait that long
    assert of(s.tick(39.9), Close) == []
    assert len(of(s.receive(1, chat("still-on-old"), 35), Show)) == 1  # and keep reading it meanwhile
    acts = s.tick(40.1)
    assert {a.conn for a in of(acts, Close)} == {1, 2}
    assert s.phase is Phase.RECONNECTING


def test_the_new_socket_failing_during_migration_falls_back_to_the_base_url():
    s = live(0)
    (conn,) = of(s.receive(1, msg(payloads.reconnect("sess-1", "wss://edge-2.eventsub.example/ws")), 10), Connect)
    acts = s.closed(conn.conn, None, "connection refused", 10.2)
    assert Close(1, 0) in acts and s.phase is Phase.RECONNECTING
    (again,) = of(s.tick(s.deadline()), Connect)
    assert again.url == BASE


def test_revocation_is_a_visible_notice_and_the_rest_go_on():
    s = live(0)
    sub = payloads.subscription_object("channel.follow", "2", {}, "sess-1")
    acts = s.receive(1, msg(payloads.revocation(sub, "authorization_revoked")), 5)
    (notice,) = of(acts, Tell)
    assert "channel.follow" in notice.text and "authorization_revoked" in notice.text
    assert len(of(s.receive(1, chat(), 6), Show)) == 1
    # an unplanned reconnect later does not blindly recreate the revoked one
    s.closed(1, 4006, "", 7)
    s.tick(s.deadline())
    s.opened(2, 9)
    (again,) = of(s.receive(2, msg(payloads.welcome("sess-2", 10)), 9), CreateSubscriptions)
    assert [x.type for x in again.specs] == ["channel.chat.message", "channel.subscribe"]


@pytest.mark.parametrize("code", sorted(c for c in CLOSE_REASONS if c >= 4000))
def test_every_twitch_close_code_gives_a_clear_status_and_a_reconnect(code):
    s = live(0)
    acts = s.closed(1, code, "", 3)
    (status,) = of(acts, Status)
    assert CLOSE_REASONS[code] in status.text and str(code) in status.text and "reconnecting" in status.text
    assert s.phase is Phase.RECONNECTING
    if code in (4001, 4002, 4003):  # focus's own bug: say so loudly, on stream
        assert of(acts, Tell)
    (conn,) = of(s.tick(s.deadline()), Connect)
    assert conn.url == BASE


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    draws = iter([0.0, 1.0] * 50)
    s = Session(BASE, SPECS, rng=lambda: next(draws))
    s.start(0)
    delays, now = [], 0.0
    for _ in range(12):
        s.closed(s.active, None, "refused", now)
        delays.append(s.deadline() - now)
        now = s.deadline()
        s.tick(now)
    assert delays[:4] == [0.5, 2.0, 2.0, 8.0]  # 1 s * 2^n, scaled into [0.5, 1] by the jitter draw
    assert max(delays) == BACKOFF_CAP and min(delays[8:]) == BACKOFF_CAP / 2


def test_backoff_resets_once_a_session_is_live_again():
    s = live(0)
    for k in range(5):
        s.closed(s.active, None, "refused", k * 100.0)
        s.tick(s.deadline())
    assert s.attempt == 5
    s.opened(s.active, 600)
    (sub,) = of(s.receive(s.active, msg(payloads.welcome("again", 10)), 600), CreateSubscriptions)
    for spec in sub.specs:
        s.subscription_result(sub.epoch, spec, 202, "", 600)
    assert s.attempt == 0


def test_no_welcome_in_time_counts_as_a_lost_connection():
    s = Session(BASE, SPECS)
    s.start(0)
    s.opened(1, 0)
    acts = s.tick(10.0)
    assert Close(1, 0) in acts and s.phase is Phase.RECONNECTING


def test_results_for_an_older_session_are_ignored():
    s = live(0)
    s.closed(1, 4006, "", 1)
    s.tick(s.deadline())
    s.opened(2, 3)
    s.receive(2, msg(payloads.welcome("new", 10)), 3)
    acts = s.subscription_result(1, SPECS[0], 403, "old", 3)
    assert of(acts, Tell) == [] and s.results == {}


def test_unknown_message_and_subscription_types_are_logged_not_shown():
    s = live(0)
    unknown = {"metadata": {"message_id": "u1", "message_type": "session_surprise", "message_timestamp": ""},
               "payload": {}}
    acts = s.receive(1, msg(unknown), 1)
    assert of(acts, Show) == [] and of(acts, Log)[0].event == "unknown_message_type"
    sub = payloads.subscription_object("channel.future_thing", "7", {}, "sess-1")
    acts = s.receive(1, msg(payloads.notification(sub, {"x": 1})), 2)
    assert of(acts, Show) == [] and of(acts, Log)[0].event == "unknown_subscription_type"


def test_stop_closes_every_socket_and_ignores_what_comes_after():
    s = live(0)
    s.receive(1, msg(payloads.reconnect("sess-1", "wss://x.eventsub.example/ws")), 1)
    acts = s.stop(2)
    assert sorted(a.conn for a in of(acts, Close)) == [1, 2]
    assert s.phase is Phase.STOPPED and s.deadline() is None
    assert s.receive(1, chat(), 3) == []
    assert of(s.closed(1, 1000, "", 3), Status) == []


def test_a_revocation_while_subscribing_does_not_stall_the_session():
    s, sub = welcomed()
    for spec in sub.specs[:2]:
        s.subscription_result(sub.epoch, spec, 202, "", 0)
    revoked = payloads.subscription_object("channel.follow", "2", {}, "x")
    s.receive(1, msg(payloads.revocation(revoked, "authorization_revoked")), 1)
    acts = s.subscription_result(sub.epoch, sub.specs[2], 202, "", 1)
    assert s.phase is Phase.LIVE and Status("subscribed 2/3 (1 revoked)") in acts


@pytest.mark.parametrize("status", [0, 500, 503, 429])
def test_trouble_that_may_pass_is_not_fatal_it_means_a_new_session_later(status):
    s, sub = welcomed()
    acts = []
    for spec in sub.specs:
        acts += s.subscription_result(sub.epoch, spec, status, "busy", 1)
    assert of(acts, Fatal) == [] and Close(1, 0) in acts and s.phase is Phase.RECONNECTING
    (again,) = of(s.tick(s.deadline()), Connect)
    assert again.url == BASE


def test_a_creation_nobody_answered_gives_the_session_up_at_once_in_one_line():
    s, sub = welcomed()
    acts = s.subscription_result(sub.epoch, sub.specs[0], 0, "api.twitch.tv did not answer within 30 s", 31)
    (notice,) = of(acts, Tell)
    assert "did not answer within 30 s" in notice.text and "reconnects" in notice.text
    assert Close(1, 0) in acts and s.phase is Phase.RECONNECTING  # not after every other creation timed out too
    late = s.subscription_result(sub.epoch, sub.specs[1], 0, "api.twitch.tv did not answer within 30 s", 32)
    assert of(late, Tell) == []  # the others belong to the session given up: no line each


def test_answers_for_a_lost_session_are_stale_and_do_not_hide_later_failures():
    s, sub = welcomed()
    s.closed(1, 4003, "", 11)  # Twitch gave up on it before our POSTs came back
    late = s.subscription_result(sub.epoch, sub.specs[0], 400, "non-existent session_id", 11.5)
    assert of(late, Tell) == [] and s.results == {}
    s.tick(s.deadline())
    s.opened(2, 13)
    (sub2,) = of(s.receive(2, msg(payloads.welcome("y", 10)), 13), CreateSubscriptions)
    (notice,) = of(s.subscription_result(sub2.epoch, sub2.specs[0], 400, "bad condition", 13), Tell)
    assert "bad condition" in notice.text


def test_a_session_reconnect_while_subscribing_still_settles_gap_and_backoff():
    s = live(0)
    s.closed(1, 4006, "", 5)  # a first loss: a gap and one backoff step
    s.tick(s.deadline())
    s.opened(2, 7)
    (sub,) = of(s.receive(2, msg(payloads.welcome("y", 10)), 7), CreateSubscriptions)
    s.subscription_result(sub.epoch, sub.specs[0], 202, "", 7.1)
    (conn,) = of(s.receive(2, msg(payloads.reconnect("y", "wss://edge-2.eventsub.example/ws")), 7.2), Connect)
    s.opened(conn.conn, 7.3)
    s.receive(conn.conn, msg(payloads.welcome("z", 10)), 7.4)  # moved before every answer came back
    acts = []
    for spec in sub.specs[1:]:
        acts += s.subscription_result(sub.epoch, spec, 202, "", 7.5)
    assert of(acts, Gap) == [Gap(0.0, 7.5)] and s.attempt == 0 and s.gap_since is None


@pytest.mark.parametrize("given,expected", [(0, 10), (5, 10), (10, 10), (600, 600), (10**9, 600)])
def test_keepalive_timeout_is_clamped_to_twitchs_range(given, expected):
    s = Session(BASE, SPECS, rng=lambda: 1.0)
    s.start(0)
    s.opened(1, 0)
    s.receive(1, msg(payloads.welcome("x", given)), 0)
    assert s.keepalive == expected and s.deadline() < expected + 200  # 10^9 no longer switches the watchdog off


@pytest.mark.parametrize("base,url,follows", [
    ("wss://eventsub.wss.twitch.tv/ws", "wss://eventsub.wss.twitch.tv/ws?opaque=1", True),
    ("wss://eventsub.wss.twitch.tv/ws", "wss://edge-7.wss.twitch.tv/ws?opaque=1", True),
    ("wss://eventsub.wss.twitch.tv/ws", "wss://x.eventsub.wss.twitch.tv/ws", True),
    ("wss://eventsub.wss.twitch.tv/ws", "ws://eventsub.wss.twitch.tv/ws", False),  # never down to ws://
    ("wss://eventsub.wss.twitch.tv/ws", "wss://evil.example/ws", False),
    ("wss://eventsub.wss.twitch.tv/ws", "wss://wss.twitch.tv.evil.example/ws", False),
    ("wss://eventsub.wss.twitch.tv/ws", "wss://twitch.tv/ws", False),
    ("wss://eventsub.wss.twitch.tv/ws", "wss://[::1/ws", False),
    ("ws://127.0.0.1:8080/ws", "ws://127.0.0.1:9090/ws", True),  # a local server: the same host
    ("ws://127.0.0.1:8080/ws", "ws://127.0.0.2:8080/ws", False),
    ("ws://localhost:8080/ws", "wss://localhost:8081/ws", True),
    ("ws://localhost:8080/ws", "ws://otherhost:8080/ws", False),
])
def test_a_reconnect_url_is_followed_only_under_the_configured_host(base, url, follows):
    s = Session(base, SPECS, rng=lambda: 1.0)
    s.start(0)
    s.opened(1, 0)
    (sub,) = of(s.receive(1, msg(payloads.welcome("sess-1", 10)), 0), CreateSubscriptions)
    for spec in sub.specs:
        s.subscription_result(sub.epoch, spec, 202, "", 0)
    acts = s.receive(1, msg(payloads.reconnect("sess-1", url)), 1)
    if follows:
        assert [c.url for c in of(acts, Connect)] == [url] and s.phase is Phase.MIGRATING
    else:
        assert of(acts, Connect) == [] and s.phase is Phase.RECONNECTING
        assert "focus reconnects to" in of(acts, Tell)[0].text
        (again,) = of(s.tick(s.deadline()), Connect)
        assert again.url == base


def test_a_revocation_of_a_type_focus_never_asked_for_leaves_the_count_alone():
    s = live(0)
    sub = payloads.subscription_object("channel.guest_star_session.begin", "beta", {}, "sess-1")
    acts = s.receive(1, msg(payloads.revocation(sub, "authorization_revoked")), 5)
    assert of(acts, Tell) == [] and of(acts, Status) == [] and s.revoked == {}
    assert s._subscribed_text() == f"subscribed {len(SPECS)}/{len(SPECS)}"


def test_a_long_revocation_reason_is_shortened():
    s = live(0)
    sub = payloads.subscription_object("channel.follow", "2", {}, "sess-1")
    (tell,) = of(s.receive(1, msg(payloads.revocation(sub, "because " * 200)), 5), Tell)
    assert len(tell.text) < 200 and "…" in tell.text
