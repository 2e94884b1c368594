"""The demo channel: a scripted, looping stream played into the simulator.

One loop shows every kind of line focus draws: chat with badges, emotes,
mentions, replies, /me, highlights, first-time chatters, shared chat; every
chat notice; moderation; and every channel event, including a follow flood
and a gift bomb.  Moments are played the way Twitch reports them (see
`triggers`), so focus's one-line-per-fact rules are on show too.
"""

from __future__ import annotations

import threading
from typing import Callable

from focuslib import threads

from .server import SimTwitch
from .triggers import HERON, KATZE, KETTLE, MOSS, OTTER, TINY, TRIGGERS, Frames, gift_bomb, say

Step = tuple[float, Callable[[], Frames]]


def _say(who: tuple[str, str, str], text: str) -> Callable[[], Frames]:
    return lambda: say(who, text)


def _moment(name: str) -> Callable[[], Frames]:
    return TRIGGERS[name]


def _follow_flood() -> Frames:
    return [frame for _ in range(9) for frame in TRIGGERS["follow"]()]


SCRIPT: list[Step] = [
    (0.6, _moment("online")),
    (0.8, _say(OTTER, "hey @DeskFox, what are we building today? HeyGuys")),
    (1.2, _say(MOSS, "welcome in everyone, be nice to the compiler SeemsGood")),
    (1.4, _say(HERON, "is that neovim? the colors are so clean")),
    (1.2, _moment("follow")),
    (1.1, _say(KATZE, "@byte_heron it is, with a custom theme 🦊")),
    (1.4, _say(TINY, "こんにちは！ terminal chat looks great 👍")),
    (1.3, _moment("sub")),
    (1.0, _moment("reply")),
    (1.2, _moment("action")),
    (1.3, _moment("intro")),
    (1.4, _moment("resub")),
    (1.2, _say(KETTLE, "that borrow checker error is a classic, it happens every time you keep a reference "
                       "around across a call that needs the value mutably LUL")),
    (1.3, _moment("cheer")),
    (1.2, _moment("goal-begin")),
    (1.2, _moment("highlight")),
    (1.4, _moment("redeem-text")),
    (1.2, _moment("gift")),
    (1.5, lambda: gift_bomb(MOSS, 5)),
    (1.4, _moment("upgrade")),
    (1.2, _moment("prime-upgrade")),
    (1.2, _moment("payforward")),
    (1.3, _moment("announce")),
    (1.3, _moment("poll-begin")),
    (1.2, _say(OTTER, "spaces, obviously Kappa")),
    (1.3, _moment("poll-progress")),
    (1.4, _moment("poll-end")),
    (1.2, _moment("goal-progress")),
    (1.3, _moment("raid")),
    (0.6, _follow_flood),
    (1.0, _say(KATZE, "welcome raiders! <3")),
    (1.3, _moment("hype-begin")),
    (1.2, _moment("hype-progress")),
    (1.2, _moment("bitsbadge")),
    (1.4, _moment("hype-end")),
    (1.2, _moment("effect")),
    (1.2, _moment("giant-emote")),
    (1.2, _moment("powerup")),
    (1.2, _moment("combo")),
    (1.2, _moment("cheer-anonymous")),
    (1.2, _moment("shared-begin")),
    (1.3, _moment("shared-chat")),
    (1.2, _moment("shared-sub")),
    (1.2, _moment("shared-update")),
    (1.2, _moment("shared-end")),
    (1.3, _moment("delete")),
    (1.3, _moment("timeout")),
    (1.2, _moment("unban")),
    (1.2, _moment("ban")),
    (1.3, _moment("prediction-begin")),
    (1.3, _moment("prediction-progress")),
    (1.2, _moment("prediction-lock")),
    (1.4, _moment("prediction-end")),
    (1.3, _moment("redeem")),
    (1.2, _moment("emote-unlock")),
    (1.2, _moment("goal-end")),
    (1.2, _moment("charity")),
    (1.2, _moment("watchstreak")),
    (1.3, _moment("shoutout")),
    (1.2, _moment("unknown-notice")),
    (1.3, _moment("ad")),
    (1.2, _moment("mention")),
    (1.3, _moment("unraid")),
    (1.2, _moment("clear")),
    (1.3, _moment("raid-out")),
    (1.5, _moment("offline")),
]


class DemoChannel:
    """Plays SCRIPT in a loop on its own thread until stopped."""

    def __init__(self, sim: SimTwitch, script: list[Step] | None = None, speed: float = 1.0,
                 loop: bool = True) -> None:
        self.sim = sim
        self.script = script or SCRIPT
        self.speed = speed
        self.loop = loop
        self.played = threading.Event()  # set after the first full pass
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="demo-channel", daemon=True)

    def start(self) -> DemoChannel:
        threads.start(self.thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(2)

    def _run(self) -> None:
        try:
            self.sim.wait_subscribed(timeout=3600)
        except TimeoutError:
            return
        while not self._stop.is_set():
            for pause, step in self.script:
                if self._stop.wait(pause / self.speed):
                    return
                for stype, event in step():
                    self.sim.notify(stype, event)
            self.played.set()
            if not self.loop:
                return
