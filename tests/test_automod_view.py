"""AutoMod's queue on screen: numbered neutral lines, outcomes that rewrite or add a line, text never shown.

A held message's text must never reach the stream (issue 9): every line is
checked for it, on a plain writer and on an emulated terminal (pyte).
"""

from __future__ import annotations

import io
import threading

from focuslib.sim.payloads_moderation import automod_hold, automod_update
from focuslib.twitch.automod import HeldMessages
from focuslib.twitch.events import parse_event
from focuslib.view.present import Presenter
from focuslib.view.render import ColorMode, Renderer
from focuslib.view.terminal import Terminal

from cases import HERON, MOSS, OTTER
from test_terminal_edit import Tty, focus_on, tty  # noqa: F401 -- the fixture

RUDE = "a very rude word here"


def plain() -> tuple[Presenter, Terminal, io.StringIO]:
    out = io.StringIO()
    terminal = Terminal(out, fancy=False)
    return Presenter(Renderer(ColorMode.NONE, timestamps=False), terminal), terminal, out


def show(presenter: Presenter, terminal: Terminal, stype: str, payload: dict) -> None:
    presenter.show(parse_event(stype, "2", payload), 0.0)
    terminal.flush()


def test_holds_are_numbered_in_order_and_the_text_stays_off_screen() -> None:
    presenter, terminal, out = plain()
    show(presenter, terminal, "automod.message.hold", automod_hold(OTTER, RUDE, "m-1"))
    show(presenter, terminal, "automod.message.hold", automod_hold(HERON, RUDE + " again", "m-2"))
    show(presenter, terminal, "automod.message.hold", automod_hold(OTTER, RUDE, "m-1"))  # a duplicate keeps its number
    assert out.getvalue().splitlines() == [
        "▣ held by AutoMod: Pixel_Otter (#1): /allow 1 or /deny 1",
        "▣ held by AutoMod: byte_heron (#2): /allow 2 or /deny 2",
        "▣ held by AutoMod: Pixel_Otter (#1): /allow 1 or /deny 1",
    ]
    held = presenter.renderer.held.get(2)
    assert held is not None and (held.message_id, held.user_id, held.login) == ("m-2", HERON[0], HERON[1])
    assert presenter.renderer.held.get(3) is None
    assert "rude" not in out.getvalue()


def test_outcome_is_a_line_of_its_own_where_nothing_can_be_rewritten() -> None:
    presenter, terminal, out = plain()
    show(presenter, terminal, "automod.message.hold", automod_hold(OTTER, RUDE, "m-1"))
    show(presenter, terminal, "automod.message.hold", automod_hold(HERON, RUDE, "m-2"))
    show(presenter, terminal, "automod.message.update", automod_update(HERON, RUDE, "m-2", "Denied", MOSS))
    show(presenter, terminal, "automod.message.update", automod_update(OTTER, RUDE, "m-1", "Expired", None))
    show(presenter, terminal, "automod.message.update", automod_update(OTTER, RUDE, "m-9", "Approved"))
    assert out.getvalue().splitlines()[2:] == [
        "▣ AutoMod #2 (byte_heron): denied by Mossy_Lantern",
        "▣ AutoMod #1 (Pixel_Otter): expired",
        "▣ AutoMod: Pixel_Otter's held message was allowed by DeskFox",
    ]
    assert [h.number for h in presenter.renderer.held.pending()] == []
    assert presenter.renderer.held.get(2).status == "denied"  # type: ignore[union-attr]
    assert "rude" not in out.getvalue()


def test_outcome_rewrites_the_held_line_on_a_terminal(tty: Tty) -> None:  # noqa: F811
    presenter, terminal = focus_on(tty)
    show(presenter, terminal, "automod.message.hold", automod_hold(OTTER, RUDE, "m-1"))
    show(presenter, terminal, "automod.message.hold", automod_hold(HERON, RUDE, "m-2"))
    show(presenter, terminal, "automod.message.update", automod_update(OTTER, RUDE, "m-1", "Approved"))
    rows = [row for row in tty.rows() if row]
    assert rows[:3] == ["▣ held by AutoMod: Pixel_Otter (#1): allowed by DeskFox",
                        "▣ held by AutoMod: byte_heron (#2): /allow 2 or /deny 2", "-- subscribed 28/28"]
    # An outcome that no longer fits the held line's rows gets a line of its own.
    show(presenter, terminal, "automod.message.hold", automod_hold(OTTER, RUDE, "m-3"))
    show(presenter, terminal, "automod.message.update", automod_update(OTTER, RUDE, "m-3", "Approved", MOSS))
    rows = [row for row in tty.rows() if row]
    assert rows[2:5] == ["▣ held by AutoMod: Pixel_Otter (#3): /allow 3 or /deny 3",
                         "▣ AutoMod #3 (Pixel_Otter): allowed by Mossy_Lantern", "-- subscribed 28/28"]
    assert not any("rude" in row for row in tty.rows()) and "rude" not in "".join(tty.raw)


def test_the_table_is_bounded_and_shared_across_threads() -> None:
    held = HeldMessages(keep=3)
    numbers = [held.hold(f"m-{k}", str(k), f"u{k}", f"U{k}") for k in range(5)]
    assert numbers == [1, 2, 3, 4, 5]
    assert held.get(1) is None and held.get(2) is None and held.get(5).message_id == "m-4"  # type: ignore[union-attr]
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.extend(h.number for h in held.pending()))
    worker.start()
    worker.join(5)
    assert seen == [3, 4, 5]
