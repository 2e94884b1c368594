"""focus from Python: `focuslib.connect()` for a bot or an overlay, `focuslib.start()` in a REPL.  Stable.

    import focuslib

    with focuslib.connect() as chat:             # your channel, with the settings `focus config` shows
        for event in chat:                       # typed records: ChatMessage, Follow, Subscribe, ChannelRaid ...
            if isinstance(event, focuslib.ChatMessage) and event.text == "!hello":
                chat.reply(event.chatter.login, "hi!")

The events are the records focus itself draws (focuslib/twitch/events*.py), in order, each once (a moment
Twitch reports twice is still two records: focus pairs them on screen).  Their texts are Twitch's, raw:
pass what you print through `focuslib.sanitize` or use `chat.line(event)`, the line focus would draw.
`say`, `reply`, `ban` ... return an Outcome (`ok`, and one line of `text`), never raise for Twitch's
answer.  `connect` and `start` raise a FocusError when focus cannot start (no settings, no token, Twitch
unreachable): `str(err)` says what happened and what to do, in one or two lines.  A connection runs
focus's own runtime on a thread of its own (no signal handler, no pid file, no history by default, no
terminal), so any number of them can run beside focus; `demo=True` uses the running demo (make demo), or
starts one.
"""

from __future__ import annotations

import queue
import sys
import threading
from typing import Any, Iterator, TextIO

from focuslib.config import Settings, load_settings
from focuslib.errors import ConfigError, FocusError
from focuslib.net.chat_api import Outcome
from focuslib.runtime.recent import RecentChat
from focuslib.runtime.setup import FocusHandle, Options, run
from focuslib.store.rows import is_question
from focuslib.text import sanitize
from focuslib.twitch import commands
from focuslib.twitch.events_base import User
from focuslib.twitch.events_channel import (ChannelBan, ChannelRaid, ChannelUnban, Cheer, Follow, Redemption,
                                            StreamOffline, StreamOnline, Subscribe, SubscriptionGift,
                                            SubscriptionMessage)
from focuslib.twitch.events_chat import ChatMessage

__all__ = ["ChannelBan", "ChannelRaid", "ChannelUnban", "ChatMessage", "Cheer", "Connection", "FocusError", "Follow",
           "Outcome", "Redemption", "StreamOffline", "StreamOnline", "Subscribe", "SubscriptionGift",
           "SubscriptionMessage", "User", "connect", "is_question", "sanitize", "start"]

READY_TIMEOUT = 30.0  # seconds connect() waits for the token check before it gives up
_END = object()


class _Discard:
    """Where focus's lines go when nobody wants them printed."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class Connection:
    """One running focus: iterate it for events; `say`, `reply`, `ban` ... talk back; `stop()` ends it."""

    def __init__(self, settings: Settings, options: Options, out: TextIO | None = None) -> None:
        self.settings = settings
        self._events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._recent = RecentChat()
        self._handle = FocusHandle(on_event=self._shown)
        self._out = out or _Discard()
        self.error: BaseException | None = None
        self._executor: Any = None
        self._renderer: Any = None
        self._thread = threading.Thread(target=self._run, args=(options,), name="focus-api", daemon=True)

    def _shown(self, event: Any) -> None:  # focus's main loop: hand over and go
        self._recent.saw(event)
        self._events.put(event)

    def _run(self, options: Options) -> None:
        try:
            run(self.settings, options, self._out, self._handle)
        except KeyboardInterrupt:
            pass
        except BaseException as exc:  # raised where the caller iterates or waits
            self.error = exc
        finally:
            self._handle.ready.set()
            self._events.put(_END)

    def start(self, timeout: float = READY_TIMEOUT) -> Connection:
        """Start, and return once focus is subscribed and events can come (or raise what went wrong)."""
        self._thread.start()
        if not self._handle.ready.wait(timeout):
            self.stop()
            raise FocusError(f"focus did not reach Twitch within {timeout:g} s", "check focus doctor")
        if self.error is not None:
            raise self.error
        return self

    # -- events ---------------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        while True:
            event = self.next(None)
            if event is None:
                return
            yield event

    def next(self, timeout: float | None = None) -> Any:
        """The next event, waiting up to `timeout` seconds (None: until one comes); None when the time is up
        or the connection has ended (then an error that ended it is raised)."""
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            return None
        if event is _END:
            self._events.put(_END)  # every later call ends too
            if self.error is not None:
                raise self.error
            return None
        return event

    def line(self, event: Any) -> str:
        """The line focus draws for `event` (sanitized, no color), or "" for one it does not draw."""
        if self._renderer is None:
            from focuslib.view.colors import ColorMode
            from focuslib.view.render import Renderer

            self._renderer = Renderer(ColorMode.NONE, timestamps=False)
        return self._renderer.event(event) or ""

    # -- talking back ---------------------------------------------------------------------------------------

    def command(self, line: str) -> Outcome:
        """Any line focus's input line takes: `/ban user spam`, `/slow 30`, or plain text (sent as chat)."""
        try:
            return self._execute(commands.parse(line))
        except commands.CommandError as exc:
            return Outcome(False, str(exc))

    def say(self, text: str) -> Outcome:
        return self._checked(lambda: commands.Say(commands.message(text)))

    def reply(self, user: str, text: str) -> Outcome:
        """Reply to `user`'s latest message this connection saw."""
        return self._checked(lambda: commands.Reply(commands.login(user), commands.message(text)))

    def ban(self, user: str, reason: str = "") -> Outcome:
        return self.command(f"/ban {self._login(user)} {reason}")

    def timeout(self, user: str, duration: str | int, reason: str = "") -> Outcome:
        """`duration`: seconds, or 30s, 10m, 1h, 2d."""
        return self.command(f"/timeout {self._login(user)} {duration} {reason}")

    def untimeout(self, user: str) -> Outcome:
        return self.command(f"/untimeout {self._login(user)}")

    def unban(self, user: str) -> Outcome:
        return self.command(f"/unban {self._login(user)}")

    def delete(self, user: str | None = None) -> Outcome:
        """Delete `user`'s latest message (None: the latest one shown that is not yours or a mod's)."""
        return self.command(f"/delete {self._login(user)}" if user else "/delete")

    def announce(self, text: str, color: str = "primary") -> Outcome:
        return self._checked(lambda: commands.Announce(commands.message(text, "announcement"), color))

    def shoutout(self, user: str) -> Outcome:
        return self.command(f"/shoutout {self._login(user)}")

    def warn(self, user: str, reason: str) -> Outcome:
        return self.command(f"/warn {self._login(user)} {reason}")

    def _login(self, user: str) -> str:
        return user if len(user.split()) == 1 else "?"  # a name with spaces must not shift into the reason

    def _checked(self, build: Any) -> Outcome:
        try:
            return self._execute(build())
        except commands.CommandError as exc:
            return Outcome(False, str(exc))

    def _execute(self, command: commands.Command) -> Outcome:
        if self._executor is None:
            from focuslib.runtime.execute import Executor

            app, identity = self._handle.app, self._handle.identity
            if app is None or identity is None or not self._thread.is_alive():
                return Outcome(False, "not connected")
            self._executor = Executor(app.helix, identity[0], identity[1], recent=self._recent,
                                      stop=self._handle.stop_event)
        return self._executor.execute(command)

    # -- the end --------------------------------------------------------------------------------------------

    def stop(self, timeout: float = 5.0) -> None:
        """End the connection (idempotent); its iterator ends."""
        self._handle.stop()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        close = getattr(self._out, "close", None)
        if close is not None and not isinstance(self._out, _Discard) and self._out not in (sys.stdout, sys.stderr):
            close()  # start()'s REPL writer (prompt_toolkit's has a thread of its own)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def connect(*, demo: bool = False, events: str | None = None, history: bool = False, out: TextIO | None = None,
            timeout: float = READY_TIMEOUT, **options: Any) -> Connection:
    """Connect to your channel (settings as `focus config` shows them), or with `demo` to the running demo
    (else a demo of its own); return once events can come.  `events`: groups like --events ("chat,follows");
    `history`: write focus's chat history too; `out`: where focus's own lines go (default: nowhere)."""
    from focuslib.settings import read

    settings = load_settings(playground=demo)  # the running demo's, when there is one and demo is asked
    own_demo = demo and not settings.demo
    if not own_demo:
        settings.require_client_id()
    # Every setting as focus reads it (focuslib/settings.py), `events` and `history` standing for their flags.
    chosen = {**read(settings.env, events=events or "").options(), "history": history}
    try:
        opts = Options(**{**chosen, "demo": own_demo, "devlog": False, "input_line": False, "pid_file": False,
                          **options})
    except TypeError as exc:
        raise ConfigError(f"connect() got an option it does not know: {exc}", "see help(focuslib.connect)") from None
    return Connection(settings, opts, out).start(timeout)


def start(*, demo: bool = False, events: str | None = None, **options: Any) -> Connection:
    """Chat in this Python REPL (plain, IPython, ptpython): focus's lines are printed above the prompt in the
    background, with no signal handler and no redraw of the terminal; returns the connection (`.stop()`).
    `demo=True`: the running demo (make demo), or one of its own."""
    from focuslib.runtime.replout import repl_out

    out = repl_out()
    try:
        return connect(demo=demo, events=events, out=out, tail=True, **options)
    except BaseException:
        out.close()  # under prompt_toolkit it has a thread of its own
        raise

