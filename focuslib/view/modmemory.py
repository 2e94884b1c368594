"""What the screen remembers of moderation to say it right (pure, bounded).

* Who is timed out: Twitch ends a timeout with `channel.unban`, so `/untimeout` (or a
  moderator's) read `✓ Name was unbanned by ...`; an unban of someone focus saw timed
  out (and not banned since) is the timeout ending.
* The chat modes shown last: Twitch sends `channel.chat_settings.update` for a request
  that changed nothing (`/emoteonly off` when it is off); the same modes again say
  nothing new.
"""

from __future__ import annotations

from collections import OrderedDict

from focuslib.twitch.events import ChannelBan, ChannelUnban
from focuslib.twitch.events_moderation import ChatSettings

KEEP = 1024  # chatters remembered as timed out (far more than are at once)


class ModerationMemory:
    def __init__(self, keep: int = KEEP) -> None:
        self._timed_out: OrderedDict[str, None] = OrderedDict()  # user ids
        self._keep = keep
        self._modes: tuple[object, ...] | None = None

    def banned(self, e: ChannelBan) -> None:
        """A ban or a timeout was shown."""
        who = e.user.id
        if e.permanent or not e.ends_at:
            self._timed_out.pop(who, None)
            return
        self._timed_out[who] = None
        self._timed_out.move_to_end(who)
        if len(self._timed_out) > self._keep:
            self._timed_out.popitem(last=False)

    def ends_timeout(self, e: ChannelUnban) -> bool:
        """Whether this unban ends a timeout focus saw (rather than lifting a ban)."""
        return self._timed_out.pop(e.user.id, "no") is None

    def new_modes(self, e: ChatSettings) -> bool:
        """Whether these chat modes differ from the ones shown last (the first ones always do)."""
        modes = tuple(e)
        changed, self._modes = modes != self._modes, modes
        return changed
