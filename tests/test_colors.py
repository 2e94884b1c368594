"""User colors stay readable on the streamer's background, at every color depth."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from focuslib.settings import color_hints
from focuslib.view.colors import (_BACKGROUND, DEFAULT_COLORS, ColorMode, contrast, detect_color_mode, parse_hex,
                             readable, rgb_sgr)
from focuslib.errors import ConfigError

rgbs = st.tuples(*[st.integers(0, 255)] * 3)


@given(rgbs, st.sampled_from(["dark", "light"]))
def test_every_color_is_moved_until_it_reads_well(rgb, theme) -> None:
    assert contrast(readable(rgb, theme), _BACKGROUND[theme]) >= 4.4


def test_readable_colors_keep_their_hue_and_are_left_alone_when_fine() -> None:
    assert readable((255, 105, 180), "dark") == (255, 105, 180)  # hot pink on dark: fine as it is
    navy = readable(parse_hex("#000080"), "dark")
    assert navy[2] > navy[0] and navy[2] > navy[1]  # still blue, only lighter
    yellow = readable(parse_hex("#FFFF00"), "light")
    assert yellow[0] == yellow[1] > yellow[2]  # still yellow, only darker


@pytest.mark.parametrize("theme,unreadable", [("dark", {"30"}), ("light", {"37", "97", "33", "93"})])
def test_sixteen_colors_never_pick_one_the_background_hides(theme, unreadable) -> None:
    for color in DEFAULT_COLORS + ("#000000", "#FFFFFF", "#FFFF00", "#101010"):
        assert rgb_sgr(readable(parse_hex(color), theme), ColorMode.BASIC, theme) not in unreadable


def test_each_depth_gets_its_best() -> None:
    rgb = (30, 144, 255)
    assert rgb_sgr(rgb, ColorMode.TRUE) == "38;2;30;144;255"
    assert rgb_sgr(rgb, ColorMode.X256) == "38;5;33"
    assert rgb_sgr(rgb, ColorMode.BASIC) == "94"
    assert rgb_sgr(rgb, ColorMode.NONE) == ""


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("env,stream,choice,mode", [
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, Tty(), "auto", ColorMode.TRUE),
    ({"TERM": "xterm-256color"}, Tty(), "auto", ColorMode.X256),
    ({"TERM": "xterm"}, Tty(), "auto", ColorMode.BASIC),
    ({"TERM": "xterm-256color", "NO_COLOR": "1"}, Tty(), "always", ColorMode.NONE),
    ({"TERM": "xterm-256color"}, io.StringIO(), "auto", ColorMode.NONE),
    ({"TERM": "dumb"}, Tty(), "auto", ColorMode.NONE),
])
def test_color_depth_detection(env, stream, choice, mode) -> None:
    assert detect_color_mode(color_hints(env), stream, choice) is mode


def test_theme_setting() -> None:
    from focuslib.settings import value

    assert value({}, "FOCUS_THEME") == "dark" and value({"FOCUS_THEME": " Light "}, "FOCUS_THEME") == "light"
    with pytest.raises(ConfigError, match="FOCUS_THEME='sepia' is not a theme focus knows"):
        value({"FOCUS_THEME": "sepia"}, "FOCUS_THEME")
