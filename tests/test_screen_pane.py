"""Screen mode's pane (focuslib/screen/pane.py) and its writer: bounded, keyed lines taken back wherever they are,
a scrolled view that new chat does not move, and /find's order."""

from __future__ import annotations

from focuslib.screen.pane import LINE_CHARS, Pane
from focuslib.screen.writer import REMOVED, PaneWriter


def texts(pane: Pane, count: int = 100) -> list[str]:
    return [entry.text for entry in pane.window(count)]


def test_the_pane_keeps_at_most_its_lines_and_its_characters() -> None:
    pane = Pane(limit=100, chars=1_000)
    for n in range(250):
        pane.add(f"line {n}", key=f"k{n}")
    assert len(pane) == 100 and texts(pane, 1)[0] == "line 249"
    assert not pane.has("k149") and pane.has("k150")  # a dropped line's key goes with it
    pane.add("y" * 600)  # older lines make room for it
    assert pane.size() <= 1_000 and texts(pane, 1)[0] == "y" * 600 and len(pane) < 100
    pane.add("x" * 50_000)  # longer than the whole budget: cut to a line's most, and alone
    assert texts(pane) == ["x" * LINE_CHARS] and pane.size() == LINE_CHARS


def test_a_keyed_line_is_replaced_or_hidden_wherever_it_is() -> None:
    pane = Pane()
    for n in range(500):
        pane.add(f"chat {n}", key=n)
    pane.scroll(400)  # scrolled back: line 99 is the last in view
    assert texts(pane, 1) == ["chat 99"]
    assert pane.replace(3, "gone") and pane.hide(98)
    assert texts(pane, 3) == ["chat 96", "chat 97", "chat 99"] and "gone" in [e.text for e in pane.window(99)]
    assert not pane.replace(98, "back")  # hidden stays hidden
    assert pane.replace(499, "newest, replaced")  # below the view too
    assert not pane.replace("never", "x")


def test_new_chat_does_not_move_a_scrolled_view_and_is_counted_below() -> None:
    pane = Pane()
    for n in range(50):
        pane.add(f"chat {n}")
    pane.scroll(10)
    view = texts(pane, 5)
    for n in range(50, 80):
        pane.add(f"chat {n}")
    assert texts(pane, 5) == view and pane.waiting() == 40
    pane.scroll(-1000)  # back to the newest: follows chat again
    assert pane.waiting() == 0 and texts(pane, 1) == ["chat 79"]
    pane.home()
    assert texts(pane, 1) == ["chat 0"]
    pane.end()
    assert pane.bottom is None


def test_find_walks_matches_newest_first_in_any_case_and_ignores_colors() -> None:
    pane = Pane()
    for n, text in enumerate(["a Needle", "hay", "\x1b[31mnee\x1b[0mdle red", "hay", "NEEDLE"]):
        pane.add(text, key=n)
    first = pane.find("needle", None)
    assert first == 4
    second = pane.find("needle", first)
    assert second == 2  # the colors split the word; it is still found
    assert pane.find("needle", second) == 0 and pane.find("needle", 0) is None
    assert pane.find("needle", 0, forward=True) == 2
    pane.hide(4)
    assert pane.find("needle", None) == 2  # a removed line is never found


def test_the_writer_takes_back_lines_before_and_after_they_reach_the_pane() -> None:
    pane = Pane()
    redraws: list[int] = []
    writer = PaneWriter(pane, lambda: redraws.append(1))
    writer.line("Loud_Kettle: spam", key="m1")
    writer.line("byte_heron: hi", key="m2")
    assert writer.remove("m1")  # still waiting for flush
    writer.flush()
    assert texts(pane) == [REMOVED, "byte_heron: hi"] and redraws
    assert writer.remove("m2") and texts(pane) == [REMOVED, REMOVED]
    hiding = PaneWriter(Pane(), hide_removed=True)
    hiding.line("spam", key="s")
    hiding.line("kept")
    hiding.flush()
    assert hiding.remove("s") and texts(hiding.pane) == ["kept"]
    assert hiding.replace("nope", "x") is False


def test_the_writer_rings_the_bell_and_keeps_the_status_for_the_header() -> None:
    rung: list[int] = []
    writer = PaneWriter(Pane(), bell=lambda: rung.append(1))
    writer.status("subscribed 52/52\x1b[2J")
    assert "\x1b" not in writer.status_text and writer.status_text.startswith("subscribed 52/52")
    writer.bell()
    assert not rung
    writer.flush()
    assert rung == [1]


def test_a_view_scrolled_to_the_top_is_filled_downwards() -> None:
    pane = Pane()
    for n in range(30):
        pane.add(f"chat {n}")
    pane.home()
    assert texts(pane, 10) == [f"chat {n}" for n in range(10)] and pane.waiting() == 20
    pane.scroll(-25)  # past the newest: follows chat again
    assert pane.bottom is None


def cells(text: str) -> list[tuple[str, str]]:
    """What a painted text shows: each character with its style (a space's style cannot be seen)."""
    from focuslib.screen.panecontrol import runs_of

    return [(ch, params if ch != " " else "") for part, params in runs_of(text) for ch in part]


def test_a_line_laid_out_again_for_another_width_is_the_renderers_own_layout_at_that_width() -> None:
    # The pane re-wraps what it holds after a resize: the same rows the renderer makes at the new width.
    from focuslib.screen.panecontrol import rewrap
    from focuslib.sim import payloads, payloads_channel
    from focuslib.twitch.events import parse_event
    from focuslib.view.render import ColorMode, Renderer

    words = " ".join(f"word{n}" for n in range(40))
    events = [parse_event("channel.chat.message", "1", payloads.chat_message(("1", "otter", "Otter"), words)),
              parse_event("channel.ban", "2", payloads_channel.ban(("2", "kettle", "Loud_Kettle"), ("3", "lantern", "Mossy_Lantern"),
                                                                   reason=words[:90]))]
    for mode in (ColorMode.NONE, ColorMode.TRUE):
        for stamps in (True, False):
            for event in events:
                line = {w: Renderer(mode, timestamps=stamps, width=w, clock=lambda: 0.0).event(event) for w in (300, 100, 37, 24)}
                assert "\n" not in line[300] and "\n" in line[37]
                for old in (300, 100, 37):
                    for new in (300, 100, 37, 24):
                        if new != old and "\n" in line[old] or new < old:
                            assert cells(rewrap(line[old], new)) == cells(line[new]), (mode, stamps, old, new)
