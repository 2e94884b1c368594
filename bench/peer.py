"""The peer: a chat client the way pyTwitchAPI's docs build one (PyPI `twitchAPI`).

Runs in the bench's own virtualenv (bench/requirements.txt), never focus's.
The user token is set and validated, the user looked up with Get Users, and
EventSubWebsocket pointed at the simulator through its connection_url and
subscription_url options (the Twitch object through base_url and
auth_base_url).  One `print` per chat message, flushed like a terminal's
line-buffered stdout.  Reads focus's environment variables.
"""

from __future__ import annotations

import asyncio
import os
import sys

from twitchAPI.eventsub.websocket import EventSubWebsocket
from twitchAPI.helper import first
from twitchAPI.object.eventsub import ChannelChatMessageEvent
from twitchAPI.twitch import Twitch
from twitchAPI.type import AuthScope


async def on_chat(data: ChannelChatMessageEvent) -> None:
    print(f"{data.event.chatter_user_name}: {data.event.message.text}", flush=True)


async def run() -> None:
    env = os.environ
    api = env["TWITCH_API_URL"].rstrip("/") + "/"
    twitch = await Twitch(env["TWITCH_CLIENT_ID"], authenticate_app=False, base_url=api,
                          auth_base_url=env["TWITCH_AUTH_URL"].rstrip("/") + "/")
    await twitch.set_user_authentication(env["TWITCH_USER_ACCESS_TOKEN"], [AuthScope.USER_READ_CHAT],
                                         env["TWITCH_REFRESH_TOKEN"])
    user = await first(twitch.get_users())
    if user is None:
        sys.exit("peer: Get Users returned nobody")
    eventsub = EventSubWebsocket(twitch, connection_url=env["TWITCH_EVENTSUB_URL"], subscription_url=api)
    eventsub.start()
    await eventsub.listen_channel_chat_message(user.id, user.id, on_chat)
    await asyncio.Event().wait()


def main() -> int:
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
