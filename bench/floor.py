"""The floor: the least any Python EventSub chat client does.

websocket-client receive (UTF-8 left to json.loads, as in focus:
skip_utf8_validation=True), `json.loads`, one `print` per chat message, and
the one HTTP subscription POST (http.client) a client needs before Twitch
sends anything.  No token check, no state, no colors, no dedupe, no
reconnect.  `flush=True` because on a terminal stdout is line-buffered: the
floor pays the same one write per line there, and a pipe must not hide lines
in a buffer during the latency runs.  Reads focus's environment variables.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
from urllib.parse import urlsplit

import websocket


def subscribe(session_id: str) -> None:
    env = os.environ
    api = urlsplit(env["TWITCH_API_URL"])
    user = env["TWITCH_USER_ID"]
    conn_class = http.client.HTTPSConnection if api.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(api.hostname or "", api.port, timeout=10)
    body = json.dumps({"type": "channel.chat.message", "version": "1",
                       "condition": {"broadcaster_user_id": user, "user_id": user},
                       "transport": {"method": "websocket", "session_id": session_id}})
    conn.request("POST", api.path.rstrip("/") + "/eventsub/subscriptions", body,
                 {"Client-Id": env["TWITCH_CLIENT_ID"], "Content-Type": "application/json",
                  "Authorization": "Bearer " + env["TWITCH_USER_ACCESS_TOKEN"]})
    resp = conn.getresponse()
    answer = resp.read()
    conn.close()
    if resp.status != 202:
        sys.exit(f"floor: the subscription failed: {resp.status} {answer[:200]!r}")


def main() -> int:
    ws = websocket.create_connection(os.environ["TWITCH_EVENTSUB_URL"], skip_utf8_validation=True,
                                     suppress_origin=True)
    try:
        while True:
            msg = json.loads(ws.recv())
            kind = msg["metadata"]["message_type"]
            if kind == "notification":
                event = msg["payload"]["event"]
                print(f"{event['chatter_user_name']}: {event['message']['text']}", flush=True)
            elif kind == "session_welcome":
                subscribe(msg["payload"]["session"]["id"])
    except (KeyboardInterrupt, websocket.WebSocketConnectionClosedException, BrokenPipeError):
        return 0


if __name__ == "__main__":
    sys.exit(main())
