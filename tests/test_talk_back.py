"""Talking back: each command's exact request against the simulated Twitch, and each error path's one line.

The executor (focuslib/runtime/execute.py) runs real Helix calls over real sockets against the simulator,
which records every request (method, path, query, headers, body).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator

import pytest

from conftest import N_SUBS
from focuslib.auth.tokens import Redactor, TokenHolder
from focuslib.net.helix import Helix
from focuslib.net.client import HttpClient
from focuslib.net.users import UserCache
from focuslib.runtime.execute import Executor, Seen
from focuslib.twitch.automod import HeldMessage
from focuslib.sim import SimTwitch
from focuslib.sim import payloads
from focuslib.sim.state import ALL_SCOPES
from focuslib.sim.triggers import KETTLE, OTTER

B_ID = payloads.BROADCASTER[0]
MOD = {"broadcaster_id": [B_ID], "moderator_id": [B_ID]}


class Recent:
    """What the input line would know: latest messages by login, AutoMod holds by number."""

    def __init__(self) -> None:
        self.messages: dict[str | None, Seen] = {}
        self.holds: dict[int, HeldMessage] = {}

    def latest(self, login: str | None) -> Seen | None:
        return self.messages.get(login)

    def held(self, number: int) -> HeldMessage | None:
        return self.holds.get(number)


@pytest.fixture
def talk(sim: SimTwitch) -> Iterator[Callable[..., Executor]]:
    clients: list[HttpClient] = []

    def make(scopes: Any = ALL_SCOPES, user: tuple[str, str, str] | None = None, recent: Any = None,
             status: Callable[[str], None] = lambda text: None) -> Executor:
        grant = sim.issue_token(scopes=scopes, user=user)
        http = HttpClient()
        clients.append(http)
        holder = TokenHolder(grant.access_token, grant.refresh_token, refresher=None, store=None,
                             redactor=Redactor())
        helix = Helix(http, sim.api_url, sim.client_id, holder)
        ex = Executor(helix, B_ID, grant.user[0], recent=recent, status=status)
        ex.token = grant.access_token  # type: ignore[attr-defined]  (tests check the header)
        return ex

    yield make
    for http in clients:
        http.close()


def helix(sim: SimTwitch, method: str, path: str) -> list[Any]:
    return sim.requests_to(method, "/helix" + path)


def body(request: Any) -> Any:
    return json.loads(request.body)


# -- each command's exact request --------------------------------------------------------------------------

def test_say_sends_one_exact_request_as_the_broadcaster(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("hello chat").text == "sent"
    [req] = helix(sim, "POST", "/chat/messages")
    assert body(req) == {"broadcaster_id": B_ID, "sender_id": B_ID, "message": "hello chat"}
    assert req.query == {}
    assert req.headers["authorization"] == f"Bearer {ex.token}"  # type: ignore[attr-defined]
    assert req.headers["client-id"] == sim.client_id
    assert req.headers["content-type"] == "application/json"


def test_reply_names_the_parent_message(sim, talk) -> None:
    recent = Recent()
    recent.messages["pixel_otter"] = Seen("parent-1", OTTER[0], "pixel_otter", "Pixel_Otter")
    sim.helix.observe("channel.chat.message", payloads.chat_message(OTTER, "question?", message_id="parent-1"))
    ex = talk(recent=recent)
    assert ex.run_line("/reply @Pixel_Otter yes!").text == "replied to Pixel_Otter"
    [req] = helix(sim, "POST", "/chat/messages")
    assert body(req) == {"broadcaster_id": B_ID, "sender_id": B_ID, "message": "yes!",
                         "reply_parent_message_id": "parent-1"}


def test_reply_without_a_known_message_is_refused_and_nothing_is_sent(sim, talk) -> None:
    outcome = talk().run_line("/reply pixel_otter thanks")
    assert not outcome.ok and outcome.text == ("no message of pixel_otter to reply to in focus's history; nothing "
                                               "was sent (@pixel_otter in a plain message mentions them)")
    assert helix(sim, "POST", "/chat/messages") == []


def test_reply_in_focus_finds_a_chatter_who_spoke_before_it_started_in_the_history(sim, talk, tmp_path) -> None:
    from focuslib.runtime.recent import Remembered, StoredRecent
    from focuslib.store.schema import db_path
    from test_oneshot import seed_history

    earlier = payloads.chat_message(OTTER, "asked before the restart?", message_id="parent-9")
    seed_history(tmp_path, [("channel.chat.message", earlier)])
    sim.helix.observe("channel.chat.message", earlier)
    ex = talk(recent=Remembered(Recent(), StoredRecent(db_path(tmp_path), B_ID)))
    assert ex.run_line("/reply pixel_otter yes").text == "replied to Pixel_Otter"
    assert body(helix(sim, "POST", "/chat/messages")[0])["reply_parent_message_id"] == "parent-9"
    missing = talk(recent=Remembered(Recent(), StoredRecent(tmp_path / "none" / "history.sqlite3", B_ID)))
    assert not missing.run_line("/reply pixel_otter yes").ok  # no history file: no message to reply to


def test_delete_never_takes_from_the_history_a_message_this_run_saw_removed(sim, talk, tmp_path) -> None:
    """A ban clears the chatter's messages; the history writes that half a second later.  /delete USER in that
    half second took the cleared message from the history (test_inputline_talk's /delete after /ban failed so)."""
    from focuslib.runtime.recent import RecentChat, Remembered, StoredRecent
    from focuslib.sim import payloads_chat
    from focuslib.store.schema import db_path
    from focuslib.twitch.events import parse_event
    from test_oneshot import seed_history

    said = payloads.chat_message(KETTLE, "still here", message_id="spam-3")
    seed_history(tmp_path, [("channel.chat.message", said)])  # stored, its removal not written yet
    sim.helix.observe("channel.chat.message", said)
    recent = RecentChat()
    recent.saw(parse_event("channel.chat.message", "1", said))
    recent.saw(parse_event("channel.chat.clear_user_messages", "1", payloads_chat.clear_user_messages(KETTLE)))
    ex = talk(recent=Remembered(recent, StoredRecent(db_path(tmp_path), B_ID)))
    outcome = ex.run_line("/delete loud_kettle")
    assert not outcome.ok and outcome.text == "no recent message of loud_kettle to delete"
    assert helix(sim, "DELETE", "/moderation/chat") == []
    # A chatter this run never saw is still looked up in the history (they spoke before focus started).
    ex = talk(recent=Remembered(RecentChat(), StoredRecent(db_path(tmp_path), B_ID)))
    assert ex.run_line("/delete loud_kettle").ok
    assert [r.query["message_id"] for r in helix(sim, "DELETE", "/moderation/chat")] == [["spam-3"]]


def test_ban_looks_the_login_up_once_then_bans(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/ban @Loud_Kettle caps spam").text == "banned Loud_Kettle"
    [lookup] = helix(sim, "GET", "/users")
    assert lookup.query == {"login": ["loud_kettle"]}
    [req] = helix(sim, "POST", "/moderation/bans")
    assert req.query == MOD
    assert body(req) == {"data": {"user_id": KETTLE[0], "reason": "caps spam"}}
    again = ex.run_line("/ban loud_kettle")
    assert (again.ok, again.status) == (False, 400)
    assert again.text == "could not ban Loud_Kettle: The user specified in the user_id field is already banned."
    assert len(helix(sim, "GET", "/users")) == 1  # the login is cached


def test_timeout_untimeout_and_unban(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/timeout loud_kettle 10m stop").text == "timed out Loud_Kettle for 10m"
    assert body(helix(sim, "POST", "/moderation/bans")[0]) == {"data": {"user_id": KETTLE[0], "duration": 600,
                                                                          "reason": "stop"}}
    assert ex.run_line("/untimeout loud_kettle").text == "ended Loud_Kettle's timeout"
    [req] = helix(sim, "DELETE", "/moderation/bans")
    assert req.query == {**MOD, "user_id": [KETTLE[0]]} and req.body == b""
    not_banned = ex.run_line("/unban loud_kettle")
    assert not_banned.text == "could not unban Loud_Kettle: The user specified in the user_id field is not banned."
    ex.run_line("/ban loud_kettle")
    assert ex.run_line("/unban loud_kettle").text == "unbanned Loud_Kettle"


def test_untimeout_never_lifts_a_ban(sim, talk) -> None:
    """Twitch's Unban User ends a timeout and a ban alike: /untimeout asks Get Banned Users first and leaves
    a banned chatter banned (Twitch would set them free and focus would say their timeout ended)."""
    ex = talk()
    ex.run_line("/ban loud_kettle spam links")
    refused = ex.run_line("/untimeout loud_kettle")
    assert (refused.ok, refused.text) == (False, "Loud_Kettle is banned, not timed out; nothing was changed "
                                                 "(/unban loud_kettle lifts the ban)")
    [check] = helix(sim, "GET", "/moderation/banned")
    assert check.query == {"broadcaster_id": [B_ID], "user_id": [KETTLE[0]]}
    assert check.headers["authorization"] == f"Bearer {ex.token}"  # type: ignore[attr-defined]
    assert helix(sim, "DELETE", "/moderation/bans") == [] and sim.helix.bans[KETTLE[0]] is None
    ex.run_line("/unban loud_kettle")
    ex.run_line("/timeout loud_kettle 1h")
    assert ex.run_line("/untimeout loud_kettle").text == "ended Loud_Kettle's timeout"


def test_delete_and_clear(sim, talk) -> None:
    recent = Recent()
    ex = talk(recent=recent)
    assert ex.run_line("/delete").text == "no message to delete yet"
    assert ex.run_line("/delete loud_kettle").text == "no recent message of loud_kettle to delete"
    sim.helix.observe("channel.chat.message", payloads.chat_message(KETTLE, "SPAM", message_id="m-1"))
    recent.messages["loud_kettle"] = recent.messages[None] = Seen("m-1", KETTLE[0], "loud_kettle", "Loud_Kettle")
    assert ex.run_line("/delete loud_kettle").text == "deleted Loud_Kettle's message"
    [req] = helix(sim, "DELETE", "/moderation/chat")
    assert req.query == {**MOD, "message_id": ["m-1"]}
    gone = ex.run_line("/delete")
    assert (gone.status, gone.text) == (404, "could not delete the message: "
                                             "The message specified in the message_id field was not found.")
    sim.helix.observe("channel.chat.message", payloads.chat_message(payloads.BROADCASTER, "mine", message_id="m-2"))
    recent.messages[None] = Seen("m-2", B_ID, "deskfox")
    assert ex.run_line("/delete").text == ("could not delete the message: You may not delete another "
                                           "moderator's messages or the broadcaster's messages.")
    assert ex.run_line("/clear").text == "cleared the chat"
    assert helix(sim, "DELETE", "/moderation/chat")[-1].query == MOD


def test_announce_and_its_two_second_limit_is_not_retried(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/announce purple giveaway at the end").text == "announced (purple)"
    [req] = helix(sim, "POST", "/chat/announcements")
    assert req.query == MOD and body(req) == {"message": "giveaway at the end", "color": "purple"}
    limited = ex.run_line("/announce again")
    assert limited.status == 429
    assert limited.text == ("could not announce: You may send only one announcement every 2 seconds. "
                            "(Twitch's limit for this action; try again later)")
    assert len(helix(sim, "POST", "/chat/announcements")) == 2  # not retried blindly
    assert body(helix(sim, "POST", "/chat/announcements")[1]) == {"message": "again", "color": "primary"}


def test_shoutout_and_its_cooldown(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/shoutout rustyraccoon").text == "shouted out RustyRaccoon"
    [req] = helix(sim, "POST", "/chat/shoutouts")
    assert req.query == {"from_broadcaster_id": [B_ID], "to_broadcaster_id": ["70000077"], "moderator_id": [B_ID]}
    assert req.body == b""
    again = ex.run_line("/shoutout rustyraccoon")
    assert again.status == 429 and "once every 2 minutes" in again.text
    assert len(helix(sim, "POST", "/chat/shoutouts")) == 2
    sim.helix.shoutout_every = 0
    same = ex.run_line("/shoutout rustyraccoon")
    assert same.text.startswith("could not shout out RustyRaccoon: RustyRaccoon was given a Shoutout in the last 60")
    assert ex.run_line("/shoutout deskfox").text == ("could not shout out DeskFox: "
                                                      "The broadcaster may not give themselves a Shoutout.")


def test_warn(sim, talk) -> None:
    assert talk().run_line("/warn loud_kettle keep it friendly").text == "warned Loud_Kettle"
    [req] = helix(sim, "POST", "/moderation/warnings")
    assert req.query == MOD and body(req) == {"data": {"user_id": KETTLE[0], "reason": "keep it friendly"}}


@pytest.mark.parametrize("line, sent, said", [
    ("/slow 30", {"slow_mode": True, "slow_mode_wait_time": 30}, "slow mode on: 30 s between messages"),
    ("/slow off", {"slow_mode": False}, "slow mode off"),
    ("/followers 10m", {"follower_mode": True, "follower_mode_duration": 10},
     "followers-only chat on (following for 10m)"),
    ("/followers", {"follower_mode": True, "follower_mode_duration": 0}, "followers-only chat on"),
    ("/followers off", {"follower_mode": False}, "followers-only chat off"),
    ("/subs on", {"subscriber_mode": True}, "subscribers-only chat on"),
    ("/emoteonly off", {"emote_mode": False}, "emote-only chat off"),
])
def test_chat_settings(sim, talk, line: str, sent: dict, said: str) -> None:
    assert talk().run_line(line).text == said
    [req] = helix(sim, "PATCH", "/chat/settings")
    assert req.query == MOD and body(req) == sent


def test_raid_and_a_second_raid_conflicts(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/raid rustyraccoon").text == "raiding RustyRaccoon (Twitch starts it in 90 s)"
    [req] = helix(sim, "POST", "/raids")
    assert req.query == {"from_broadcaster_id": [B_ID], "to_broadcaster_id": ["70000077"]}
    again = ex.run_line("/raid rustyraccoon")
    assert (again.status, again.text) == (409, "could not raid RustyRaccoon: The broadcaster is already in the "
                                               "process of raiding another channel.")


def test_allow_and_deny_answer_automod(sim, talk) -> None:
    recent = Recent()
    ex = talk(recent=recent)
    assert ex.run_line("/allow 3").text == "no message #3 is held by AutoMod"
    sim.helix.observe("automod.message.hold", {"message_id": "held-1", "user_id": KETTLE[0]})
    recent.holds[3] = HeldMessage(3, "held-1", KETTLE[0], "loud_kettle", "Loud_Kettle", "")
    recent.holds[4] = HeldMessage(4, "held-2", KETTLE[0], "loud_kettle", "Loud_Kettle", "")
    assert ex.run_line("/deny 3").text == "denied #3 (Loud_Kettle)"
    [req] = helix(sim, "POST", "/moderation/automod/message")
    assert body(req) == {"user_id": B_ID, "msg_id": "held-1", "action": "DENY"}  # user_id: the moderator
    gone = ex.run_line("/allow 4")
    assert (gone.status, gone.text) == (404, "could not allow #4 (Loud_Kettle): "
                                             "The message specified in the msg_id field was not found.")


# -- error paths -------------------------------------------------------------------------------------------

def test_an_unknown_login_is_named_and_nothing_is_done(sim, talk) -> None:
    outcome = talk().run_line("/ban nobody_here")
    assert (outcome.ok, outcome.text) == (False, "no Twitch user is called nobody_here")
    assert helix(sim, "POST", "/moderation/bans") == []


def test_a_missing_scope_is_named_without_a_refresh(sim, talk) -> None:
    ex = talk(scopes=[s for s in ALL_SCOPES if s != "moderator:manage:banned_users"])
    outcome = ex.run_line("/timeout loud_kettle 5m")
    assert (outcome.status, outcome.text) == (401, "could not time out Loud_Kettle: the token lacks the "
                                                   "moderator:manage:banned_users scope; run make auth to grant it")
    assert sim.token_requests == []  # a refresh cannot add a scope
    say = talk(scopes=["user:read:chat"]).run_line("hi")
    assert say.text == "could not send the message: the token lacks the user:write:chat scope; run make auth to grant it"


def test_not_a_moderator_gives_twitchs_message(sim, talk) -> None:
    ex = talk(user=("55500001", "some_viewer", "Some_Viewer"))
    outcome = ex.run_line("/ban loud_kettle")
    assert (outcome.status, outcome.text) == (403, "could not ban Loud_Kettle: The user in moderator_id is not "
                                                   "one of the broadcaster's moderators.")


def test_is_sent_false_shows_the_drop_reason(sim, talk) -> None:
    viewer = talk(user=("55500001", "some_viewer", "Some_Viewer"))
    assert talk().run_line("/emoteonly on").text == "emote-only chat on"
    outcome = viewer.run_line("not an emote")
    assert (outcome.ok, outcome.text) == (False, "not sent: This room is in emote-only mode.")
    assert viewer.run_line("Kappa").text == "sent"  # emotes only: it goes through
    sim.helix.drop_next = ("msg_rejected", "Your message is being checked by mods and has not been sent.")
    assert talk().run_line("hi").text == "not sent: Your message is being checked by mods and has not been sent."


def test_twitchs_422_and_the_local_500_character_check(sim, talk) -> None:
    ex = talk()
    refused = ex.run_line("x" * 501)
    assert refused.text == "the message is 501 characters long; Twitch takes at most 500"
    assert helix(sim, "POST", "/chat/messages") == []  # refused before sending
    too_big = ex.api.send("y" * 501)  # past the grammar: Twitch's own answer
    assert (too_big.status, too_big.text) == (422, "could not send the message: The message is too large.")


def test_409_from_another_moderator(sim, talk) -> None:
    sim.helix.busy.add(KETTLE[0])
    outcome = talk().run_line("/ban loud_kettle")
    assert (outcome.status, outcome.text) == (409, "could not ban Loud_Kettle: The user specified in the user_id "
                                                   "field is being modified by another moderator.")


def test_an_empty_bucket_is_waited_for_with_a_status_line(sim, talk) -> None:
    statuses: list[str] = []
    ex = talk(status=statuses.append)
    sim.rate_limited = 1
    assert ex.run_line("/warn loud_kettle calm down").text == "warned Loud_Kettle"
    assert statuses and statuses[0].startswith("Twitch rate limit reached; retrying in ")
    assert sim.rate_limit_hits == 1


def test_a_per_endpoint_429_is_shown_not_retried(sim, talk) -> None:
    sim.helix.limited["POST /helix/moderation/bans"] = "Too many ban requests for this broadcaster."
    statuses: list[str] = []
    outcome = talk(status=statuses.append).run_line("/ban loud_kettle")
    assert (outcome.status, outcome.text) == (429, "could not ban Loud_Kettle: Too many ban requests for this "
                                                   "broadcaster. (Twitch's limit for this action; try again later)")
    assert len(helix(sim, "POST", "/moderation/bans")) == 1 and statuses == []


def test_twitchs_text_is_sanitized(sim, talk) -> None:
    sim.helix.limited["POST /helix/moderation/warnings"] = "evil \x1b]0;pwned\x07 \x1b[31mred"
    outcome = talk().run_line("/warn loud_kettle x")
    assert "\x1b" not in outcome.text and "\x07" not in outcome.text


def test_logins_are_looked_up_a_hundred_at_a_time_and_cached(sim, talk) -> None:
    ex = talk()
    logins = [f"viewer_{n}" for n in range(150)] + ["loud_kettle"]
    found = ex.users.lookup(logins)
    assert set(found) == {"loud_kettle"}
    calls = helix(sim, "GET", "/users")
    assert [len(c.query["login"]) for c in calls] == [100, 51]
    assert ex.users.lookup(["Loud_Kettle"])["loud_kettle"].id == KETTLE[0]
    assert len(helix(sim, "GET", "/users")) == 2  # cached
    small = UserCache(ex.users.helix, size=2)
    small.remember("1", "a")
    small.remember("2", "b")
    small.remember("3", "c")
    assert small.lookup(["a"]) == {} and len(helix(sim, "GET", "/users")) == 3  # "a" was evicted


# -- the echo ----------------------------------------------------------------------------------------------

def test_a_said_message_arrives_once_over_eventsub(sim, env, start_focus, talk) -> None:
    focus = start_focus()
    sim.wait_subscribed(N_SUBS)
    assert talk().run_line("hello from the shell").text == "sent"
    focus.out.wait_text("DeskFox: hello from the shell")
    sim.notify("channel.chat.message", payloads.chat_message(OTTER, "after the echo"))
    focus.out.wait_text("after the echo")
    assert focus.out.text.count("hello from the shell") == 1
    assert focus.stop() == 0
