"""The simulated Twitch's state is shared by its threads: a notification is built while a subscription arrives.

The bench (and any test that pushes chat while focus is still subscribing) builds notification frames in one
thread while the simulator's HTTP thread creates subscriptions on the same session.  Building a frame used
to walk the session's subscriptions without the simulator's lock, and a subscription created meanwhile
stopped it with "dictionary changed size during iteration" (a bench burst in CI, and the keystroke phase,
which then waited for chat that was never sent).  The test makes the creation happen in the middle of that
walk every time: the first routing check of the walk starts it and gives it the chance to finish.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from websockets.sync.client import connect

from conftest import t
from focuslib.sim import payloads, server

B_ID = payloads.BROADCASTER[0]


def _body(stype: str, sid: str) -> dict[str, Any]:
    return {"type": stype, "version": "1", "condition": {"broadcaster_user_id": B_ID, "user_id": B_ID},
            "transport": {"method": "websocket", "session_id": sid}}


def test_a_frame_built_while_a_subscription_arrives(sim, monkeypatch) -> None:
    grant = sim.issue_token()
    with connect(sim.ws_url) as ws:
        sid = json.loads(ws.recv(timeout=t(5)))["payload"]["session"]["id"]
        assert sim.create_subscription(_body("channel.chat.message", sid), grant, sim.client_id)[0] == 202
        session = sim.sessions[sid]
        created: list[int] = []
        creator = threading.Thread(target=lambda: created.append(
            sim.create_subscription(_body("channel.chat.notification", sid), grant, sim.client_id)[0]))
        routes = server._routes

        def routes_while_a_subscription_arrives(sub: dict[str, Any], event: dict[str, Any] | None) -> bool:
            if not creator.is_alive() and not created:
                creator.start()
                creator.join(t(1))  # done at once unless the walk holds the simulator's lock (it must)
                return False  # walk on: the next step is where a changed dict would stop it
            return routes(sub, event)

        monkeypatch.setattr(server, "_routes", routes_while_a_subscription_arrives)
        event = payloads.chat_message(("9", "ann", "Ann"), "hi")
        frame = sim.notification_frame(session, "channel.chat.message", event)
        creator.join(t(5))
        assert json.loads(frame)["payload"]["event"]["message"]["text"] == "hi"
        assert created == [202]
        assert sorted(sub["type"] for sub in session.subscriptions.values()) == [
            "channel.chat.message", "channel.chat.notification"]
