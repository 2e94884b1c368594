"""The simulated Twitch's session_reconnect on its own: nothing reaches the new socket before its welcome.

The simulator used to list the new session (with the old one's subscriptions) before it sent the welcome, and
mark the old one superseded only after: a notification in between went to the new socket first (and to the old
one too).  A raw WebSocket client plays the EventSub side; the notification is fired at the very moment the
simulator builds the new socket's welcome (its own payload function, wrapped by the test), so the race is
met every time.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from websockets.sync.client import connect

from conftest import Browser, t
from focuslib.sim import payloads

B_ID = payloads.BROADCASTER[0]


def _kind(frame: str) -> str:
    return json.loads(frame)["metadata"]["message_type"]


def test_no_notification_reaches_the_new_socket_before_its_welcome(sim, monkeypatch) -> None:
    grant = sim.issue_token()
    with connect(sim.ws_url) as old, Browser() as http:
        sid = json.loads(old.recv(timeout=t(5)))["payload"]["session"]["id"]
        resp: requests.Response = http.post(
            sim.api_url + "/eventsub/subscriptions", timeout=t(10),
            headers={"Authorization": f"Bearer {grant.access_token}", "Client-Id": sim.client_id},
            json={"type": "channel.chat.message", "version": "1",
                  "condition": {"broadcaster_user_id": B_ID, "user_id": B_ID},
                  "transport": {"method": "websocket", "session_id": sid}})
        assert resp.status_code == 202, resp.text
        [url] = sim.reconnect()
        assert _kind(old.recv(timeout=t(5))) == "session_reconnect"
        welcome = payloads.welcome
        fired: list[str] = []

        def welcome_after_a_notification(*args: Any, **kwargs: Any) -> dict[str, Any]:
            fired.append(sim.notify("channel.chat.message", payloads.chat_message(("9", "ann", "Ann"), "in between")))
            return welcome(*args, **kwargs)

        monkeypatch.setattr(payloads, "welcome", welcome_after_a_notification)
        with connect(url) as new:
            first = new.recv(timeout=t(5))
            assert _kind(first) == "session_welcome", first
            assert fired
            frame = json.loads(old.recv(timeout=t(5)))  # the old socket still delivers until the welcome
            assert (frame["metadata"]["message_type"], frame["metadata"]["message_id"]) == ("notification", fired[0])
            after = sim.notify("channel.chat.message", payloads.chat_message(("9", "ann", "Ann"), "after"))
            frame = json.loads(new.recv(timeout=t(5)))  # then the new one, and only it
            assert frame["metadata"]["message_id"] == after
