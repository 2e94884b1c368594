"""`make demo`: the simulated Twitch and its demo channel, in focus's own process."""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Callable

from focuslib.config import Settings, ensure_private_dir


def start_demo(settings: Settings) -> tuple[Settings, Callable[[], None]]:
    """Start the simulated Twitch and its demo channel; `settings` pointed at it, and how to stop it all.

    `sim.json` in the runtime directory tells `make trigger` where the simulator listens."""
    from focuslib.sim import SimTwitch
    from focuslib.sim.demo import DemoChannel

    sim = SimTwitch().start()
    grant = sim.issue_token()
    channel = DemoChannel(sim).start()
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
