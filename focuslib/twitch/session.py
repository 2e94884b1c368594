"""The EventSub WebSocket session as a pure state machine.

Theory of operation
-------------------
The machine owns no socket, thread or clock.  The runtime feeds it what
happened -- a socket opened (`opened`), a decoded frame arrived (`receive`), a
socket closed (`closed`), a subscription POST finished (`subscription_result`),
time passed (`tick`) -- together with the current monotonic time, and executes
the actions it returns: `Connect`, `Close`, `CreateSubscriptions`, `Show`, `Tell`,
`Status`, `Gap`, `Log`, `Fatal`.

Phases and what moves between them are one table (TRANSITIONS, below): a
handler acts on a trigger only where the table has a row for it, and each
phase's one timer (TIMERS) is what `deadline`/`tick` watch.

Connections are numbered.  At most two are wanted at once: the *active* one and,
while Twitch moves us to another edge server (`session_reconnect`), the
*pending* one.  Sockets we asked to close are *retired*: notifications still
arriving on them are shown (deduplicated), their closes are ignored.

Rules (Twitch docs "Getting Events Using WebSockets"; protocol notes §1):
* On `session_welcome` of a fresh connection, create every desired
  subscription (within the keepalive window, else Twitch closes with 4003).
* Any frame restarts the keepalive watchdog; silence longer than
  `keepalive_timeout_seconds` plus a margin means the connection is dead.
* `session_reconnect`: open `reconnect_url` exactly as given, keep reading the
  old socket until the new one's welcome (up to the 30 s the old one keeps
  working, §1.6), then close the old one; the subscriptions move with the
  session, so nothing is created again.  The URL is followed only to the
  configured host or a host under its domain (the same host for a local
  server), and never from wss:// down to ws://.
* `keepalive_timeout_seconds` is clamped to Twitch's 10-600 s (a local server's
  floor may be lower: the simulator asks for 1 s in tests).
* Any other loss: reconnect to the base URL with capped exponential backoff
  and jitter, create the subscriptions again, and mark the gap (Twitch does
  not replay what was sent while nobody listened).
* Delivery is at least once: each `message_id` is handled once.
"""

from __future__ import annotations

import enum
import random
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from focuslib.twitch.actions import (Action, CheckToken, Close, Connect, CreateSubscriptions, Fatal, Gap, Log, Show,
                                     Status, Tell, new_show)
from focuslib.twitch.events_base import UnknownEvent
from focuslib.twitch.messages import Keepalive, Message, Notification, Reconnect, Revocation, UnknownMessage, Welcome
from focuslib.twitch.subscriptions import SubscriptionSpec


class Phase(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    AWAITING_WELCOME = "awaiting welcome"
    SUBSCRIBING = "subscribing"
    LIVE = "live"
    MIGRATING = "migrating"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


# (phase, trigger) -> next phase.  "*" rows apply from any phase but STOPPED.
# This table is the only place that says in which phase a trigger counts: the
# handlers ask `_can(trigger)` and do nothing (but log) when it does not, and
# `_go(trigger)` moves along a row.  A trigger that depends on the connection
# too (whose welcome, whose reconnect) is checked for that in its handler.
TRANSITIONS: dict[tuple[Phase | str, str], Phase] = {
    (Phase.IDLE, "start"): Phase.CONNECTING,
    (Phase.CONNECTING, "opened"): Phase.AWAITING_WELCOME,  # the active socket opened
    (Phase.AWAITING_WELCOME, "welcome"): Phase.SUBSCRIBING,  # the active socket's welcome: subscribe
    (Phase.SUBSCRIBING, "subscribed"): Phase.LIVE,  # every answer is in, some subscription exists
    (Phase.SUBSCRIBING, "session_reconnect"): Phase.MIGRATING,
    (Phase.LIVE, "session_reconnect"): Phase.MIGRATING,
    (Phase.MIGRATING, "migrated"): Phase.LIVE,  # the pending socket's welcome: it becomes the active one
    (Phase.RECONNECTING, "retry"): Phase.CONNECTING,  # the backoff is over
    (Phase.CONNECTING, "restart"): Phase.CONNECTING,  # an early connection replaced (see `restart`)
    (Phase.AWAITING_WELCOME, "restart"): Phase.CONNECTING,
    ("*", "lost"): Phase.RECONNECTING,
    ("*", "stop"): Phase.STOPPED,
}

# The phases in which the session's subscriptions exist (a migration keeps them).
SUBSCRIBED = frozenset({Phase.LIVE, Phase.MIGRATING})

# The one timer each phase keeps: `deadline()` says when it runs out, and
# `tick()` then fires it (a retry, or the connection counts as lost).
TIMERS: dict[Phase, str] = {
    Phase.RECONNECTING: "retry",  # backoff before connecting again
    Phase.AWAITING_WELCOME: "welcome",  # WELCOME_TIMEOUT from socket open to session_welcome
    Phase.MIGRATING: "migration",  # RECONNECT_GRACE for the reconnect URL's welcome
    Phase.SUBSCRIBING: "keepalive",  # silence longer than the keepalive (plus a margin)
    Phase.LIVE: "keepalive",
}

# Twitch's close codes (WebSocket reference, "Close message").
CLOSE_REASONS: dict[int, str] = {
    1000: "closed normally",
    1001: "Twitch is going away",
    1006: "connection dropped",
    4000: "Twitch had an internal server error",
    4001: "focus sent Twitch a message (a focus bug, please report it)",
    4002: "focus did not answer a ping (a focus bug or a stalled machine)",
    4003: "no subscription was created in time",
    4004: "the reconnect grace time expired",
    4005: "network timeout",
    4006: "network error",
    4007: "Twitch sent an invalid reconnect URL",
}
CLIENT_BUG_CODES = frozenset({4001, 4002, 4003})

WELCOME_TIMEOUT = 10.0  # seconds from socket open to session_welcome
RECONNECT_GRACE = 30.0  # seconds the old socket keeps working after session_reconnect (§1.6)
KEEPALIVE_RANGE = (10, 600)  # what Twitch accepts for keepalive_timeout_seconds (§1.4)
REASON_LIMIT = 80  # characters of a revocation status shown (it comes from the network)
BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0
SILENCE_MARGIN = 2.0  # at least this much past the keepalive before silence means a dead connection
DEDUPE_SIZE = 2048  # message ids remembered: seconds of a raid, minutes of normal chat


@dataclass(frozen=True, slots=True)
class Timings:
    """The session's clocks: Twitch's by default; tests (and embedders) pass shorter ones.

    A test that proves a real-time rule (a keepalive is honoured, a backoff grows) shrinks these rather than
    sleeping through Twitch's values."""

    welcome_timeout: float = WELCOME_TIMEOUT
    reconnect_grace: float = RECONNECT_GRACE
    keepalive_range: tuple[int, int] = KEEPALIVE_RANGE
    silence_margin: float = SILENCE_MARGIN
    backoff_base: float = BACKOFF_BASE
    backoff_cap: float = BACKOFF_CAP


__all__ = ["Action", "Close", "Connect", "CreateSubscriptions", "Fatal", "Gap", "Log", "Show", "Status", "Tell",
           "Phase", "Session", "RecentIds", "Timings", "CLOSE_REASONS", "describe_close"]


class RecentIds:
    """A bounded set: remembers the last `size` ids (memory stays flat)."""

    __slots__ = ("_order", "_set")

    def __init__(self, size: int) -> None:
        self._order: deque[str] = deque(maxlen=size)
        self._set: set[str] = set()

    def add(self, key: str) -> bool:
        """Remember `key`; False when it was already known."""
        if key in self._set:
            return False
        order = self._order
        if len(order) == order.maxlen:
            self._set.discard(order[0])
        order.append(key)
        self._set.add(key)
        return True

    def __len__(self) -> int:
        return len(self._set)


class Session:
    """EventSub session state; see the module docstring."""

    def __init__(
        self,
        base_url: str,
        desired: tuple[SubscriptionSpec, ...],
        *,
        rng: Callable[[], float] = random.random,
        dedupe_size: int = DEDUPE_SIZE,
        timings: Timings = Timings(),
    ) -> None:
        self.base_url = base_url
        self.desired = desired
        self._rng = rng
        self.timings = timings
        self.phase = Phase.IDLE
        self.active: int | None = None
        self.pending: int | None = None
        self.retired: set[int] = set()
        self.session_id = ""
        self.keepalive = 10
        self.epoch = 0  # bumps with every fresh (non-migrated) session
        self.attempt = 0
        self.retry_at = 0.0
        self.last_seen = 0.0
        self.opened_at = 0.0
        self.migrate_deadline = 0.0
        self.gap_since: float | None = None
        self.results: dict[str, int] = {}  # SubscriptionSpec.key -> HTTP status, this epoch
        self.settled = False  # every answer of this epoch is in (and acted on)
        self.revoked: dict[str, str] = {}  # type -> reason
        self.reported: set[tuple[str, int]] = set()
        self.seen = RecentIds(dedupe_size)
        self._next_conn = 0

    # -- inputs ------------------------------------------------------------

    def start(self, now: float) -> list[Action]:
        self._go("start")
        return self._connect(now)

    def stop(self, now: float) -> list[Action]:
        if not self._can("stop"):  # already stopped
            return []
        self._go("stop")
        conns = [c for c in (self.active, self.pending) if c is not None]
        self.retired.update(conns)
        self.active = self.pending = None
        return [Close(c, 1000) for c in conns] + [Log("stopped")]

    def restart(self, now: float) -> list[Action]:
        """Drop a connection that was opened early and not yet used, and open a fresh one.

        The runtime connects while it checks the token; when that took long,
        the welcome waiting in the inbox may be past Twitch's subscribe window."""
        if not self._can("restart") or self.active is None:
            return []
        self.retired.add(self.active)
        out: list[Action] = [Close(self.active, 0), Log("restart", {"conn": self.active})]
        self.epoch += 1
        self._go("restart")
        return out + self._connect(now)

    def opened(self, conn: int, now: float) -> list[Action]:
        if conn == self.active and self._can("opened"):
            self._go("opened")
            self.opened_at = self.last_seen = now
            return [Status("connected, waiting for Twitch's welcome"), Log("socket_open", {"conn": conn})]
        return [Log("socket_open", {"conn": conn})]

    def receive(self, conn: int, msg: Message, now: float) -> list[Action]:
        if self.phase is Phase.STOPPED:
            return []
        if conn == self.active:
            self.last_seen = now
        elif conn != self.pending and conn not in self.retired:
            return [Log("frame_from_unknown_connection", {"conn": conn})]
        kind = type(msg)
        if kind is Notification:
            return self._notification(msg)  # type: ignore[arg-type]
        if kind is Keepalive:
            return []
        if kind is Welcome:
            return self._welcome(conn, msg, now)  # type: ignore[arg-type]
        if kind is Reconnect:
            return self._reconnect(conn, msg, now)  # type: ignore[arg-type]
        if kind is Revocation:
            return self._revocation(msg)  # type: ignore[arg-type]
        assert isinstance(msg, UnknownMessage)
        return [Log("unknown_message_type", {"message_type": msg.message_type, "conn": conn})]

    def closed(self, conn: int, code: int | None, reason: str, now: float) -> list[Action]:
        """A socket ended: `code` is the close code, None when it dropped or never opened."""
        if conn in self.retired:
            self.retired.discard(conn)
            return [Log("socket_closed", {"conn": conn, "code": code, "expected": True})]
        if self.phase is Phase.STOPPED or conn not in (self.active, self.pending):
            return [Log("socket_closed", {"conn": conn, "code": code, "stale": True})]
        why = describe_close(code, reason)
        detail: dict[str, Any] = {"conn": conn, "code": code, "reason": reason}
        if conn == self.pending:
            detail["while"] = "moving to the reconnect URL"
        out: list[Action] = [Log("socket_closed", detail)]
        if code in CLIENT_BUG_CODES:
            out.append(Tell(f"Twitch closed the connection: {why}", "warn"))
        return out + self._lost(now, why)

    def subscription_result(self, epoch: int, spec: SubscriptionSpec, status: int, message: str,
                            now: float) -> list[Action]:
        """Feed back one Create EventSub Subscription answer (202 = created)."""
        if epoch != self.epoch or self.phase is Phase.STOPPED:  # a session we already left
            return [Log("stale_subscription_result", {"type": spec.type, "status": status})]
        self.results[spec.key] = status
        out: list[Action] = [Log("subscription", {"type": spec.type, "version": spec.version,
                                                  "status": status, "message": message})]
        if status == 0 and not self.settled:
            # No answer at all (a timeout, a refused connection): every creation still queued for this session
            # would wait as long and say so in a line of its own (52 lines, and minutes of a stuck start-up,
            # when Twitch's API hangs).  The session is given up at once; the next one creates them all again.
            return out + [Tell(f"Twitch's API did not answer ({message}); focus reconnects and subscribes again",
                               "warn")] + self._lost(now, "Twitch's API did not answer")
        if status != 202 and (spec.type, status) not in self.reported:
            self.reported.add((spec.type, status))
            out.append(Tell(_subscription_failure(spec, status, message), "warn"))
        wanted = self._wanted()
        done = all(spec.key in self.results for spec in wanted)
        if done and not self.settled:
            # Once per session, even if a session_reconnect moved it meanwhile.
            self.settled = True
            if self._ok_count() == 0:
                if all(_refused(self.results[spec.key]) for spec in wanted):
                    return out + [Fatal("Twitch refused every subscription, so focus has nothing to show.",
                                        "run `python focus.py doctor` to see why, then `make auth` if scopes "
                                        "are missing")]
                # Network trouble, 5xx or a rate limit that outlasted our waits: try a new session later.
                return out + self._lost(now, "Twitch could not create the subscriptions just now")
            if self._can("subscribed"):  # (a session_reconnect may have moved it meanwhile)
                self._go("subscribed")
            self.attempt = 0
            if self.gap_since is not None:
                out.append(Gap(self.gap_since, now))
                self.gap_since = None
        if done:
            out.append(Status(self._subscribed_text()))
        return out

    def tick(self, now: float) -> list[Action]:
        """Fire the phase's timer if it has run out (see TIMERS and `deadline`)."""
        timer = TIMERS.get(self.phase)
        if timer is None or now < self._runs_out(timer):
            return []
        if timer == "retry":
            self._go("retry")
            return self._connect(now)
        if timer == "welcome":
            return self._lost(now, f"no welcome from Twitch within {self.timings.welcome_timeout:g} s")
        if timer == "migration":
            return self._lost(now, "the reconnect URL did not welcome us in time")
        return self._lost(now, f"no message from Twitch for {self._silence_limit():g} s")

    def deadline(self) -> float | None:
        """The monotonic time `tick` next needs to run, None when nothing is timed."""
        timer = TIMERS.get(self.phase)
        return None if timer is None else self._runs_out(timer)

    def _runs_out(self, timer: str) -> float:
        if timer == "keepalive":  # first: the timer of a live session, asked after every batch of frames
            return self.last_seen + self._silence_limit()
        if timer == "retry":
            return self.retry_at
        if timer == "welcome":
            return self.opened_at + self.timings.welcome_timeout
        return self.migrate_deadline

    # -- message handlers --------------------------------------------------

    def _notification(self, msg: Notification) -> list[Action]:
        if not self.seen.add(msg.message_id):
            return [Log("duplicate", {"message_id": msg.message_id})]
        if type(msg.event) is UnknownEvent:
            return [Log("unknown_subscription_type", {"type": msg.subscription_type,
                                                       "version": msg.subscription_version})]
        return [new_show((msg.event, msg.message_id, msg.timestamp))]

    def _welcome(self, conn: int, msg: Welcome, now: float) -> list[Action]:
        detail = {"conn": conn, "session_id": msg.session_id, "keepalive": msg.keepalive_timeout}
        if conn == self.pending and self._can("migrated"):
            old = self.active
            self._go("migrated")
            self.active, self.pending = conn, None
            self.session_id, self.keepalive = msg.session_id, self._clamp_keepalive(msg.keepalive_timeout)
            self.last_seen = now
            out: list[Action] = [Log("migrated", detail)]
            if old is not None:
                self.retired.add(old)
                out.append(Close(old, 1000))
            return out + [Status(self._subscribed_text())]
        if conn == self.active and self._can("welcome"):
            self._go("welcome")
            self.session_id, self.keepalive = msg.session_id, self._clamp_keepalive(msg.keepalive_timeout)
            self.epoch += 1
            self.results = {}
            self.settled = False
            wanted = self._wanted()
            out = [Log("welcome", detail), Status(f"connected, subscribing 0/{len(wanted)}")]
            if wanted:
                return out + [CreateSubscriptions(self.epoch, msg.session_id, wanted)]
            return out + [Fatal("Every subscription focus wanted was revoked, so there is nothing to show.",
                                "run `make auth` again, then restart focus")]
        return [Log("unexpected_welcome", detail)]

    def _reconnect(self, conn: int, msg: Reconnect, now: float) -> list[Action]:
        if conn != self.active or not self._can("session_reconnect"):
            return [Log("ignored_reconnect", {"conn": conn, "phase": self.phase.value})]
        refused = reconnect_refusal(self.base_url, msg.reconnect_url)
        if refused:
            return [Log("refused_reconnect_url", {"conn": conn, "why": refused}),
                    Tell(f"Twitch asked focus to move to {refused}; focus reconnects to "
                         f"{_host(self.base_url)} instead", "warn")] + self._lost(now, "reconnect URL refused")
        self._go("session_reconnect")
        self.pending = self._new_conn()
        self.migrate_deadline = now + self.timings.reconnect_grace
        return [
            Log("session_reconnect", {"conn": conn, "new_conn": self.pending}),
            Status("Twitch is moving focus to another server..."),
            # Exactly as given: Twitch's URL carries the session to resume.
            Connect(self.pending, msg.reconnect_url),
        ]

    def _revocation(self, msg: Revocation) -> list[Action]:
        if not self.seen.add(msg.message_id):
            return [Log("duplicate", {"message_id": msg.message_id})]
        if msg.subscription_type not in {spec.type for spec in self.desired}:
            # Not one of ours (another tool's subscription on a shared session, or nonsense): the count stays.
            return [Log("revocation", {"type": msg.subscription_type, "status": msg.status, "ours": False})]
        status = msg.status if len(msg.status) <= REASON_LIMIT else msg.status[:REASON_LIMIT - 1] + "…"
        self.revoked[msg.subscription_type] = status
        out: list[Action] = [
            Log("revocation", {"type": msg.subscription_type, "status": msg.status}),
            Tell(f"Twitch revoked the {msg.subscription_type} subscription ({status}); "
                   "the rest go on", "warn"),
        ]
        if self.phase in SUBSCRIBED:
            out.append(Status(self._subscribed_text()))
        if msg.status == "authorization_revoked":
            # Twitch: validate at once, and end the sessions of a token that is no longer valid (§4.2).
            out.append(CheckToken(msg.status))
        return out

    # -- helpers -----------------------------------------------------------

    def _lost(self, now: float, why: str) -> list[Action]:
        out: list[Action] = []
        for conn in (self.active, self.pending):
            if conn is not None:
                self.retired.add(conn)
                out.append(Close(conn, 0))
        was_live = self.phase in SUBSCRIBED or (
            self.phase is Phase.SUBSCRIBING and any(v in (202, 409) for v in self.results.values()))
        if was_live and self.gap_since is None:
            self.gap_since = self.last_seen
        self.active = self.pending = None
        self.epoch += 1  # answers to POSTs for the lost session are stale from now on
        self._go("lost")
        delay = self._backoff()
        self.retry_at = now + delay
        out.append(Log("reconnecting", {"why": why, "in_seconds": round(delay, 2), "attempt": self.attempt}))
        out.append(Status(f"{why}; reconnecting in {delay:.0f} s" if delay >= 1 else f"{why}; reconnecting"))
        return out

    def _backoff(self) -> float:
        # Full range jitter over the upper half: 0.5-1 s, 1-2 s, 2-4 s ... capped.
        ceiling = min(self.timings.backoff_cap, self.timings.backoff_base * (2 ** self.attempt))
        self.attempt += 1
        return ceiling * (0.5 + 0.5 * self._rng())

    def _connect(self, now: float) -> list[Action]:
        self.active = self._new_conn()
        return [Status(f"connecting to {_host(self.base_url)}..."), Connect(self.active, self.base_url)]

    def _new_conn(self) -> int:
        self._next_conn += 1
        return self._next_conn

    def _wanted(self) -> tuple[SubscriptionSpec, ...]:
        return tuple(spec for spec in self.desired if spec.type not in self.revoked)

    def _silence_limit(self) -> float:
        return self.keepalive + max(self.timings.silence_margin, self.keepalive * 0.2)

    def _clamp_keepalive(self, seconds: int) -> int:
        """Twitch sends 10-600; anything else (10^9 would switch the watchdog off) is pulled into that range."""
        low, high = self.timings.keepalive_range
        return min(high, max(low, seconds))

    def active_types(self) -> frozenset[str]:
        """The subscription types this session has now: created (or already there), not revoked."""
        return frozenset(spec.type for spec in self._wanted() if self._made(spec))

    def made(self) -> int:
        """How many of the desired subscriptions this session has now (two of one type count two)."""
        return self._ok_count()

    def _ok_count(self) -> int:
        return sum(1 for spec in self._wanted() if self._made(spec))

    def _made(self, spec: SubscriptionSpec) -> bool:
        """Created (202), or already there (409: Twitch has it for this type and condition).  A 409 for a
        spec whose sibling (same type and version, another condition: the two `channel.raid`) was created is
        a server that ignores the condition (twitch-cli's mock, protocol notes §6.3): nothing was made."""
        status = self.results.get(spec.key)
        if status != 409:
            return status == 202
        return not any(other.type == spec.type and other.version == spec.version and other.key != spec.key
                       and self.results.get(other.key) == 202 for other in self._wanted())

    def _subscribed_text(self) -> str:
        text = f"subscribed {self._ok_count()}/{len(self.desired)}"
        if self.revoked:
            text += f" ({len(self.revoked)} revoked)"
        return text

    def _next(self, trigger: str) -> Phase | None:
        nxt = TRANSITIONS.get((self.phase, trigger))
        if nxt is None and self.phase is not Phase.STOPPED:
            nxt = TRANSITIONS.get(("*", trigger))
        return nxt

    def _can(self, trigger: str) -> bool:
        """Whether `trigger` counts in the current phase (a row of TRANSITIONS)."""
        return self._next(trigger) is not None

    def _go(self, trigger: str) -> None:
        nxt = self._next(trigger)
        if nxt is None:  # a handler forgot to ask `_can`: a bug in this module, never Twitch's doing
            raise RuntimeError(f"eventsub: no transition for {trigger!r} from {self.phase.value}")
        self.phase = nxt


def describe_close(code: int | None, reason: str = "") -> str:
    """A streamer-readable sentence for a close code (None = dropped)."""
    if code is None:
        return reason or "connection dropped"
    text = CLOSE_REASONS.get(code, f"closed with code {code}")
    return f"{text} ({code})"


def _refused(status: int) -> bool:
    """A definite no from Twitch (400, 403, 410 ...), as opposed to trouble that may pass."""
    return 400 <= status < 500 and status != 429


def _subscription_failure(spec: SubscriptionSpec, status: int, message: str) -> str:
    said = f": {message}" if message else ""
    if status == 403:
        scopes = " or ".join(spec.scopes) or "a scope"
        return f"{spec.type} not available (403{said}); the token needs {scopes}: run make auth"
    if status == 409:  # Twitch: this type and condition exist already; twitch-cli's mock: this type does
        keys = ", ".join(k for k, _ in spec.condition)
        return (f"{spec.type} ({keys}) already exists, or the server allows one {spec.type} whatever its "
                f"condition (409{said})")
    return f"{spec.type} could not be created ({status}{said})"


def _host(url: str) -> str:
    """host:port of `url` for a status line on stream: never a user:password@ it may carry."""
    return url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]


def reconnect_refusal(base_url: str, url: str) -> str:
    """"" when focus may follow `url` from a session on `base_url`; else what is wrong with it, for a line.

    Followed: the configured host itself, or (for a name with a domain, such as
    eventsub.wss.twitch.tv) a host under the same parent domain (*.wss.twitch.tv);
    for an address or a single-label name (a local server), the same host only.
    Never from wss:// down to ws://.
    """
    from urllib.parse import urlsplit

    try:
        base, new = urlsplit(base_url), urlsplit(url)
        base_host, host = (base.hostname or "").lower(), (new.hostname or "").lower()
        new.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        return "a malformed URL"
    shown = host[:60] or "no host"
    if new.scheme not in ("ws", "wss"):
        return f"a URL that is not a WebSocket ({shown})"
    if base.scheme == "wss" and new.scheme != "wss":
        return f"an unencrypted ws:// URL ({shown})"
    if not host or not base_host:
        return f"a URL without a host ({shown})"
    if host == base_host:
        return ""
    labels = base_host.split(".")
    is_address = base_host.replace(".", "").isdigit() or ":" in base_host
    if not is_address and len(labels) >= 3 and host.endswith("." + ".".join(labels[1:])):
        return ""
    if not is_address and len(labels) >= 2 and host.endswith("." + base_host):
        return ""
    return f"another host ({shown})"
