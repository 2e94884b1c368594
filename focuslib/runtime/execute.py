"""The one place a parsed command is carried out against Helix: `Executor.execute(command) -> Outcome`.

Used by the shell's one-shot commands (`focus.py ban ...`) and by the input
line inside focus (which runs it on a worker thread: calls can wait for the
chat pace or Twitch's rate limit, and the display must never wait with them).

What the executor cannot know by itself comes from a `Recent` the caller
provides: the latest message of a chatter (for /reply and /delete) and the
AutoMod holds by number (for /allow and /deny).  The one-shot commands have no
chat history, so they use `NoRecent`.

Adding a command: its `Spec` in `focuslib/twitch/commands.py` and one handler
here (`HANDLERS[Record] = function(executor, record) -> Outcome`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from focuslib.errors import FocusError
from focuslib.net.channel_api import ChannelAPI
from focuslib.net.chat_api import Outcome, done, refused, span
from focuslib.net.helix import Helix, Stopped
from focuslib.net.users import UserCache
from focuslib.runtime.execute_channel import HANDLERS as CHANNEL_HANDLERS
from focuslib.twitch import commands
from focuslib.twitch.automod import OUTCOMES, HeldMessage
from focuslib.twitch.events_base import User
from focuslib.twitch.pacer import Pacer

if TYPE_CHECKING:
    from focuslib.runtime.shield import ShieldPlan


@dataclass(frozen=True, slots=True)
class Seen:
    """A chat message focus has shown: enough to reply to it or delete it."""

    message_id: str
    user_id: str
    login: str
    name: str = ""


class Recent(Protocol):
    def latest(self, login: str | None) -> Seen | None:
        """The latest message of `login` (None: the latest message shown), if focus still knows it."""

    def held(self, number: int) -> HeldMessage | None:
        """AutoMod's held message #number as focus numbered it (its `status` set once it is no longer held)."""


class NoRecent:
    """No chat history (the one-shot commands)."""

    def latest(self, login: str | None) -> Seen | None:
        return None

    def held(self, number: int) -> HeldMessage | None:
        return None


class ChatPace:
    """The pure `Pacer`, shared by threads: `wait()` blocks the caller until its booked slot."""

    def __init__(self, pacer: Pacer | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.pacer = pacer or Pacer()
        self.clock = clock
        self._lock = threading.Lock()

    def wait(self, stop: threading.Event, status: Callable[[str], None] = lambda text: None) -> bool:
        """Wait for this message's turn; False if `stop` was set meanwhile."""
        with self._lock:
            now = self.clock()
            at = self.pacer.reserve(now)
        delay = at - now
        if delay > 0.5:
            status(f"pacing chat under Twitch's limit: sending in {delay:.1f} s")
        return not stop.wait(delay) if delay > 0 else not stop.is_set()


Handler = Callable[["Executor", Any], Outcome]
HANDLERS: dict[type, Handler] = {}


def handles(record: type) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[record] = fn
        return fn
    return register


class Executor:
    """Carries out commands as the token's user in `broadcaster_id`'s chat; thread-safe."""

    def __init__(self, helix: Helix, broadcaster_id: str, user_id: str, *, recent: Recent | None = None,
                 users: UserCache | None = None, pace: ChatPace | None = None,
                 stop: threading.Event | None = None, status: Callable[[str], None] = lambda text: None,
                 shield: ShieldPlan | None = None, history: Path | None = None,
                 note: Callable[[str, list[str]], bool | str] | None = None) -> None:
        self.api = ChannelAPI(helix, broadcaster_id, user_id, on_wait=self._waiting)
        self.users = users or UserCache(helix, on_wait=self._waiting)
        self.recent: Recent = recent or NoRecent()
        self.pace = pace or ChatPace()
        self.stop = stop or threading.Event()
        self.status = status  # a wait's note ("" once the command that waited is done: the status is back)
        self.shield = shield  # /shield's saved settings and hold queue (runtime/shield.py); None: nothing saved
        self.history = history  # the history database (/user's card reads it); None: off
        # Where a private card goes in focus: (title, lines) -> written? (the devlog), or the line that says where
        # it went (screen mode: the devlog's notes or the overlay); None: a shell, where it is the output.
        self.note = note
        self._waited = threading.local()  # per lane: did this command put a note in the status?

    def _waiting(self, text: str) -> None:
        self._waited.flag = True
        self.status(text)

    def execute(self, command: commands.Command) -> Outcome:
        """Carry out one command; never raises for Twitch's or the network's trouble (it becomes the line)."""
        handler = HANDLERS.get(type(command))
        if handler is None:
            return refused(f"{type(command).__name__.lower()} is handled by the input line, not here")
        self._waited.flag = False
        try:
            return handler(self, command)
        except Stopped:
            return refused("not done: focus is stopping")
        except FocusError as exc:
            return refused(f"not done: {exc.message}")
        finally:
            if self._waited.flag:  # the wait is over: a note saying "retrying in 30 s" must not stay for good
                self.status("")

    def run_line(self, line: str) -> Outcome:
        """Parse and execute one typed line (the one-shot commands' and tests' shortcut)."""
        try:
            command = commands.parse(line)
        except commands.CommandError as exc:
            return refused(str(exc))
        return self.execute(command)

    def user(self, login: str) -> User | Outcome:
        """The Twitch user called `login`, or the Outcome saying there is none."""
        found = self.users.get(login)
        return found if found is not None else refused(f"no Twitch user is called {login}")

    def send(self, text: str, reply_to: str = "", **kw: str) -> Outcome:
        if not self.pace.wait(self.stop, self._waiting):
            return refused("not sent: focus is stopping")
        return self.api.send(text, reply_to, **kw)


# -- handlers -------------------------------------------------------------------------------------------------

@handles(commands.Say)
def _say(ex: Executor, cmd: commands.Say) -> Outcome:
    return ex.send(cmd.text)


@handles(commands.Reply)
def _reply(ex: Executor, cmd: commands.Reply) -> Outcome:
    seen = ex.recent.latest(cmd.user)
    if seen is not None:
        name = seen.name or seen.login
        return ex.send(cmd.text, seen.message_id, doing=f"reply to {name}", ok=f"replied to {name}")
    # A reply names a message of theirs (reply_parent_message_id): with none known, nothing is sent rather
    # than a mention passed off as a reply.
    return refused(f"no message of {cmd.user} to reply to in focus's history; nothing was sent "
                   f"(@{cmd.user} in a plain message mentions them)")


def _on_user(ex: Executor, login: str, act: Callable[[User], Outcome]) -> Outcome:
    """`act` on the Twitch user called `login`, or the line saying there is none."""
    user = ex.user(login)
    return user if isinstance(user, Outcome) else act(user)


@handles(commands.Ban)
def _ban(ex: Executor, cmd: commands.Ban) -> Outcome:
    return _on_user(ex, cmd.user, lambda user: ex.api.ban(user.id, user.name, None, cmd.reason))


@handles(commands.Timeout)
def _timeout(ex: Executor, cmd: commands.Timeout) -> Outcome:
    return _on_user(ex, cmd.user, lambda user: ex.api.ban(user.id, user.name, cmd.seconds, cmd.reason))


@handles(commands.Unban)
def _unban(ex: Executor, cmd: commands.Unban) -> Outcome:
    return _on_user(ex, cmd.user, lambda user: ex.api.unban(user.id, user.name))


@handles(commands.Untimeout)
def _untimeout(ex: Executor, cmd: commands.Untimeout) -> Outcome:
    # Twitch's Unban User ends a timeout and lifts a ban alike: /untimeout must not set a banned spammer free.
    def end_timeout(user: User) -> Outcome:
        if ex.api.banned_for_good(user.id):
            return refused(f"{user.name} is banned, not timed out; nothing was changed (/unban {user.login} "
                           "lifts the ban)")
        return ex.api.unban(user.id, user.name, timeout=True)
    return _on_user(ex, cmd.user, end_timeout)


@handles(commands.Delete)
def _delete(ex: Executor, cmd: commands.Delete) -> Outcome:
    seen = ex.recent.latest(cmd.user)
    if seen is None:
        return refused(f"no recent message of {cmd.user} to delete" if cmd.user else "no message to delete yet")
    return ex.api.delete(seen.message_id, f"deleted {seen.name or seen.login}'s message")


@handles(commands.Clear)
def _clear(ex: Executor, cmd: commands.Clear) -> Outcome:
    return ex.api.delete(None, "cleared the chat")


@handles(commands.Announce)
def _announce(ex: Executor, cmd: commands.Announce) -> Outcome:
    return ex.api.announce(cmd.text, cmd.color)


@handles(commands.Shoutout)
def _shoutout(ex: Executor, cmd: commands.Shoutout) -> Outcome:
    return _on_user(ex, cmd.user, lambda user: ex.api.shoutout(user.id, user.name))


@handles(commands.Warn)
def _warn(ex: Executor, cmd: commands.Warn) -> Outcome:
    return _on_user(ex, cmd.user, lambda user: ex.api.warn(user.id, user.name, cmd.reason))


@handles(commands.Raid)
def _raid(ex: Executor, cmd: commands.Raid) -> Outcome:
    return _on_user(ex, cmd.channel, lambda user: ex.api.raid(user.id, user.name))


@handles(commands.Slow)
def _slow(ex: Executor, cmd: commands.Slow) -> Outcome:
    if cmd.seconds is None:
        return ex.api.settings({"slow_mode": False}, "slow mode off")
    return ex.api.settings({"slow_mode": True, "slow_mode_wait_time": cmd.seconds},
                           f"slow mode on: {cmd.seconds} s between messages")


@handles(commands.Followers)
def _followers(ex: Executor, cmd: commands.Followers) -> Outcome:
    if cmd.minutes is None:
        return ex.api.settings({"follower_mode": False}, "followers-only chat off")
    said = "followers-only chat on" + (f" (following for {span(cmd.minutes * 60)})" if cmd.minutes else "")
    return ex.api.settings({"follower_mode": True, "follower_mode_duration": cmd.minutes}, said)


@handles(commands.SubsOnly)
def _subs(ex: Executor, cmd: commands.SubsOnly) -> Outcome:
    return ex.api.settings({"subscriber_mode": cmd.on}, f"subscribers-only chat {'on' if cmd.on else 'off'}")


@handles(commands.EmoteOnly)
def _emotes(ex: Executor, cmd: commands.EmoteOnly) -> Outcome:
    return ex.api.settings({"emote_mode": cmd.on}, f"emote-only chat {'on' if cmd.on else 'off'}")


def _automod(ex: Executor, number: int, allow: bool) -> Outcome:
    held = ex.recent.held(number)
    if held is None:
        return refused(f"no message #{number} is held by AutoMod")
    if held.status:  # allowed or denied by another moderator, or expired: Twitch would answer 404
        outcome = OUTCOMES.get(held.status, "handled")
        return refused(f"#{number} ({held.name or held.login}) is no longer held: it was {outcome}")
    return ex.api.automod(held.message_id, allow, f"#{number} ({held.name or held.login})")


@handles(commands.Allow)
def _allow(ex: Executor, cmd: commands.Allow) -> Outcome:
    return _automod(ex, cmd.number, True)


@handles(commands.Deny)
def _deny(ex: Executor, cmd: commands.Deny) -> Outcome:
    return _automod(ex, cmd.number, False)


@handles(commands.Shield)
def _shield(ex: Executor, cmd: commands.Shield) -> Outcome:
    from focuslib.runtime.shield import ShieldPlan, shield

    return shield(ex, cmd.on, ex.shield or ShieldPlan(None))


@handles(commands.Help)
def _help(ex: Executor, cmd: commands.Help) -> Outcome:
    return done("\n".join(commands.help_lines()))


HANDLERS.update(CHANNEL_HANDLERS)  # the channel's commands (runtime/execute_channel.py)

__all__ = ["ChatPace", "Executor", "HANDLERS", "NoRecent", "Outcome", "Recent", "Seen", "handles"]
