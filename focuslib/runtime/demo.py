"""`make demo`: the simulated Twitch and its demo channel, in focus's own process, as a playground.

The demo locks `demo.json` in the runtime directory first (a second demo is refused there, before it
starts anything), saves its token in its own token store and writes where its simulator listens, so that
every command from another terminal (focus say, ban, history, doctor, devlog, make trigger, make chat)
acts on it, saying "(demo)" (config.load_settings, playground.py).  Its data directory is its own: a real
configuration, token store or history is never read or written by it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Callable

from focuslib.config import Settings, demo_settings, ensure_private_dir
from focuslib.errors import ConfigError
from focuslib.playground import Demo, marker_path

DATA = "demo-data"  # the demo's data directory, in the runtime directory


def demo_data_dir(settings: Settings) -> Path:
    return settings.runtime_dir / DATA


def claim(runtime_dir: Path) -> int:
    """Lock the demo marker for this process (the open file; CLOEXEC), or say which demo holds it."""
    from focuslib.runtime.pidfile import open_own

    ensure_private_dir(runtime_dir)
    fd = open_own(marker_path(runtime_dir), create=True)
    assert fd is not None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        from focuslib.playground import running_demo

        demo = running_demo(runtime_dir)
        os.close(fd)
        raise ConfigError(f"a demo is already running (pid {demo.pid if demo else '?'})",
                          "use that one from this terminal (focus say hi, make trigger), or stop it: "
                          "focus stop") from None
    return fd


def start_demo(settings: Settings, speed: int = 1) -> tuple[Settings, Callable[[], None]]:
    """Start the simulated Twitch and its demo channel, playing `speed` times faster than its own pace
    (FOCUS_DEMO_SPEED, checked by focuslib/settings.py); `settings` pointed at it, and how to stop it all."""
    from focuslib.auth.store import StoredToken, TokenStore
    from focuslib.sim import SimTwitch
    from focuslib.sim.demo import DemoChannel

    fd = claim(settings.runtime_dir)
    sim = channel = None

    def stop() -> None:
        if channel is not None:
            channel.stop()
        if sim is not None:
            sim.stop()
        try:
            os.ftruncate(fd, 0)  # what a command could still read says nothing; never unlinked (the lock)
        except OSError:
            pass
        os.close(fd)  # drops the lock

    try:
        sim = SimTwitch().start()
        grant = sim.issue_token()
        data = demo_data_dir(settings)
        TokenStore(data, sim.client_id).save(StoredToken(
            grant.access_token, grant.refresh_token, grant.scopes, user_id=grant.user[0], login=grant.user[1],
            expires_at=grant.expires_at))
        channel = DemoChannel(sim, speed=speed).start()
        demo = Demo(os.getpid(), sim.http_base, sim.ws_url, sim.api_url, sim.auth_url, sim.client_id, str(data))
        os.ftruncate(fd, 0)
        os.pwrite(fd, demo.to_json(), 0)
    except BaseException:
        stop()
        raise
    return demo_settings(settings, demo), stop

