"""Events -> terminal lines (pure).  Sanitizer first, colors last.

Nothing here writes to a terminal: `Renderer` turns an event into a string and
`terminal.Terminal` decides where it goes.  Color depth is chosen once
(`detect_color_mode`); every escape sequence this module emits is SGR (colors
and bold/dim), and none at all when the mode is `ColorMode.NONE`.
"""

from __future__ import annotations

import enum
import time
import zlib
from typing import Callable, Mapping, TextIO

from .events import ChatMessage, Event, Follow, Subscribe
from .text import sanitize


class ColorMode(enum.IntEnum):
    NONE = 0
    BASIC = 16
    X256 = 256
    TRUE = 1 << 24


def detect_color_mode(env: Mapping[str, str], stream: TextIO, choice: str = "auto") -> ColorMode:
    """Pick the color depth: NO_COLOR wins, then --color, then what the terminal says."""
    if env.get("NO_COLOR") or choice == "never":
        return ColorMode.NONE
    term = env.get("TERM", "")
    if choice != "always":
        isatty = getattr(stream, "isatty", None)
        if not (isatty and isatty()) or term == "dumb":
            return ColorMode.NONE
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return ColorMode.TRUE
    if "256" in term or term.startswith(("xterm-kitty", "alacritty", "wezterm")):
        return ColorMode.X256
    return ColorMode.BASIC


RESET = "\x1b[0m"
BOLD = "1"
DIM = "2"

# Twitch's own palette for users who never picked a color.
DEFAULT_COLORS = (
    "#FF0000", "#0000FF", "#008000", "#B22222", "#FF7F50", "#9ACD32", "#FF4500", "#2E8B57",
    "#DAA520", "#D2691E", "#5F9EA0", "#1E90FF", "#FF69B4", "#8A2BE2", "#00FF7F",
)

_BASIC_RGB = (
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200), (188, 63, 188), (17, 168, 205),
    (229, 229, 229), (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67), (59, 142, 234),
    (214, 112, 214), (41, 184, 219), (255, 255, 255),
)


def parse_hex(color: str) -> tuple[int, int, int] | None:
    if len(color) == 7 and color[0] == "#":
        try:
            value = int(color[1:], 16)
        except ValueError:
            return None
        return value >> 16, (value >> 8) & 0xFF, value & 0xFF
    return None


def rgb_sgr(rgb: tuple[int, int, int], mode: ColorMode) -> str:
    """The SGR parameters that show `rgb` as a foreground color in `mode`."""
    r, g, b = rgb
    if mode is ColorMode.TRUE:
        return f"38;2;{r};{g};{b}"
    if mode is ColorMode.X256:
        return f"38;5;{_to_256(r, g, b)}"
    if mode is ColorMode.BASIC:
        best = min(range(16), key=lambda k: _dist(rgb, _BASIC_RGB[k]))
        return str(30 + best if best < 8 else 90 + best - 8)
    return ""


def _to_256(r: int, g: int, b: int) -> int:
    def level(v: int) -> int:
        return 0 if v < 48 else 1 if v < 115 else (v - 35) // 40

    cube = 16 + 36 * level(r) + 6 * level(g) + level(b)
    steps = (0, 95, 135, 175, 215, 255)
    cube_rgb = (steps[level(r)], steps[level(g)], steps[level(b)])
    gray = max(0, min(23, round((r + g + b) / 3 - 8) // 10))
    gray_v = 8 + 10 * gray
    if _dist((r, g, b), (gray_v,) * 3) < _dist((r, g, b), cube_rgb):
        return 232 + gray
    return cube


def _dist(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    # "Redmean" weighting: cheap and close to perceived distance.
    rm = (a[0] + b[0]) // 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return (((512 + rm) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rm) * db * db) >> 8)


TIERS = {"1000": "T1", "2000": "T2", "3000": "T3"}


def tier_label(tier: str) -> str:
    return TIERS.get(tier, "T?" if not tier else sanitize(tier)[:8])


class Renderer:
    """Turns events and notices into single logical lines (no trailing newline)."""

    def __init__(self, mode: ColorMode, *, timestamps: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.mode = mode
        self.timestamps = timestamps
        self._clock = clock
        self._name_cache: dict[tuple[str, str, str], str] = {}
        self._stamp_minute = -1
        self._stamp = ""
        self._dispatch: dict[type, Callable[[Event], str | None]] = {
            ChatMessage: self._chat,  # type: ignore[dict-item]
            Follow: self._follow,  # type: ignore[dict-item]
            Subscribe: self._subscribe,  # type: ignore[dict-item]
        }

    def event(self, event: Event) -> str | None:
        """The line for `event`, or None when it is not shown on stream."""
        handler = self._dispatch.get(type(event))
        return handler(event) if handler else None

    # -- building blocks ---------------------------------------------------

    def sgr(self, params: str, text: str) -> str:
        if self.mode is ColorMode.NONE or not params:
            return text
        return f"\x1b[{params}m{text}{RESET}"

    def stamp(self) -> str:
        if not self.timestamps:
            return ""
        now = self._clock()
        minute = int(now // 60)
        if minute != self._stamp_minute:
            self._stamp_minute = minute
            self._stamp = self.sgr(DIM, time.strftime("[%H:%M]", time.localtime(now))) + " "
        return self._stamp

    def name(self, display: str, login: str, color: str) -> str:
        """A user's name, sanitized, in their chat color (bounded cache)."""
        key = (display, login, color)
        cached = self._name_cache.get(key)
        if cached is not None:
            return cached
        shown = sanitize(display).strip() or sanitize(login) or "anonymous"
        rgb = parse_hex(color) or parse_hex(DEFAULT_COLORS[zlib.crc32(login.encode()) % len(DEFAULT_COLORS)])
        out = self.sgr(f"{BOLD};{rgb_sgr(rgb, self.mode)}", shown) if rgb else shown
        if len(self._name_cache) >= 4096:
            self._name_cache.clear()
        self._name_cache[key] = out
        return out

    def notice(self, text: str, level: str = "info") -> str:
        params = {"info": "36", "warn": "33", "error": "1;31"}.get(level, "36")
        return self.stamp() + self.sgr(params, "! " + sanitize(text))

    def quiet(self, text: str) -> str:
        return self.stamp() + self.sgr(DIM, "· " + sanitize(text))

    def gap(self, since: float, until: float) -> str:
        fmt = "%H:%M:%S"
        return self.quiet(f"reconnected: events between {time.strftime(fmt, time.localtime(since))} and "
                          f"{time.strftime(fmt, time.localtime(until))} may have been missed")

    # -- event lines -------------------------------------------------------

    def _chat(self, m: ChatMessage) -> str:
        who = self.name(m.chatter.name, m.chatter.login, m.color)
        return f"{self.stamp()}{who}: {sanitize(m.text)}"

    def _follow(self, e: Follow) -> str:
        who = self.name(e.user.name, e.user.login, "")
        return self.stamp() + self.sgr("95", "♥ ") + who + self.sgr("95", " followed")

    def _subscribe(self, e: Subscribe) -> str:
        who = self.name(e.user.name, e.user.login, "")
        tier = tier_label(e.tier)
        text = f" received a gifted {tier} sub" if e.is_gift else f" subscribed at {tier}"
        return self.stamp() + self.sgr("93", "★ ") + who + self.sgr("93", text)
