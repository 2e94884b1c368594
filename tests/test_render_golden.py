"""Golden output: every event type, notice type and chat variant, plain and in color, at two widths.

The goldens live in tests/golden/ (escape sequences written as `\\e`, so they
read in a diff).  After an intended change, regenerate them and read the diff:

    FOCUS_REGEN_GOLDEN=1 make test ARGS=tests/test_render_golden.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from focuslib.view.render import ColorMode, Renderer
from focuslib.twitch.subscriptions import desired

from cases import CASES, event_of

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("FOCUS_REGEN_GOLDEN") == "1"
CLOCK = 1714587780.0  # 2024-05-01 18:23 UTC
VARIANTS = [("plain", ColorMode.NONE, 100, "dark"), ("plain", ColorMode.NONE, 44, "dark"),
            ("truecolor", ColorMode.TRUE, 100, "dark"), ("256", ColorMode.X256, 44, "dark"),
            ("16-light", ColorMode.BASIC, 100, "light")]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def render_all(mode: ColorMode, width: int, theme: str) -> str:
    out = []
    for name in CASES:
        renderer = Renderer(mode, width=width, clock=lambda: CLOCK, theme=theme)
        line = renderer.event(event_of(name))
        assert line is not None, name
        out.append(f"## {name}\n{line}\n")
    return "\n".join(out).replace("\x1b", "\\e")


@pytest.mark.parametrize("label,mode,width,theme", VARIANTS, ids=[f"{v[0]}-{v[2]}" for v in VARIANTS])
def test_golden(label: str, mode: ColorMode, width: int, theme: str) -> None:
    path = GOLDEN / f"render-{label}-{width}.txt"
    text = render_all(mode, width, theme)
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; regenerate with FOCUS_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_cases_cover_every_subscribed_type_and_notice_type() -> None:
    from focuslib.sim.payloads_chat import NOTICE_KEYS

    types = {build()[0] for build in CASES.values()}
    assert types == {spec.type for spec in desired("1", "1")}
    notices = {build()[1]["notice_type"] for build in CASES.values() if build()[0] == "channel.chat.notification"}
    assert set(NOTICE_KEYS) - {"unraid"} <= notices | {"unraid"} and "unraid" in notices
    assert {"watch_streak", "modiversary", "gift_sub_bonus_match"} <= notices
