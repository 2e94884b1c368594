"""Bounded memory for any input: a frame over the cap closes that connection, memory stays where it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from focuslib.net.websocket import MAX_MESSAGE
from focuslib.sim import payloads

from conftest import N_SUBS, ROOT, Sink, t

# peak memory of real processes: never beside another memory or timing test (conftest.py)
pytestmark = pytest.mark.xdist_group("memory")

LIMIT_TEXT = "over focus's 1 MiB limit; dropped that connection"


def _huge_frame(size: int) -> str:
    """A chat message whose text is `size` x's (in the frame twice: the text and its one fragment).

    Made with a short text that is then replaced: building the fragments and the JSON of a 64 MiB text took
    the test ~11 s of CPU, holding the GIL the simulator's keepalive needs, so on a loaded machine focus
    reconnected for want of a keepalive before the frame was even sent."""
    marker = "HUGE_TEXT_MARKER"
    event = payloads.chat_message(("5", "big", "Big"), marker)
    frame = json.dumps({"metadata": {"message_id": "huge", "message_type": "notification",
                                     "message_timestamp": "2024-05-01T18:03:41.401Z",
                                     "subscription_type": "channel.chat.message", "subscription_version": "1"},
                        "payload": {"subscription": {"type": "channel.chat.message"}, "event": event}})
    return frame.replace(f'"{marker}"', '"' + "x" * size + '"')


def test_a_frame_over_the_cap_closes_the_connection_with_a_status_line_and_focus_reconnects(sim, start_focus):
    focus = start_focus(timestamps=False)
    first = sim.wait_subscribed(N_SUBS)
    sim.send_raw(_huge_frame(MAX_MESSAGE + 1), first)
    focus.out.wait_text(LIMIT_TEXT)
    second = sim.wait_for(lambda: next((s for s in sim.live_sessions() if s is not first and
                                        len(s.subscriptions) == N_SUBS), None), timeout=20)
    sim.notify("channel.chat.message", payloads.chat_message(("6", "ann", "Ann"), "still here"), session=second)
    focus.out.wait_text("Ann: still here")
    assert "x" * 1000 not in focus.out.text
    assert focus.stop() == 0


def test_a_frame_just_under_the_cap_is_shown(sim, start_focus):
    focus = start_focus(timestamps=False)
    session = sim.wait_subscribed(N_SUBS)
    sim.send_raw(_huge_frame((MAX_MESSAGE - 8192) // 2), session)  # the text is in it twice
    sim.notify("channel.chat.message", payloads.chat_message(("6", "ann", "Ann"), "after the big one"))
    focus.out.wait_text("Ann: after the big one")
    assert LIMIT_TEXT not in focus.out.text and "Big: xxxx" in focus.out.text
    assert focus.stop() == 0


def _peak_rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the peak RSS from /proc")
def test_a_64_mib_frame_leaves_focus_s_peak_memory_where_it_was(sim, env, tmp_path):
    proc_env = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    proc_env.update(env)
    proc_env["PYTHONUNBUFFERED"] = "1"
    frame = _huge_frame(64 * 1024 * 1024)
    p = subprocess.Popen([sys.executable, "focus.py", "--no-devlog", "--color", "never"], cwd=ROOT, env=proc_env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = Sink()
    pump = threading.Thread(target=lambda: [out.write(line) for line in p.stdout], daemon=True)  # type: ignore
    pump.start()
    try:
        first = sim.wait_subscribed(N_SUBS, timeout=20)
        sim.notify("channel.chat.message", payloads.chat_message(("6", "ann", "Ann"), "warm"), session=first)
        out.wait_text("Ann: warm")
        before = _peak_rss_kib(p.pid)
        sim.send_raw(frame, first)
        del frame
        out.wait_text(LIMIT_TEXT, timeout=30)
        second = sim.wait_for(lambda: next((s for s in sim.live_sessions() if s is not first and
                                            len(s.subscriptions) == N_SUBS), None), timeout=20)
        sim.notify("channel.chat.message", payloads.chat_message(("6", "ann", "Ann"), "after"), session=second)
        out.wait_text("Ann: after")
        after = _peak_rss_kib(p.pid)
        # The frame alone would be 64 MiB (and 5-10 times that once decoded); the reconnect and the
        # resubscription themselves take a few MiB.
        assert after - before < 32 * 1024, f"peak RSS grew by {(after - before) // 1024} MiB"
    finally:
        p.terminate()
        p.wait(t(10))
        pump.join(t(5))
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()
        p.stderr.close()
