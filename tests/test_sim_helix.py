"""The simulated Twitch's Helix side on its own: Twitch's validation answers, and the AutoMod loop over EventSub.

A raw WebSocket client plays the EventSub side, `requests` the Helix side: nothing of focus is involved, so
these pin down what the double does (focus's own tests rely on it).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
import requests
from websockets.sync.client import ClientConnection, connect

from conftest import Browser, t
from focuslib.sim import SimTwitch
from focuslib.sim import payloads
from focuslib.sim.triggers import KETTLE

B_ID = payloads.BROADCASTER[0]


@pytest.fixture
def api(sim: SimTwitch) -> Iterator[Any]:
    grant = sim.issue_token()
    with Browser() as http:
        http.headers.update({"Authorization": f"Bearer {grant.access_token}", "Client-Id": sim.client_id})

        def call(method: str, path: str, params: Any = None, body: Any = None) -> requests.Response:
            return http.request(method, sim.api_url + path, params=params, json=body, timeout=t(10))

        call.token = grant.access_token  # type: ignore[attr-defined]
        yield call


MOD = {"broadcaster_id": B_ID, "moderator_id": B_ID}


@pytest.mark.parametrize("method, path, params, body, status, message", [
    ("GET", "/moderation/banned", {}, None, 400, 'Missing required parameter "broadcaster_id"'),
    ("GET", "/moderation/banned", {"broadcaster_id": "1"}, None, 401,
     "The ID in broadcaster_id must match the user ID found in the request's OAuth token."),
    ("POST", "/chat/messages", None, {"broadcaster_id": B_ID, "sender_id": B_ID}, 400,
     'Missing required parameter "message"'),
    ("POST", "/chat/messages", None, {"broadcaster_id": B_ID, "sender_id": "1", "message": "hi"}, 403,
     "The sender must be the user in the access token."),
    ("POST", "/chat/messages", None, {"broadcaster_id": B_ID, "sender_id": B_ID, "message": "hi",
                                      "for_source_only": True}, 400,
     "for_source_only may only be set with an app access token."),
    ("POST", "/chat/messages", None, {"broadcaster_id": B_ID, "sender_id": B_ID, "message": "x" * 501}, 422,
     "The message is too large."),
    ("POST", "/moderation/bans", {"broadcaster_id": B_ID}, {"data": {"user_id": KETTLE[0]}}, 400,
     'Missing required parameter "moderator_id"'),
    ("POST", "/moderation/bans", MOD, {"user_id": KETTLE[0]}, 400, 'Missing required parameter "data"'),
    ("POST", "/moderation/bans", MOD, {"data": {"user_id": KETTLE[0], "duration": 1_209_601}}, 400,
     "The value in the duration field is not valid."),
    ("POST", "/moderation/bans", MOD, {"data": {"user_id": KETTLE[0], "duration": 0}}, 400,
     "The value in the duration field is not valid."),
    ("POST", "/moderation/bans", MOD, {"data": {"user_id": KETTLE[0], "reason": "r" * 501}}, 400,
     "The text in the reason field is too long."),
    ("POST", "/moderation/bans", MOD, {"data": {"user_id": B_ID}}, 400,
     "The user specified in the user_id field may not be banned."),
    ("POST", "/moderation/bans", {**MOD, "moderator_id": "1"}, {"data": {"user_id": KETTLE[0]}}, 403,
     "The ID in moderator_id must match the user ID in the access token."),
    ("POST", "/moderation/warnings", MOD, {"data": {"user_id": KETTLE[0]}}, 400,
     'Missing required parameter "reason"'),
    ("POST", "/chat/announcements", MOD, {"message": "hi", "color": "red"}, 400, "The color is not valid."),
    ("PATCH", "/chat/settings", MOD, {"slow_mode": True, "slow_mode_wait_time": 2}, 400,
     "The value of slow_mode_wait_time must be from 3 through 120."),
    ("PATCH", "/chat/settings", MOD, {"follower_mode": True, "follower_mode_duration": 129601}, 400,
     "The value of follower_mode_duration must be from 0 through 129600."),
    ("PATCH", "/chat/settings", MOD, {"loud_mode": True}, 400, "Unknown setting: loud_mode"),
    ("POST", "/moderation/automod/message", None, {"user_id": B_ID, "msg_id": "x", "action": "MAYBE"}, 400,
     "The value in the action field is not valid."),
    ("POST", "/raids", {"from_broadcaster_id": B_ID, "to_broadcaster_id": B_ID}, None, 400,
     "The broadcaster may not raid themselves."),
    ("GET", "/users", [("login", f"u{n}") for n in range(101)], None, 400,
     "The sum of the ids and logins must not exceed 100."),
])
def test_twitchs_validation_answers(api, method, path, params, body, status, message) -> None:
    resp = api(method, path, params, body)
    assert (resp.status_code, resp.json()["message"]) == (status, message)
    assert resp.headers["Ratelimit-Remaining"] == "799"  # a refusal, not a rate limit


def test_users_by_login_and_id_and_the_tokens_own(api) -> None:
    assert [u["login"] for u in api("GET", "/users").json()["data"]] == ["deskfox"]
    found = api("GET", "/users", [("login", "Loud_Kettle"), ("login", "nobody"), ("id", "70000077")]).json()
    assert [(u["id"], u["login"]) for u in found["data"]] == [(KETTLE[0], "loud_kettle"),
                                                            ("70000077", "rustyraccoon")]


def _subscribe(sim: SimTwitch, api: Any, ws: ClientConnection, *types: str) -> None:
    welcome = json.loads(ws.recv(timeout=t(5)))
    sid = welcome["payload"]["session"]["id"]
    for stype in types:
        version = "2" if stype.startswith("automod") else "1"
        condition = ({"broadcaster_user_id": B_ID, "moderator_user_id": B_ID} if stype.startswith("automod")
                     else {"broadcaster_user_id": B_ID, "user_id": B_ID})
        resp = api("POST", "/eventsub/subscriptions", None, {"type": stype, "version": version, "condition": condition,
                                                             "transport": {"method": "websocket", "session_id": sid}})
        assert resp.status_code == 202, resp.text


def _next(ws: ClientConnection) -> dict[str, Any]:
    while True:
        frame = json.loads(ws.recv(timeout=t(5)))
        if frame["metadata"]["message_type"] == "notification":
            return frame


def test_the_automod_loop_hold_allow_deny_and_gone(sim, api) -> None:
    with connect(sim.ws_url) as ws:
        _subscribe(sim, api, ws, "automod.message.hold", "automod.message.update", "channel.chat.message")
        assert requests.post(sim.http_base + "/sim/trigger", json={"event": "automod"}, timeout=t(5)).ok
        hold = _next(ws)
        assert hold["metadata"]["subscription_type"] == "automod.message.hold"
        assert hold["metadata"]["subscription_version"] == "2"
        held = hold["payload"]["event"]
        assert (held["user_login"], held["reason"], held["automod"]["category"]) == ("loud_kettle", "automod",
                                                                                    "bullying")
        resp = api("POST", "/moderation/automod/message", None, {"user_id": B_ID, "msg_id": held["message_id"],
                                                                  "action": "ALLOW"})
        assert resp.status_code == 204
        update = _next(ws)
        assert update["metadata"]["subscription_type"] == "automod.message.update"
        assert (update["payload"]["event"]["status"], update["payload"]["event"]["moderator_user_login"]) == (
            "Approved", "deskfox")
        chat = _next(ws)  # allowed: it then arrives as normal chat, with the held message's id
        assert chat["metadata"]["subscription_type"] == "channel.chat.message"
        assert (chat["payload"]["event"]["message_id"], chat["payload"]["event"]["message"]["text"]) == (
            held["message_id"], held["message"]["text"])
        again = api("POST", "/moderation/automod/message", None, {"user_id": B_ID, "msg_id": held["message_id"],
                                                                   "action": "DENY"})
        assert (again.status_code, again.json()["message"]) == (
            404, "The message specified in the msg_id field was not found.")
        sim.notify("automod.message.hold", {**held, "message_id": "second"})
        _next(ws)
        api("POST", "/moderation/automod/message", None, {"user_id": B_ID, "msg_id": "second", "action": "DENY"})
        denied = _next(ws)["payload"]["event"]
        assert (denied["message_id"], denied["status"]) == ("second", "Denied")
        sim.notify("automod.message.hold", {**held, "message_id": "third"})
        _next(ws)
        assert sim.helix.expire("third")
        expired = _next(ws)["payload"]["event"]
        assert (expired["message_id"], expired["status"], expired["moderator_user_id"]) == ("third", "Expired", None)
        sim.notify("channel.chat.message", payloads.chat_message(KETTLE, "marker"))
        assert _next(ws)["payload"]["event"]["message"]["text"] == "marker"  # nothing else came after Denied


def test_a_sent_message_is_echoed_once_with_its_reply(sim, api) -> None:
    with connect(sim.ws_url) as ws:
        _subscribe(sim, api, ws, "channel.chat.message")
        sim.notify("channel.chat.message", payloads.chat_message(KETTLE, "question?", message_id="parent"))
        _next(ws)
        resp = api("POST", "/chat/messages", None, {"broadcaster_id": B_ID, "sender_id": B_ID, "message": "answer",
                                                    "reply_parent_message_id": "parent"})
        sent = resp.json()["data"][0]
        assert sent["is_sent"] is True and sent["drop_reason"] is None
        echo = _next(ws)["payload"]["event"]
        assert (echo["message_id"], echo["chatter_user_login"], echo["message"]["text"]) == (
            sent["message_id"], "deskfox", "answer")
        assert echo["reply"]["parent_message_id"] == "parent" and echo["reply"]["parent_user_login"] == "loud_kettle"
        sim.notify("channel.chat.message", payloads.chat_message(KETTLE, "marker"))
        assert _next(ws)["payload"]["event"]["message"]["text"] == "marker"  # the echo came once
