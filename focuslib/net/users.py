"""Logins -> Twitch users through `GET /helix/users?login=` (protocol notes §5.2), cached.

Up to 100 logins go in one call (repeated `login=`); the answers are kept in a
bounded least-recently-used cache, so a streamer who bans, times out and
replies to the same handful of chatters asks Twitch once per person.  Logins
Twitch does not know are not cached (the account may be created a minute later).
A user is the events' own `User` record; its display name is sanitized here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Iterable

from focuslib.errors import TwitchAPIError
from focuslib.net.helix import Helix
from focuslib.text import sanitize
from focuslib.twitch.events_base import User  # the same record events carry: id, login, display name

MAX_LOGINS_PER_CALL = 100  # §5.2
CACHE_SIZE = 1024


class UserCache:
    """Thread-safe: the input line's worker and the one-shot commands share one."""

    def __init__(self, helix: Helix, size: int = CACHE_SIZE, *, on_wait: Callable[[str], None] | None = None
                 ) -> None:
        self.helix = helix
        self.size = size
        self.on_wait = on_wait  # told when an empty rate-limit bucket makes a look-up wait
        self._users: OrderedDict[str, User] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, user_id: str, login: str, name: str = "") -> None:
        """Note a user seen elsewhere (a chat message carries id, login and name): no call needed later."""
        if user_id and login:
            self._put(User(user_id, login.lower(), sanitize(name or login)))

    def lookup(self, logins: Iterable[str]) -> dict[str, User]:
        """login -> User for every login Twitch knows (missing ones are left out).

        Raises TwitchAPIError when Twitch answers with an error, NetworkError when it cannot be reached.
        """
        wanted = list(dict.fromkeys(login.lower() for login in logins))
        found: dict[str, User] = {}
        with self._lock:
            for login in wanted:
                user = self._users.get(login)
                if user is not None:
                    self._users.move_to_end(login)
                    found[login] = user
        missing = [login for login in wanted if login not in found]
        for start in range(0, len(missing), MAX_LOGINS_PER_CALL):
            chunk = missing[start:start + MAX_LOGINS_PER_CALL]
            resp = self.helix.call("GET", "/users", params=[("login", login) for login in chunk],
                                   on_wait=self.on_wait)
            if resp.status != 200:
                raise TwitchAPIError(f"Twitch could not look up {', '.join(chunk)[:80]}: "
                                     f"{resp.message() or resp.status}", "", resp.status, resp.message())
            doc = resp.json()
            for row in doc.get("data", []) if isinstance(doc, dict) else []:
                if isinstance(row, dict) and row.get("id") and row.get("login"):
                    user = User(str(row["id"]), str(row["login"]).lower(),
                                sanitize(str(row.get("display_name") or row["login"])))
                    self._put(user)
                    found[user.login] = user
        return found

    def get(self, login: str) -> User | None:
        """One login -> User, or None when no Twitch user is called that."""
        return self.lookup([login]).get(login.lower())

    def _put(self, user: User) -> None:
        with self._lock:
            self._users[user.login] = user
            self._users.move_to_end(user.login)
            while len(self._users) > self.size:
                self._users.popitem(last=False)
