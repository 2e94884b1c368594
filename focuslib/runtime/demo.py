"""`make demo`: the simulated Twitch and its demo channel, in focus's own process."""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Callable, Mapping

from focuslib.config import Settings, ensure_private_dir
from focuslib.errors import ConfigError
from focuslib.text import whole_number


def start_demo(settings: Settings) -> tuple[Settings, Callable[[], None]]:
    """Start the simulated Twitch and its demo channel; `settings` pointed at it, and how to stop it all.

    `sim.json` in the runtime directory tells `make trigger` where the simulator listens."""
    from focuslib.sim import SimTwitch
    from focuslib.sim.demo import DemoChannel

    speed = demo_speed(settings.env)
    sim = SimTwitch().start()
    grant = sim.issue_token()
    channel = DemoChannel(sim, speed=speed).start()
    ensure_private_dir(settings.runtime_dir)
    marker = settings.runtime_dir / "sim.json"
    marker.write_text(json.dumps({"http": sim.http_base, "pid": os.getpid()}))

    def stop() -> None:
        channel.stop()
        sim.stop()
        try:
            marker.unlink()
        except OSError:
            pass

    demo = dataclasses.replace(
        settings, eventsub_url=sim.ws_url, api_url=sim.api_url, auth_url=sim.auth_url, client_id=sim.client_id,
        access_token=grant.access_token, refresh_token=grant.refresh_token, secret="", user_id="",
        data_dir=settings.runtime_dir / "demo-data")
    return demo, stop


def demo_speed(env: Mapping[str, str]) -> int:
    """FOCUS_DEMO_SPEED: how many times faster than its own pace the demo channel plays (1 to 100)."""
    text = env.get("FOCUS_DEMO_SPEED", "").strip()
    if not text:
        return 1
    speed = whole_number(text, 100)
    if not speed:
        raise ConfigError("FOCUS_DEMO_SPEED must be a whole number from 1 to 100 (times the demo's own pace)",
                          "unset it, or set e.g. FOCUS_DEMO_SPEED=4")
    return speed
