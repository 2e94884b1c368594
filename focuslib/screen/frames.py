"""When screen mode draws, and what one frame writes: prompt_toolkit's header and desk, then the pane's rows.

Redraws are coalesced: a raid costs a redraw per interval, not one per line.  The interval is the shortest
(`REDRAW`, 60 a second) while a frame is cheap, longer as frames cost more CPU, so that drawing takes at most
`SHARE` of a core, and never longer than `REDRAW_MOST` (30 a second).  A line waits up to one interval for its
frame: at 30 a second that alone was 33 ms of the 50 ms a line may take to reach the screen (issue 19).  A
typed key does not wait for the interval: it is drawn as soon as it is handled.
"""

from __future__ import annotations

import time

from prompt_toolkit.application import Application
from prompt_toolkit.layout import Layout

from focuslib.screen.panecontrol import PaneArea

REDRAW = 1 / 60  # seconds between two redraws at least
REDRAW_MOST = 1 / 30  # ... and at most, however much a frame costs
SHARE = 0.2  # of a core, what drawing may take (the frames' CPU time, averaged)
SMOOTHING = 0.2  # weight of the last frame in the average


def redraw_interval(frame_cost: float) -> float:
    """The least time between two redraws for frames costing `frame_cost` seconds of CPU."""
    return min(REDRAW_MOST, max(REDRAW, frame_cost / SHARE))


def paint_pane_after_frames(ptk: Application[None], area: PaneArea) -> None:
    """Each frame of `ptk` (prompt_toolkit's Application, not focus's App): prompt_toolkit draws the header and
    the desk, then the pane's changed rows are written (screen/panecontrol.py), both to the terminal in one write;
    the next interval follows the frame's cost."""
    renderer = ptk.renderer
    render = renderer.render
    cost = 0.0  # seconds of CPU a frame takes, averaged

    def frame(application: Application[object], layout: Layout, is_done: bool = False) -> None:
        nonlocal cost
        output = renderer.output
        # prompt_toolkit redraws everything (and erases the pane) when it forgot its last screen or the size
        # changed; its private fields are the only place that says so.
        everything = getattr(renderer, "_last_screen", None) is None or \
            getattr(renderer, "_last_size", None) != output.get_size()
        area.frame(output)
        began = time.thread_time()
        output.flush = lambda: None  # type: ignore[method-assign]  # one write: the frame and the pane's rows
        try:
            render(application, layout, is_done)
        finally:
            del output.flush
        if not is_done:
            area.paint(output, everything)
        output.flush()
        cost += SMOOTHING * (time.thread_time() - began - cost)
        ptk.min_redraw_interval = ptk.max_render_postpone_time = redraw_interval(cost)

    renderer.render = frame  # type: ignore[method-assign]


def echo_keys_at_once(app: Application[None]) -> None:
    """A key is drawn as soon as it is handled, not at chat's next frame (up to a redraw interval later):
    typing is answered like a terminal's own echo.  Keys that come together (a paste) share one frame."""
    due = False

    def echo() -> None:
        nonlocal due
        due = False
        getattr(app, "_redraw", app.invalidate)()  # redraws now (its invalidate would wait for the interval)

    def pressed(_: object) -> None:
        nonlocal due
        if not due and app.loop is not None:
            due = True
            app.loop.call_soon(echo)  # after the keys read together are all handled

    app.key_processor.after_key_press += pressed


__all__ = ["REDRAW", "REDRAW_MOST", "SHARE", "echo_keys_at_once", "paint_pane_after_frames", "redraw_interval"]
