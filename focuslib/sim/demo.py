"""The demo channel: a scripted, looping stream played into the simulator."""

from __future__ import annotations

import threading
from typing import Any, Callable

from . import payloads as P
from .server import SimTwitch
from .triggers import CHATTERS

Step = tuple[float, Callable[[], tuple[str, dict[str, Any]]]]

_OTTER, _MOSS, _HERON, _KATZE, _TINY, _KETTLE = (c[0] for c in CHATTERS)
_COLORS = {c[0]: (c[1], c[2]) for c in CHATTERS}


def _say(who: tuple[str, str, str], text: str) -> Callable[[], tuple[str, dict[str, Any]]]:
    color, badges = _COLORS[who]
    return lambda: ("channel.chat.message", P.chat_message(who, text, color=color, badges=badges))


def _event(stype: str, build: Callable[[], dict[str, Any]]) -> Callable[[], tuple[str, dict[str, Any]]]:
    return lambda: (stype, build())


SCRIPT: list[Step] = [
    (0.6, _say(_OTTER, "hey @DeskFox, what are we building today? HeyGuys")),
    (1.2, _say(_MOSS, "welcome in everyone, be nice to the compiler SeemsGood")),
    (1.5, _say(_HERON, "is that neovim? the colors are so clean")),
    (1.4, _event("channel.follow", lambda: P.follow(("70200001", "quiet_quokka", "Quiet_Quokka")))),
    (1.1, _say(_KATZE, "@byte_heron it is, with a custom theme 🦊")),
    (1.6, _say(_TINY, "こんにちは！ terminal chat looks great 👍")),
    (1.3, _event("channel.subscribe", lambda: P.subscribe(_KETTLE, "1000"))),
    (1.0, _say(_KETTLE, "just subbed, keep shipping PogChamp")),
    (1.7, _say(_OTTER, "the borrow checker strikes again LUL")),
    (1.2, _event("channel.subscribe", lambda: P.subscribe(_HERON, "1000", is_gift=True))),
    (1.0, _say(_HERON, "thank you for the gift sub @Pixel_Otter <3")),
    (1.5, _say(_MOSS, "reminder: no spoilers for the advent of code puzzles")),
    (1.3, _event("channel.subscribe", lambda: P.subscribe(_TINY, "3000"))),
    (1.8, _say(_KATZE, "Kappa Kappa Kappa")),
    (1.4, _event("channel.follow", lambda: P.follow(("70200002", "sleepy_sloth42", "sleepy_sloth42")))),
    (1.6, _say(_OTTER, "try a dataclass with slots=True, it saves memory")),
]


class DemoChannel:
    """Plays SCRIPT in a loop on its own thread until stopped."""

    def __init__(self, sim: SimTwitch, script: list[Step] | None = None, speed: float = 1.0) -> None:
        self.sim = sim
        self.script = script or SCRIPT
        self.speed = speed
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="demo-channel", daemon=True)

    def start(self) -> DemoChannel:
        self.thread.start()
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
                stype, event = step()
                self.sim.notify(stype, event)
