"""How long a new chatter has followed the channel: one paced Helix call per chatter, on a thread of its own.

The hold queue (runtime/vetting.py) asks `ask(user_id)` for every chatter it
cannot vouch for by history or badge; this thread answers with Get Channel
Followers (`GET /channels/followers?broadcaster_id=&user_id=`, scope
moderator:read:followers), which tells one user's `followed_at` or nothing
(not following).  Each answer goes to the main thread through `post` as
`answer(user_id, followed_at | None)`, or `failed(user_id, why)`.

A wave of new accounts (a hate raid: hundreds of chatters at once) must not
empty Helix's bucket (800 points a minute, shared with the streamer's own
commands and a second focus): the calls are paced (a burst of BURST, then one
every INTERVAL seconds: at most ~200 a minute) and, when an answer says the
bucket is down to RESERVE of its size, the thread waits until it has refilled
that far.  What waits meanwhile stays held (the caller's 2 s are long over):
the wave is held, as it should be, and the streamer's commands keep their
points.  The queue is bounded; a chatter asked for twice is asked once.

First of all the thread reads the channel's moderators and VIPs (when the
token may), so a moderator's first cheer is not taken for a stranger's.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import deque
from typing import Any, Callable

from focuslib import threads
from focuslib.errors import FocusError
from focuslib.net.helix import Helix, Stopped
from focuslib.text import rfc3339
from focuslib.twitch.pacer import Pacer

BURST = 10  # calls at once
INTERVAL = 0.3  # seconds between calls after the burst (200 a minute: a quarter of the bucket)
RESERVE = 0.25  # of the bucket's size left for everything else: below it, the thread waits for the refill
MAX_WAIT = 60.0  # seconds the thread waits for the bucket at most, then looks again
MAX_QUEUE = 1_000  # chatters waiting for their call; more are not asked (they stay held)
ROLES = (("/moderation/moderators", ("moderation:read", "channel:manage:moderators")),
         ("/channels/vips", ("channel:read:vips", "channel:manage:vips")))


class FollowChecker:
    def __init__(self, helix: Helix, broadcaster_id: str, *, post: Callable[[Callable[[], None]], None],
                 answer: Callable[[str, float | None], None], failed: Callable[[str, str], None],
                 trusted: Callable[[set[str]], None], scopes: tuple[str, ...] = (), stop: threading.Event,
                 pacer: Pacer | None = None, clock: Callable[[], float] = time.monotonic,
                 log: Callable[[str, str], None] = lambda error, trace: None) -> None:
        self.helix = helix
        self.broadcaster_id = broadcaster_id
        self._post = post
        self._answer = answer
        self._failed = failed
        self._trusted = trusted
        self._scopes = set(scopes)
        self._stop = stop
        self._pacer = pacer or Pacer(BURST, INTERVAL)
        self._clock = clock
        self._log = log
        self._queue: deque[str] = deque()
        self._asked: set[str] = set()  # queued or being asked
        self._cond = threading.Condition()
        self._ended = False
        self.calls = 0  # Helix calls made (tests read it)
        self.thread = threading.Thread(target=self._run, name="helix-follows", daemon=True)

    def start(self) -> FollowChecker:
        threads.start(self.thread)
        return self

    def ask(self, user_id: str) -> bool:
        """Queue one chatter (any thread); False when the queue is full (the chatter stays held)."""
        with self._cond:
            if user_id in self._asked:
                return True
            if len(self._queue) >= MAX_QUEUE or self._ended:
                return False
            self._queue.append(user_id)
            self._asked.add(user_id)
            self._cond.notify()
        return True

    def stop(self, timeout: float = 1.0) -> None:
        """End the thread (its stop event is the App's, already set when focus stops)."""
        with self._cond:
            self._ended = True
            self._cond.notify()
        if self.thread.ident is not None:
            self.thread.join(timeout)

    # -- the thread ------------------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._roles()
            while True:
                with self._cond:
                    while not self._queue and not self._ended and not self._stop.is_set():
                        self._cond.wait(0.5)  # the stop event has no condition of its own
                    if self._ended or self._stop.is_set():
                        return
                    user_id = self._queue.popleft()
                if not self._paced():
                    return
                try:
                    followed = self._check(user_id)
                except Stopped:
                    return
                except FocusError as exc:
                    self._post(lambda u=user_id, why=exc.message: self._failed(u, why))
                else:
                    self._post(lambda u=user_id, f=followed: self._answer(u, f))
                finally:
                    with self._cond:
                        self._asked.discard(user_id)
        except Exception as exc:  # a bug: the chatters stay held (fail safe), the evidence goes to the devlog
            self._log(repr(exc), traceback.format_exc())

    def _paced(self) -> bool:
        """Wait for this call's turn under focus's own pace; False when focus stops meanwhile."""
        now = self._clock()
        delay = self._pacer.reserve(now) - now
        return not self._stop.wait(delay) if delay > 0 else not self._stop.is_set()

    def _check(self, user_id: str) -> float | None:
        resp = self.helix.call("GET", "/channels/followers", params={"broadcaster_id": self.broadcaster_id,
                                                                     "user_id": user_id}, on_wait=lambda text: None)
        self.calls += 1
        self._mind_the_bucket(resp.headers)
        if resp.status != 200:
            raise FocusError(f"Twitch answered {resp.status} {resp.message()}".strip())
        doc = resp.json()
        rows = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(rows, list):
            raise FocusError("Twitch's answer had no follower list")
        for row in rows:
            if isinstance(row, dict) and row.get("user_id") == user_id:
                return parse_time(row.get("followed_at"))
        return None

    def _mind_the_bucket(self, headers: dict[str, str]) -> None:
        """Below RESERVE of the bucket, wait until it has refilled that far (it refills its size a minute)."""
        try:
            size, left = int(headers["ratelimit-limit"]), int(headers["ratelimit-remaining"])
        except (KeyError, ValueError):
            return
        floor = size * RESERVE
        if size > 0 and left < floor:
            self._stop.wait(min(MAX_WAIT, (floor - left) * 60.0 / size))

    def _roles(self) -> None:
        """The moderators and VIPs, as far as the token may read them (best effort)."""
        ids: set[str] = set()
        for path, scopes in ROLES:
            if not self._scopes & set(scopes):
                continue
            try:
                resp = self.helix.call("GET", path, params={"broadcaster_id": self.broadcaster_id, "first": "100"},
                                       on_wait=lambda text: None)
            except FocusError:
                continue
            doc = resp.json() if resp.status == 200 else {}
            for row in doc.get("data", []) if isinstance(doc, dict) else []:
                if isinstance(row, dict) and isinstance(row.get("user_id"), str):
                    ids.add(row["user_id"])
        if ids:
            self._post(lambda: self._trusted(ids))


def parse_time(value: Any) -> float | None:
    """Twitch's RFC 3339 time as Unix time; None when it is not one."""
    when = rfc3339(value)
    return None if when is None else when.timestamp()
