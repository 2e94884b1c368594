"""Color depth, and colors that stay readable on the streamer's background (pure).

A chatter's color is whatever they picked on Twitch: navy on a black terminal,
yellow on a white one.  Like mature chat clients, focus keeps the hue and moves
the lightness until the color has enough contrast against the theme's
background (WCAG relative luminance; FOCUS_THEME=dark|light), then shows it as
well as the terminal can: 24-bit exact, the nearest of the 256-color cube, or
the nearest of the 16 basic colors that is readable on that background.
"""

from __future__ import annotations

import colorsys
import enum
from typing import NamedTuple, TextIO



class ColorMode(enum.IntEnum):
    NONE = 0
    BASIC = 16
    X256 = 256
    TRUE = 1 << 24


class ColorHints(NamedTuple):
    """What the environment says about color (focuslib/settings.py `color_hints` reads it): NO_COLOR set, TERM,
    COLORTERM."""

    no_color: bool = False
    term: str = ""
    colorterm: str = ""


def detect_color_mode(hints: ColorHints, stream: TextIO, choice: str = "auto") -> ColorMode:
    """Pick the color depth: NO_COLOR wins, then --color, then what the terminal says."""
    if hints.no_color or choice == "never":
        return ColorMode.NONE
    term = hints.term
    if choice != "always":
        isatty = getattr(stream, "isatty", None)
        if not (isatty and isatty()) or term == "dumb":
            return ColorMode.NONE
    if hints.colorterm.lower() in ("truecolor", "24bit"):
        return ColorMode.TRUE
    if "256" in term or term.startswith(("xterm-kitty", "alacritty", "wezterm")):
        return ColorMode.X256
    return ColorMode.BASIC


RGB = tuple[int, int, int]

# Twitch's own palette for users who never picked a color.
DEFAULT_COLORS = (
    "#FF0000", "#0000FF", "#008000", "#B22222", "#FF7F50", "#9ACD32", "#FF4500", "#2E8B57",
    "#DAA520", "#D2691E", "#5F9EA0", "#1E90FF", "#FF69B4", "#8A2BE2", "#00FF7F",
)

# What the 16 basic colors typically look like (VS Code's terminal palette).
_BASIC_RGB: tuple[RGB, ...] = (
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200), (188, 63, 188), (17, 168, 205),
    (229, 229, 229), (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67), (59, 142, 234),
    (214, 112, 214), (41, 184, 219), (255, 255, 255),
)

# Typical backgrounds and the contrast a name needs against them.
_BACKGROUND = {"dark": (30, 30, 30), "light": (255, 255, 255)}
_MIN_CONTRAST = 4.5  # WCAG AA for text


def parse_hex(color: str) -> RGB | None:
    if len(color) == 7 and color[0] == "#":
        try:
            value = int(color[1:], 16)
        except ValueError:
            return None
        return value >> 16, (value >> 8) & 0xFF, value & 0xFF
    return None


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance, 0 (black) .. 1 (white)."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: RGB, b: RGB) -> float:
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def readable(rgb: RGB, theme: str) -> RGB:
    """`rgb` with its lightness moved (hue kept) until it reads well on the theme's background."""
    bg = _BACKGROUND[theme]
    if contrast(rgb, bg) >= _MIN_CONTRAST:
        return rgb
    h, l, s = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    lo, hi = (l, 1.0) if theme == "dark" else (0.0, l)
    for _ in range(14):  # bisect the lightness: lighter on dark, darker on light
        mid = (lo + hi) / 2
        ok = contrast(_from_hls(h, mid, s), bg) >= _MIN_CONTRAST
        if (theme == "dark") == ok:
            hi = mid
        else:
            lo = mid
    return _from_hls(h, hi if theme == "dark" else lo, s)


def _from_hls(h: float, l: float, s: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb(h, l, s)
    return round(r * 255), round(g * 255), round(b * 255)


def rgb_sgr(rgb: RGB, mode: ColorMode, theme: str = "dark") -> str:
    """The SGR parameters that show `rgb` as a foreground color in `mode`."""
    r, g, b = rgb
    if mode is ColorMode.TRUE:
        return f"38;2;{r};{g};{b}"
    if mode is ColorMode.X256:
        return f"38;5;{_to_256(r, g, b)}"
    if mode is ColorMode.BASIC:
        candidates = _USABLE_BASIC[theme]
        _, light, sat = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
        if sat > 0.25 and 0.12 < light < 0.88:  # a real hue: never turn it gray
            candidates = tuple(k for k in candidates if k not in _GRAYS)
        best = min(candidates, key=lambda k: _dist(rgb, _BASIC_RGB[k]))
        return str(30 + best if best < 8 else 90 + best - 8)
    return ""


# Basic colors that are readable at all on each background (black on a dark
# terminal, yellow on a white one are not), so the nearest pick never vanishes.
_GRAYS = (0, 7, 8, 15)
_USABLE_BASIC = {theme: tuple(k for k, c in enumerate(_BASIC_RGB) if contrast(c, bg) >= 2.0)
                 for theme, bg in _BACKGROUND.items()}


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


def _dist(a: RGB, b: RGB) -> int:
    # "Redmean" weighting: cheap and close to perceived distance.
    rm = (a[0] + b[0]) // 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return (((512 + rm) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rm) * db * db) >> 8)
