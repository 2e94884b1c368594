"""The header row of screen mode: the channel at a glance, one row that never wraps (issue 19).

What it shows, left to right: the channel; live with its uptime, or offline;
viewers; the chat modes in force; then, at the right edge, SHIELD, the chatters
the hold queue keeps and the AutoMod items waiting, the connection when it is
not simply connected, a gap in what Twitch delivered, and the lines waiting
below a scrolled view.  A narrow terminal drops whole fields, lowest priority
first (PRIORITY below, and docs/screen.md); the channel, the held and AutoMod
counts and "reconnecting" are the last to go, and the channel alone is cut
with "…" at the very end.

Several threads feed it (the main loop, the stream poller; the screen app reads
it), so the model is one lock around one frozen record: a change replaces the
record, a reader takes it whole (`snapshot`) and renders outside the lock.
`on_change` (the screen app's `invalidate`) is called after each real change,
never under the lock.  Text from Twitch (the channel's name) is sanitized here,
at render, whatever the feeder did; `color` False (NO_COLOR, a dumb terminal)
means no escape sequence at all.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from focuslib.text import sanitize
from focuslib.view.layout import RESET, cut, text_width

if TYPE_CHECKING:  # the record only (loading the event modules is kept off start-up's path)
    from focuslib.twitch.events_moderation import ChatSettings

GAP_SHOWN = 600.0  # seconds a gap in delivery stays on the header after it ended

# Lower numbers are kept longer.  Every field has its own, so the order of dropping is total.
PRIORITY = {
    "channel": 0, "held": 1, "automod": 2, "reconnecting": 3, "below": 4, "shield": 5, "gap": 6, "live": 7,
    "link": 8, "uptime": 9, "viewers": 10, "followers": 11, "subs": 12, "emote": 13, "slow": 14, "unique": 15,
    "connected": 16,
}
SGR = {  # the fields' looks (SGR parameters); the separators are dim
    "channel": "1", "held": "1;33", "automod": "1;33", "reconnecting": "1;31", "below": "7", "shield": "1;36",
    "gap": "33", "live": "1;31", "offline": "2", "link": "33", "uptime": "", "viewers": "", "stale": "2",
    "mode": "36", "connected": "2",
}
SEPARATOR = " · "
MIDDLE = 2  # columns at least between the left group and the right one


@dataclass(frozen=True, slots=True)
class HeaderState:
    """What the header knows, as one record (a snapshot)."""

    channel: str = ""  # the broadcaster's display name (sanitized at render)
    live: bool | None = None  # None: not known yet
    started_at: float | None = None  # the stream's start, Unix time (for the uptime)
    viewers: int | None = None
    stale: bool = False  # Twitch's last answer about the stream failed: live and viewers are the last known
    modes: ChatSettings | None = None  # None: not known yet
    shield: bool = False  # Twitch's Shield Mode is on
    hold_shield: bool = False  # /shield's hold is on (runtime/vetting.py)
    held: int = 0  # chatters the hold queue keeps off stream
    automod: int = 0  # AutoMod holds waiting for /allow or /deny
    link: str = "connecting"  # connecting | subscribing | connected | reconnecting
    subscribed: int = 0  # subscriptions made of `wanted`
    wanted: int = 0
    gap: tuple[float, float] | None = None  # (since, until), Unix time: the last stretch nobody listened


class Field(NamedTuple):
    key: str  # a key of PRIORITY
    text: str  # sanitized, one line
    sgr: str
    right: bool = False  # in the right-hand group
    glued: bool = False  # joined to the field before it by a space, not a separator


class HeaderModel:
    """The header's data, fed from any thread; `text(width, below)` draws the row."""

    def __init__(self, *, color: bool, wall: Callable[[], float] = time.time,
                 on_change: Callable[[], None] | None = None) -> None:
        self.color = color
        self.wall = wall
        self.on_change = on_change  # the screen app's invalidate (set by it); called outside the lock
        self._lock = threading.Lock()
        self._state = HeaderState()

    def snapshot(self) -> HeaderState:
        with self._lock:
            return self._state

    def update(self, **changes: Any) -> bool:
        """Set fields of HeaderState by name; True (and `on_change` called) when anything changed."""
        with self._lock:
            new = dataclasses.replace(self._state, **changes)
            changed = new != self._state
            self._state = new
        if changed and self.on_change is not None:
            self.on_change()
        return changed

    def text(self, width: int, below: int = 0) -> str:
        """The header row: exactly `width` columns (padded), never more; `below`: lines waiting under a scrolled
        view of the chat pane.  This is the screen app's `header` callable."""
        return render(self.snapshot(), width, below, self.wall(), self.color)


# -- the row (pure) ------------------------------------------------------------------------------------------


def render(state: HeaderState, width: int, below: int, now: float, color: bool) -> str:
    """`state` as one row of exactly `width` columns (none when width < 1)."""
    if width < 1:
        return ""
    return fit(fields(state, below, now), width, color)


def fields(s: HeaderState, below: int, now: float) -> list[Field]:
    """Every field there is something to say for, in screen order."""
    out = [Field("channel", sanitize(s.channel).strip() or "focus", SGR["channel"])]
    if s.live:
        out.append(Field("live", "● live", SGR["live"] if not s.stale else SGR["stale"]))
        if s.started_at is not None:
            out.append(Field("uptime", uptime(now - s.started_at), SGR["uptime"], glued=True))
    elif s.live is False:
        out.append(Field("live", "○ offline", SGR["offline"]))
    if s.viewers is not None and s.live:
        count = f"{s.viewers:,} viewer" + ("" if s.viewers == 1 else "s")
        out.append(Field("viewers", count + (" (stale)" if s.stale else ""), SGR["stale" if s.stale else "viewers"]))
    elif s.stale:
        out.append(Field("viewers", "stream unknown (Twitch not answering)", SGR["stale"]))
    out += _modes(s.modes)
    right = []
    if s.shield or s.hold_shield:
        right.append(Field("shield", "SHIELD", SGR["shield"], True))
    if s.held:
        right.append(Field("held", f"{s.held:,} held", SGR["held"], True))
    if s.automod:
        right.append(Field("automod", f"{s.automod:,} AutoMod", SGR["automod"], True))
    right += _link(s, now)
    if below > 0:
        right.append(Field("below", f"↓ {below:,} new", SGR["below"], True))
    return out + right


def _modes(m: ChatSettings | None) -> list[Field]:
    if m is None:
        return []
    out = []
    if m.followers_only:
        out.append(Field("followers", "followers-only" + (f" {short(m.follower_minutes * 60)}"
                                                          if m.follower_minutes else ""), SGR["mode"]))
    if m.subscribers_only:
        out.append(Field("subs", "subs-only", SGR["mode"]))
    if m.emote_only:
        out.append(Field("emote", "emote-only", SGR["mode"]))
    if m.slow:
        out.append(Field("slow", f"slow {short(m.slow_seconds or 0)}", SGR["mode"]))
    if m.unique:
        out.append(Field("unique", "unique chat", SGR["mode"]))
    return out


def _link(s: HeaderState, now: float) -> list[Field]:
    out = []
    if s.link == "reconnecting":
        out.append(Field("reconnecting", "reconnecting", SGR["reconnecting"], True))
    elif s.link == "connecting":
        out.append(Field("link", "connecting", SGR["link"], True))
    elif s.link == "subscribing" or s.subscribed < s.wanted:
        verb = "subscribing" if s.link == "subscribing" else "subscribed"
        out.append(Field("link", f"{verb} {s.subscribed}/{s.wanted}", SGR["link"], True))
    if s.gap is not None and now - s.gap[1] < GAP_SHOWN:
        since, until = (time.strftime("%H:%M", time.localtime(x)) for x in s.gap)
        out.append(Field("gap", f"missed {since}–{until}" if since != until else f"missed {since}", SGR["gap"], True))
    if s.link == "connected" and s.subscribed >= s.wanted and not out:
        out.append(Field("connected", "connected", SGR["connected"], True))
    return out


def fit(row: list[Field], width: int, color: bool) -> str:
    """Drop the lowest-priority fields until the row fits `width`; pad it to exactly `width`."""
    widths = [text_width(f.text) for f in row]
    ranked = sorted(range(len(row)), key=lambda i: PRIORITY[row[i].key])
    for keep in range(len(row), 0, -1):
        chosen = sorted(ranked[:keep])
        left = [i for i in chosen if not row[i].right]
        right = [i for i in chosen if row[i].right]
        wl, wr = _group_width(row, widths, left), _group_width(row, widths, right)
        need = wl + wr + (MIDDLE if left and right else 0)
        if need <= width:
            pad = width - wl - wr
            return _paint(row, left, color) + " " * pad + _paint(row, right, color)
    first = ranked[0]  # the channel, cut to the width
    text = cut(row[first].text, width)
    return _paint([row[first]._replace(text=text)], [0], color) + " " * (width - text_width(text))


def _group_width(row: list[Field], widths: list[int], chosen: list[int]) -> int:
    total = 0
    for n, i in enumerate(chosen):
        total += widths[i] + (0 if n == 0 else 1 if row[i].glued else len(SEPARATOR))
    return total


def _paint(row: list[Field], chosen: list[int], color: bool) -> str:
    parts = []
    for n, i in enumerate(chosen):
        f = row[i]
        if n:
            parts.append(" " if f.glued else (f"\x1b[2m{SEPARATOR}{RESET}" if color else SEPARATOR))
        parts.append(f"\x1b[{f.sgr}m{f.text}{RESET}" if color and f.sgr else f.text)
    return "".join(parts)


def uptime(seconds: float) -> str:
    """How long the stream has run: 1h05m, 42m, or 0m in its first minute."""
    minutes = max(0, int(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def short(seconds: int) -> str:
    """A mode's duration in few columns: 30s, 10m, 2h, 7d (as a whole unit when it is one, else the smaller)."""
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    if seconds >= 3_600:
        return f"{seconds // 3_600}h{seconds % 3_600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
