"""`make auth ARGS=--device`: the device code flow, for a machine without a browser or a public client
(protocol notes §4.5).

Show the verification URL and the user code, then poll the token endpoint
every `interval` seconds: `authorization_pending` means keep waiting,
`slow_down` means poll 5 s less often from now on (RFC 8628 §3.5, which
Twitch's flow follows), and the code is given up when `expires_in` has passed.
Waiting is `wait(seconds)` (an Event's wait: True = stop), so Ctrl-C and tests
never sit in a sleep.
"""

from __future__ import annotations

import time
from typing import Callable

from focuslib.net import oauth
from focuslib.auth.codeflow import Authorized, finish
from focuslib.config import Settings
from focuslib.errors import AuthError, FocusError
from focuslib.net.client import HttpClient, NetworkError
from focuslib.text import sanitize

SLOW_DOWN_STEP = 5


class Cancelled(FocusError):
    """Stopped before the sign-in finished."""


def run_device_flow(http: HttpClient, settings: Settings, scopes: tuple[str, ...], *, say: Callable[[str], None],
                    wait: Callable[[float], bool], open_browser: Callable[[str], bool] | None = None,
                    clock: Callable[[], float] = time.monotonic) -> Authorized:
    """Run the whole flow and store the token; AuthError when declined or expired, Cancelled when stopped."""
    client_id = settings.require_client_id()
    device = oauth.start_device(http, settings.auth_url, client_id, scopes)
    deadline = clock() + device.expires_in
    uri = sanitize(device.verification_uri)
    say(f"To connect focus, open {uri}\nand enter the code:  {sanitize(device.user_code)}\n"
        f"(the code is valid for {max(1, device.expires_in // 60)} min; Ctrl-C to cancel)")
    if open_browser is not None and not open_browser(device.verification_uri):
        say("(no browser found here: open the address on any device)")
    interval = float(device.interval)
    network_trouble = False
    while True:
        if wait(interval):
            raise Cancelled("stopped before the sign-in finished; nothing was stored")
        if clock() >= deadline:
            raise AuthError("the code expired before it was entered on Twitch; nothing was stored",
                            "run make auth ARGS=--device again for a new code")
        try:
            result = oauth.poll_device(http, settings.auth_url, client_id, scopes,
                                       device.device_code)
        except NetworkError as exc:
            if not network_trouble:
                say(f"cannot reach Twitch ({exc.message}); still trying")
                network_trouble = True
            continue
        network_trouble = False
        if result == oauth.PENDING:
            continue
        if result == oauth.SLOW_DOWN:
            interval += SLOW_DOWN_STEP
            say(f"Twitch asked focus to check less often; now every {interval:.0f} s")
            continue
        assert isinstance(result, oauth.TokenSet)
        return finish(http, settings, result)
