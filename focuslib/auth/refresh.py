"""The token-refresh thread: keeps focus's token good for as long as focus runs (protocol notes §4.2, §4.3).

Twitch requires an app to validate its token at start (runtime/setup.py
does) and then every hour, and to stop using a session whose validation
fails.  This thread owns that schedule.  It wakes every hour, or
`REFRESH_MARGIN` before the token expires if that comes first, validates, and
refreshes when the token is invalid or about to expire.  The new token goes
into the TokenHolder, which swaps it under its lock and stores it at once (the
refresh token may rotate), so the Helix workers pick it up on their next call.
The websocket is never touched: an EventSub session needs no token once its
subscriptions exist, so chat goes on through a refresh.  When Twitch refuses
to refresh, focus is stopped with "run make auth" (the app's fatal path, exit
code 3).  Network trouble only delays the next check.

The keeper reports only through the callbacks its caller gives it (runtime/setup.py
turns them into inbox items and devlog records), so auth/ knows nothing of the app.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable

from focuslib import threads
from focuslib.net import oauth
from focuslib.errors import AuthError, ConfigError, TwitchAPIError
from focuslib.net.client import HttpClient, NetworkError
from focuslib.auth.tokens import TokenHolder

VALIDATE_EVERY = 3600.0  # Twitch: validate hourly
REFRESH_MARGIN = 300.0  # refresh this long before the token expires
MIN_WAIT = 30.0  # after a refresh, however short the new token's life, never spin
RETRY_WAITS = (5.0, 30.0, 120.0, 300.0)  # after network trouble
SAVE_EVERY = 60.0  # a refreshed pair the disk had no room for is tried again this often


@dataclass(frozen=True, slots=True)
class RefreshSchedule:
    """When the keeper checks, in seconds: Twitch's hourly rule and focus's own waits (tests pass short ones)."""

    validate_every: float = VALIDATE_EVERY
    margin: float = REFRESH_MARGIN
    min_wait: float = MIN_WAIT
    retry_waits: tuple[float, ...] = RETRY_WAITS
    save_every: float = SAVE_EVERY


class TokenKeeper:
    """Validates hourly and refreshes before expiry, on its own thread, until `stop` is set."""

    def __init__(self, holder: TokenHolder, http: HttpClient, auth_url: str, stop: threading.Event, *,
                 expires_in: int, on_fatal: Callable[[AuthError], None], on_notice: Callable[[str], None],
                 on_event: Callable[..., None], schedule: RefreshSchedule = RefreshSchedule(),
                 wall: Callable[[], float] = time.time) -> None:
        self.holder = holder
        self.http = http
        self.auth_url = auth_url
        self.stop = stop
        self.on_fatal = on_fatal
        self.on_notice = on_notice
        self.on_event = on_event
        self.schedule = schedule
        self.wall = wall
        self._first_wait = self._next_wait(expires_in)
        self._failures = 0
        # Wakes the thread: a pair another thread refreshed and the disk refused (the holder says so at once,
        # the minute's retry starts then, not after the hour's sleep), or `join` once `stop` is set.
        self._alarm = threading.Event()
        holder.on_unsaved = self._alarm.set
        self.thread = threading.Thread(target=self._run, name="token-refresh", daemon=True)

    def start(self) -> TokenKeeper:
        threads.start(self.thread)
        return self

    def join(self, timeout: float) -> None:
        """Wait for the thread (it ends once `stop` is set and this wakes it); never from the thread itself."""
        self._alarm.set()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(timeout)

    def _run(self) -> None:
        check_at = time.monotonic() + self._first_wait
        while not self.stop.is_set():
            wait = check_at - time.monotonic()
            if self.holder.unsaved:  # the disk may have room again before the next check
                wait = min(wait, self.schedule.save_every)
            self._alarm.wait(max(0.0, wait))
            self._alarm.clear()
            if self.stop.is_set():
                return
            try:
                if time.monotonic() < check_at:
                    self._save_pending()
                    continue
                check_at = time.monotonic() + self.check()
            except Exception as exc:  # a bug must not end validation silently: log it, try again later
                self.on_event("error", where="token-refresh", error=repr(exc), traceback=traceback.format_exc())
                check_at = time.monotonic() + self.schedule.retry_waits[-1]

    def _save_pending(self) -> None:
        if self.holder.save_pending():
            self.on_event("token_saved")

    def check(self) -> float:
        """Validate (and refresh if needed) once; returns how long to wait before the next check."""
        if self.holder.unsaved:  # a refreshed pair the disk had no room for: store it now
            self._save_pending()
        token = self.holder.access_token
        try:
            info = oauth.validate(self.http, self.auth_url, token)
        except oauth.InvalidToken:
            return self._refresh(token, "Twitch no longer accepts focus's token")
        except (NetworkError, TwitchAPIError) as exc:
            return self._trouble(exc)
        self._failures = 0
        self.holder.note_validated(token, info.user_id, info.login, info.scopes, info.expires_in)
        self.on_event("token_validated", expires_in=info.expires_in)
        if info.expires_in and info.expires_in <= self.schedule.margin:
            return self._refresh(token, "focus's token is about to expire")
        return self._next_wait(info.expires_in)

    def revoked(self) -> None:
        """Twitch revoked a subscription because focus's authorization was revoked: validate at once, and
        end focus when the token no longer works (Twitch requires ending its sessions, §4.2).  No refresh:
        a revoked authorization cannot be refreshed."""
        try:
            oauth.validate(self.http, self.auth_url, self.holder.access_token)
        except oauth.InvalidToken:
            self.on_event("token_revoked")
            self.on_fatal(AuthError("Twitch says focus's authorization was revoked, and its token no longer works",
                                    "run make auth, then start focus again"))
            return
        except (NetworkError, TwitchAPIError) as exc:
            self._trouble(exc)  # the hourly check follows soon enough
            return
        self.on_event("token_still_valid_after_revocation")

    def _refresh(self, token: str, why: str) -> float:
        try:
            self.holder.refresh(token)
        except ConfigError as exc:
            # The store's lock file is unusable (a directory, another user's file): nothing was refreshed -- a
            # pair that cannot be *saved* is the holder's to keep and warn about, it raises nothing here.
            return self._trouble(exc, f"cannot refresh the token ({exc.message}; {exc.hint})")
        except AuthError as exc:
            self.on_event("token_refresh_failed", reason=why, error=exc.message)
            self.on_fatal(AuthError(f"{why}, and Twitch refused to refresh it ({exc.message})",
                                    "run make auth, then start focus again"))
            return self.schedule.validate_every  # focus is stopping; `stop` ends the wait
        except (NetworkError, TwitchAPIError) as exc:
            return self._trouble(exc)
        self._failures = 0
        self.on_event("token_refreshed", reason=why)
        expires_at = self.holder.identity.expires_at
        return max(self.schedule.min_wait, self._next_wait(int(expires_at - self.wall()) if expires_at else 0))

    def _trouble(self, exc: Exception, what: str = "") -> float:
        waits = self.schedule.retry_waits
        wait = waits[min(self._failures, len(waits) - 1)]
        if self._failures == 0:
            what = what or f"cannot check the token with Twitch ({getattr(exc, 'message', exc)})"
            self.on_notice(f"{what}; retrying in {wait:.0f} s, chat goes on")
        self._failures += 1
        self.on_event("token_check_failed", error=getattr(exc, "message", repr(exc)), retry_in=wait)
        return wait

    def _next_wait(self, expires_in: int) -> float:
        every, margin = self.schedule.validate_every, self.schedule.margin
        if expires_in <= 0:  # unknown (or a token that does not expire): just the hourly check
            return every
        return max(0.0, min(every, expires_in - margin))
