"""The simulated Twitch's channel, role, poll and rate-limit sides on their own (issue 20's endpoints).

Raw `requests` calls play the Helix side and a raw WebSocket client the EventSub side, as in
test_sim_helix.py: these pin down what the double answers, with Twitch's validation, scopes and rate limits,
so focus's own tests can rely on it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from websockets.sync.client import connect

from conftest import Browser, t
from focuslib.sim import SimTwitch
from focuslib.sim import payloads
from focuslib.sim.state import ALL_SCOPES
from focuslib.sim.triggers import FRIEND, HERON, KATZE, KETTLE, MOSS, OTTER
from test_sim_helix import _next, api  # noqa: F401  (the fixture)

B_ID = payloads.BROADCASTER[0]
B = {"broadcaster_id": B_ID}
MOD = {"broadcaster_id": B_ID, "moderator_id": B_ID}


@pytest.mark.parametrize("method, path, params, body, status, message", [
    ("GET", "/channels/followers", {}, None, 400, 'Missing required parameter "broadcaster_id"'),
    ("GET", "/channels/followers", {**B, "first": "101"}, None, 400,
     "The value in the first query parameter is not valid."),
    ("PUT", "/moderation/shield_mode", MOD, {}, 400, "The is_active field is required."),
    ("PUT", "/moderation/shield_mode", MOD, {"is_active": "yes"}, 400,
     "The value in the is_active field is not valid."),
    ("PUT", "/moderation/shield_mode", {**MOD, "moderator_id": "1"}, {"is_active": True}, 401,
     "The ID in moderator_id must match the user ID in the user access token."),
    ("POST", "/channels/vips", {**B, "user_id": MOSS[0]}, None, 422,
     "The user in user_id is a moderator. To make them a VIP, you must first remove them as a moderator."),
    ("POST", "/channels/vips", {**B, "user_id": KATZE[0]}, None, 422, "The user in user_id is already a VIP."),
    ("POST", "/channels/vips", {**B, "user_id": "404404"}, None, 404, "The ID in user_id was not found."),
    ("DELETE", "/channels/vips", {**B, "user_id": KETTLE[0]}, None, 422,
     "The user in user_id is not a VIP in the broadcaster's channel."),
    ("POST", "/channels/vips", {"broadcaster_id": "1", "user_id": KETTLE[0]}, None, 401,
     "The ID in broadcaster_id must match the user ID in the access token."),
    ("POST", "/moderation/moderators", {**B, "user_id": MOSS[0]}, None, 400,
     "The user in user_id is already a moderator in the broadcaster's chat room."),
    ("POST", "/moderation/moderators", {**B, "user_id": KATZE[0]}, None, 422,
     "The user in user_id is a VIP. To make them a moderator, you must first remove them as a VIP."),
    ("DELETE", "/moderation/moderators", {**B, "user_id": KETTLE[0]}, None, 400,
     "The user in user_id is not a moderator in the broadcaster's chat room."),
    ("POST", "/streams/markers", None, {"user_id": B_ID, "description": "x" * 141}, 400,
     "The length of the string in the description field is too long."),
    ("POST", "/streams/markers", None, {}, 400, 'Missing required parameter "user_id"'),
    ("PATCH", "/channels", B, {"title": " "}, 400, "The title field may not contain an empty string."),
    ("PATCH", "/channels", B, {"game_id": "nope"}, 400, "The ID in game_id is not valid."),
    ("PATCH", "/channels", B, {}, 400, "The request must update at least one property."),
    ("PATCH", "/channels", {"broadcaster_id": "1"}, {"title": "x"}, 401,
     "The ID in broadcaster_id must match the user ID found in the OAuth token."),
    ("GET", "/search/categories", {}, None, 400, 'Missing required parameter "query"'),
    ("POST", "/channels/commercial", None, {"broadcaster_id": B_ID}, 400, 'Missing required parameter "length"'),
    ("DELETE", "/raids", B, None, 404, "The broadcaster doesn't have a pending raid to cancel."),
    ("POST", "/whispers", {"from_user_id": B_ID, "to_user_id": "404404"}, {"message": "hi"}, 404,
     "The ID in to_user_id was not found."),
    ("POST", "/whispers", {"from_user_id": B_ID, "to_user_id": B_ID}, {"message": "hi"}, 400,
     "The user in from_user_id may not whisper themselves."),
    ("POST", "/whispers", {"from_user_id": B_ID, "to_user_id": OTTER[0]}, {}, 400,
     'Missing required parameter "message"'),
    ("POST", "/polls", None, {**B, "title": "q", "choices": [{"title": "a"}], "duration": 60}, 400,
     "The number of choices in the poll may not be less than 2 or greater that 5."),
    ("POST", "/polls", None, {**B, "title": "q" * 61, "choices": [{"title": "a"}, {"title": "b"}], "duration": 60},
     400, "The poll's title is too long."),
    ("POST", "/polls", None, {**B, "title": "q", "choices": [{"title": "a"}, {"title": "b"}], "duration": 14}, 400,
     "The value in duration is outside the allowed range of values."),
    ("POST", "/polls", None, {**B, "title": "q", "choices": [{"title": "a" * 26}, {"title": "b"}], "duration": 60},
     400, "The choice's title is too long."),
    ("PATCH", "/polls", None, {**B, "id": "x", "status": "DONE"}, 400, "The value in the status field is not valid."),
    ("POST", "/predictions", None, {**B, "title": "q", "outcomes": [{"title": "a"}, {"title": "b"}],
                                    "prediction_window": 29}, 400,
     "The value in prediction_window is outside the allowed range of values."),
    ("PATCH", "/predictions", None, {**B, "id": "x", "status": "LOCKED"}, 404,
     "The prediction in the id field was not found."),
])
def test_twitchs_validation_answers(api, method, path, params, body, status, message) -> None:
    resp = api(method, path, params, body)
    assert (resp.status_code, resp.json()["message"]) == (status, message)


@pytest.mark.parametrize("method, path, scope", [
    ("GET", "/channels/followers", "moderator:read:followers"),
    ("PUT", "/moderation/shield_mode", "moderator:manage:shield_mode"),
    ("POST", "/channels/vips", "channel:manage:vips"),
    ("POST", "/moderation/moderators", "channel:manage:moderators"),
    ("POST", "/streams/markers", "channel:manage:broadcast"),
    ("PATCH", "/channels", "channel:manage:broadcast"),
    ("POST", "/channels/commercial", "channel:edit:commercial"),
    ("POST", "/whispers", "user:manage:whispers"),
    ("POST", "/polls", "channel:manage:polls"),
    ("PATCH", "/predictions", "channel:manage:predictions"),
])
def test_each_call_needs_its_scope(sim, method, path, scope) -> None:
    grant = sim.issue_token(scopes=[s for s in ALL_SCOPES if s != scope])
    with Browser() as http:
        resp = http.request(method, sim.api_url + path, headers={"Authorization": f"Bearer {grant.access_token}",
                                                                 "Client-Id": sim.client_id})
    assert resp.status_code == 401 and resp.json()["message"] == f"Missing scope: {scope}"


def test_followers_answer_for_one_user_with_followed_at_or_nothing(sim, api) -> None:
    sim.helix.follow(HERON, 30)
    [row] = api("GET", "/channels/followers", {**B, "user_id": HERON[0]}).json()["data"]
    assert (row["user_login"], row["user_name"]) == (HERON[1], HERON[2])
    age = time.time() - time.mktime(time.strptime(row["followed_at"], "%Y-%m-%dT%H:%M:%SZ")) + time.timezone
    assert 30 * 86400 - 5 <= age <= 30 * 86400 + 5
    nobody = api("GET", "/channels/followers", {**B, "user_id": "70100001"}).json()
    assert nobody["data"] == [] and nobody["pagination"] == {} and nobody["total"] == len(sim.helix.followers)
    sim.notify("channel.follow", payloads.follow(("70100001", "new_one", "New_One")))  # follows from now on
    [fresh] = api("GET", "/channels/followers", {**B, "user_id": "70100001"}).json()["data"]
    assert fresh["user_login"] == "new_one"


def test_followers_list_pages_newest_first_and_a_non_moderator_sees_the_count_only(sim, api) -> None:
    first = api("GET", "/channels/followers", {**B, "first": "2"}).json()
    rest = api("GET", "/channels/followers", {**B, "first": "100", "after": first["pagination"]["cursor"]}).json()
    ages = [row["followed_at"] for row in first["data"] + rest["data"]]
    assert ages == sorted(ages, reverse=True) and len(ages) == first["total"] and rest["pagination"] == {}
    viewer = sim.issue_token(user=OTTER)
    with Browser() as http:
        resp = http.get(sim.api_url + "/channels/followers", params=B,
                        headers={"Authorization": f"Bearer {viewer.access_token}", "Client-Id": sim.client_id})
    assert resp.json() == {"total": first["total"], "data": [], "pagination": {}}


def test_shield_mode_turns_on_and_off_once_over_eventsub(sim, api) -> None:
    with connect(sim.ws_url) as ws:
        _subscribe_bm(sim, api, ws, "channel.shield_mode.begin", "channel.shield_mode.end")
        assert api("GET", "/moderation/shield_mode", MOD).json()["data"][0]["is_active"] is False
        on = api("PUT", "/moderation/shield_mode", MOD, {"is_active": True}).json()["data"][0]
        assert on["is_active"] is True and on["moderator_login"] == "deskfox" and on["last_activated_at"]
        api("PUT", "/moderation/shield_mode", MOD, {"is_active": True})  # already on: nothing happens
        api("PUT", "/moderation/shield_mode", MOD, {"is_active": False})
        assert _next(ws)["metadata"]["subscription_type"] == "channel.shield_mode.begin"
        assert _next(ws)["metadata"]["subscription_type"] == "channel.shield_mode.end"
    assert api("GET", "/moderation/shield_mode", MOD).json()["data"][0]["is_active"] is False


def _subscribe_bm(sim: SimTwitch, api: Any, ws: Any, *types: str) -> None:
    sid = __import__("json").loads(ws.recv(timeout=t(5)))["payload"]["session"]["id"]
    for stype in types:
        resp = api("POST", "/eventsub/subscriptions", None, {
            "type": stype, "version": "1", "condition": {"broadcaster_user_id": B_ID, "moderator_user_id": B_ID},
            "transport": {"method": "websocket", "session_id": sid}})
        assert resp.status_code == 202, resp.text


def test_vips_and_moderators_change_and_list_and_changes_are_limited(sim, api) -> None:
    assert api("POST", "/channels/vips", {**B, "user_id": KETTLE[0]}).status_code == 204
    vips = [row["user_login"] for row in api("GET", "/channels/vips", B).json()["data"]]
    assert vips == ["kaffeekatze", "loud_kettle"]
    assert api("DELETE", "/channels/vips", {**B, "user_id": KETTLE[0]}).status_code == 204
    assert api("POST", "/moderation/moderators", {**B, "user_id": HERON[0]}).status_code == 204
    mods = [row["user_login"] for row in api("GET", "/moderation/moderators", B).json()["data"]]
    assert mods == ["mossy_lantern", "byte_heron"]
    sim.helix.bans[OTTER[0]] = None
    banned = api("POST", "/moderation/moderators", {**B, "user_id": OTTER[0]})
    assert banned.json()["message"] == "The user in user_id cannot become a moderator because they're banned " \
                                       "from the channel."
    for _ in range(8):  # 2 changes above, 8 more fill the 10 a 10 s
        api("POST", "/channels/vips", {**B, "user_id": KETTLE[0]})
        api("DELETE", "/channels/vips", {**B, "user_id": KETTLE[0]})
    limited = api("POST", "/channels/vips", {**B, "user_id": KETTLE[0]})
    assert limited.status_code == 429 and limited.headers["Ratelimit-Remaining"] != "0"  # points left: per endpoint


def test_markers_and_ads_need_a_live_stream_and_ads_a_cooldown(sim, api) -> None:
    marker = api("POST", "/streams/markers", None, {"user_id": B_ID, "description": "found the bug"}).json()["data"][0]
    assert marker["description"] == "found the bug" and marker["position_seconds"] >= 0 and marker["id"]
    ad = api("POST", "/channels/commercial", None, {"broadcaster_id": B_ID, "length": 200}).json()["data"][0]
    assert ad == {"length": 180, "message": "", "retry_after": 480}
    again = api("POST", "/channels/commercial", None, {"broadcaster_id": B_ID, "length": 30})
    assert again.status_code == 429
    sim.notify("stream.offline", {"broadcaster_user_id": B_ID})
    off = api("POST", "/streams/markers", None, {"user_id": B_ID})
    assert (off.status_code, off.json()["message"]) == (404, "The user in the user_id field is not streaming live.")


def test_channel_information_title_and_category(sim, api) -> None:
    assert api("PATCH", "/channels", B, {"title": "fixing the parser", "game_id": "509658"}).status_code == 204
    [info] = api("GET", "/channels", B).json()["data"]
    assert (info["title"], info["game_id"], info["game_name"]) == ("fixing the parser", "509658", "Just Chatting")
    found = api("GET", "/search/categories", {"query": "RUST"}).json()["data"]
    assert [c["name"] for c in found] == ["Rust", "Rusty Lake Hotel"]  # every word, any case
    assert [c["name"] for c in api("GET", "/search/categories", {"query": "game dev"}).json()["data"]] == [
        "Software and Game Development"]


def test_a_pending_raid_can_be_canceled_once(sim, api) -> None:
    assert api("POST", "/raids", {"from_broadcaster_id": B_ID, "to_broadcaster_id": FRIEND[0]}).status_code == 200
    assert api("DELETE", "/raids", B).status_code == 204
    assert api("DELETE", "/raids", B).status_code == 404


def test_whispers_need_a_verified_phone_and_reach_40_recipients_a_day(sim, api) -> None:
    assert api("POST", "/whispers", {"from_user_id": B_ID, "to_user_id": OTTER[0]}, {"message": "psst"}).status_code \
        == 204
    assert sim.helix.whispers == [(OTTER[0], "psst")]
    sim.helix.whispered |= {str(n) for n in range(39)}
    full = api("POST", "/whispers", {"from_user_id": B_ID, "to_user_id": HERON[0]}, {"message": "hi"})
    assert (full.status_code, full.json()["message"]) == (
        429, "You may whisper to a maximum of 40 unique recipients per day.")
    sim.helix.phone_verified = False
    unverified = api("POST", "/whispers", {"from_user_id": B_ID, "to_user_id": OTTER[0]}, {"message": "hi"})
    assert unverified.json()["message"] == "The user in from_user_id must have a verified phone number."


def test_one_poll_at_a_time_ended_early_over_eventsub(sim, api) -> None:
    with connect(sim.ws_url) as ws:
        _subscribe_b(api, ws, "channel.poll.begin", "channel.poll.end")
        body = {**B, "title": "Tabs or spaces?", "choices": [{"title": "Tabs"}, {"title": "Spaces"}], "duration": 60}
        poll = api("POST", "/polls", None, body).json()["data"][0]
        assert poll["status"] == "ACTIVE" and [c["title"] for c in poll["choices"]] == ["Tabs", "Spaces"]
        second = api("POST", "/polls", None, body)
        assert second.status_code == 400 and "already has a poll" in second.json()["message"]
        [listed] = api("GET", "/polls", B).json()["data"]
        assert listed["id"] == poll["id"]
        ended = api("PATCH", "/polls", None, {**B, "id": poll["id"], "status": "TERMINATED"}).json()["data"][0]
        assert ended["status"] == "TERMINATED"
        assert _next(ws)["payload"]["event"]["id"] == poll["id"]
        end = _next(ws)
        assert end["metadata"]["subscription_type"] == "channel.poll.end"
        assert end["payload"]["event"]["status"] == "terminated"
    assert api("PATCH", "/polls", None, {**B, "id": poll["id"], "status": "TERMINATED"}).status_code == 400


def test_a_prediction_locks_and_resolves_by_outcome_id(sim, api) -> None:
    with connect(sim.ws_url) as ws:
        _subscribe_b(api, ws, "channel.prediction.begin", "channel.prediction.lock", "channel.prediction.end")
        body = {**B, "title": "Will it compile?", "outcomes": [{"title": "yes"}, {"title": "no"}],
                "prediction_window": 60}
        p = api("POST", "/predictions", None, body).json()["data"][0]
        no = p["outcomes"][1]["id"]
        assert api("PATCH", "/predictions", None, {**B, "id": p["id"], "status": "LOCKED"}).status_code == 200
        again = api("PATCH", "/predictions", None, {**B, "id": p["id"], "status": "LOCKED"})
        assert again.status_code == 400
        missing = api("PATCH", "/predictions", None, {**B, "id": p["id"], "status": "RESOLVED"})
        assert missing.json()["message"] == "The winning_outcome_id field is required if status is RESOLVED."
        done = api("PATCH", "/predictions", None, {**B, "id": p["id"], "status": "RESOLVED",
                                                   "winning_outcome_id": no}).json()["data"][0]
        assert done["status"] == "RESOLVED" and done["winning_outcome_id"] == no
        kinds = [_next(ws)["metadata"]["subscription_type"] for _ in range(2)]
        end = _next(ws)["payload"]["event"]
        assert kinds == ["channel.prediction.begin", "channel.prediction.lock"]
        assert end["winning_outcome_id"] == no and end["outcomes"][1]["id"] == no


def _subscribe_b(api: Any, ws: Any, *types: str) -> None:
    sid = __import__("json").loads(ws.recv(timeout=t(5)))["payload"]["session"]["id"]
    for stype in types:
        resp = api("POST", "/eventsub/subscriptions", None, {
            "type": stype, "version": "1", "condition": {"broadcaster_user_id": B_ID},
            "transport": {"method": "websocket", "session_id": sid}})
        assert resp.status_code == 202, resp.text


def test_every_call_costs_a_point_and_an_empty_bucket_answers_429_until_it_refills(sim, api) -> None:
    sim.buckets.size, sim.buckets.per = 5, 0.5  # 5 points, full again in half a second
    remaining = [api("GET", "/users").headers["Ratelimit-Remaining"] for _ in range(5)]
    assert remaining == ["4", "3", "2", "1", "0"]
    empty = api("GET", "/users")
    assert empty.status_code == 429 and empty.headers["Ratelimit-Remaining"] == "0"
    assert int(empty.headers["Ratelimit-Reset"]) >= int(time.time())
    assert sim.rate_limit_hits == 1
    time.sleep(0.25)  # the simulator's own clock: half the bucket is back
    assert api("GET", "/users").status_code == 200
    other = sim.issue_token(user=OTTER)  # another user: a bucket of its own
    with Browser() as http:
        resp = http.get(sim.api_url + "/users", headers={"Authorization": f"Bearer {other.access_token}",
                                                         "Client-Id": sim.client_id})
    assert resp.status_code == 200 and resp.headers["Ratelimit-Remaining"] == "4"


def test_a_route_can_be_made_to_fail_or_to_take_its_time(sim, api) -> None:
    sim.helix.broken["GET /helix/channels/followers"] = (503, "Service Unavailable")
    assert api("GET", "/channels/followers", {**B, "user_id": OTTER[0]}).status_code == 503
    del sim.helix.broken["GET /helix/channels/followers"]
    sim.helix.slow["GET /helix/channels/followers"] = 0.3
    began = time.monotonic()
    assert api("GET", "/channels/followers", {**B, "user_id": OTTER[0]}).status_code == 200
    assert time.monotonic() - began >= 0.3
    assert requests.get(sim.http_base + "/helix/users", timeout=t(5)).status_code == 401  # no token, no call
