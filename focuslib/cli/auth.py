"""auth_server.py's command line: arguments, what the terminal shows, exit codes.

The flows live in `auth/codeflow` (browser, local callback server) and `auth/deviceflow`
(device code); this module runs one of them and tells the person, in a few
plain lines, what happened and what to do next.  No secret is ever printed:
only the login, user id, scopes and where the token store is.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import webbrowser
from typing import Callable, Sequence, TextIO

from focuslib import threads
from focuslib.auth.codeflow import Authorized, CodeFlow, Crashed, Notice, SignedIn, Stop
from focuslib.auth.server import CallbackServer
from focuslib.auth.tokens import Redactor
from focuslib.cli.exits import Parser, failed, not_text
from focuslib.config import Settings, load_settings
from focuslib.auth.deviceflow import Cancelled, run_device_flow
from focuslib.errors import ConfigError, ExitStatus, FocusError
from focuslib.net.client import HttpClient
from focuslib.runtime.wakeup import wake_on_signals
from focuslib.twitch.scopes import DEFAULT_SCOPES, SCOPES, describe, hidden_groups, parse_scopes
from focuslib.text import sanitize, sanitize_lines

INTERRUPTED = int(ExitStatus.INTERRUPTED)  # Ctrl-C before the sign-in finished: nothing was done

EPILOG = "\n".join([
    "What happens: your browser opens a start page at a one-time address only this terminal shows",
    "(http://localhost:3000/?k=...); Connect leads to Twitch's sign-in page; after you approve, Twitch sends",
    "the same browser back to TWITCH_REDIRECT_URI (default http://localhost:3000, served on 127.0.0.1 only),",
    "and the token is saved in the token store (FOCUS_DATA_DIR, mode 0600).  focus refreshes it by itself.",
    "",
    "scopes requested by default (--scopes to change):",
    *(f"  {scope:32} {purpose}" for scope, purpose in SCOPES),
    "",
    "settings (environment or .env): TWITCH_CLIENT_ID, TWITCH_SECRET (not needed with --device for a public",
    "client), TWITCH_REDIRECT_URI, TWITCH_AUTH_URL (default https://id.twitch.tv/oauth2), FOCUS_DATA_DIR",
    "exit codes: 0 connected, 1 error, 2 settings, 3 sign-in refused or expired, 4 Twitch API, 130 cancelled",
])


class Control:
    """Lets another thread cancel a running `make auth` (tests, embedding)."""

    def __init__(self) -> None:
        self.stop_event = threading.Event()
        self.flow: CodeFlow | None = None

    def stop(self) -> None:
        self.stop_event.set()
        if self.flow is not None:
            self.flow.stop()


def parse_args(argv: Sequence[str] | None, prog: str = "auth_server.py") -> argparse.Namespace:
    parser = Parser(
        prog=prog, description="Connect focus to your Twitch account once (make auth).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return parser.parse_args(argv)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """make auth's options (auth_server.py, `focus auth` and the completion's tree)."""
    parser.add_argument("--device", action="store_true",
                        help="sign in with a code on any device instead (no local server; works for public clients)")
    parser.add_argument("--no-browser", action="store_true", help="print the address instead of opening a browser")
    parser.add_argument("--scopes", type=_scopes, default=DEFAULT_SCOPES, metavar='"SCOPE ..."',
                        help="space- or comma-separated scopes to request instead of the defaults below")
    parser.add_argument("--force-verify", action="store_true",
                        help="show Twitch's approval page even if already approved (to switch accounts)")


def _scopes(text: str) -> tuple[str, ...]:
    try:
        return parse_scopes(text)
    except ValueError:
        raise argparse.ArgumentTypeError("give at least one scope, e.g. --scopes 'user:read:chat'") from None


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM/SIGHUP end make auth like Ctrl-C: server closed, nothing stored


def main(argv: Sequence[str] | None = None, prog: str = "auth_server.py") -> int:
    wrong = not_text(sys.argv[1:] if argv is None else argv)  # --scopes of lone surrogates: a traceback
    if wrong:
        print(f"auth: {wrong}", file=sys.stderr)
        return int(ExitStatus.CONFIG)
    args = parse_args(argv, prog)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    try:
        settings = load_settings(playground=False)  # your account, even while a demo plays beside it
    except FocusError as exc:
        return failed("auth", exc)
    sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    return run(settings, args, sys.stdout, sys.stderr)


def run(settings: Settings, args: argparse.Namespace, out: TextIO, err: TextIO,
        control: Control | None = None) -> int:
    """Run the chosen flow; print the outcome; return the exit code."""
    control = control or Control()
    redactor = Redactor()  # an answer that quotes the client secret shows it masked (net/client.py)
    redactor.add(settings.secret, settings.access_token, settings.refresh_token)
    http = HttpClient(redact=redactor)

    def say(text: str) -> None:
        # Messages can carry what a browser sent to the callback (error_description):
        # nothing but text reaches the terminal.
        out.write(sanitize_lines(text) + "\n")
        out.flush()

    try:
        settings.require_client_id()
        if args.device:
            say(f"Connecting focus to Twitch with a device code (app {settings.client_id}).")
            result = run_device_flow(http, settings, args.scopes, say=say, wait=control.stop_event.wait,
                                     open_browser=None if args.no_browser else _open_browser)
        else:
            if not settings.secret:
                raise ConfigError("TWITCH_SECRET is not set; signing in through the browser needs your app's "
                                  "client secret", "add TWITCH_SECRET to .env, or for an app registered as a "
                                  "public client use: make auth ARGS=--device")
            result = _code_flow(settings, args, http, say, control)
            if result is None:
                say("Stopped before the sign-in finished; nothing was stored.")
                return INTERRUPTED
        _report(result, settings, args.scopes, say)
        return int(ExitStatus.OK)
    except Cancelled as exc:
        say(exc.message)
        return INTERRUPTED
    except KeyboardInterrupt:
        say("\nStopped before the sign-in finished; nothing was stored.")
        return INTERRUPTED
    except FocusError as exc:
        return failed("auth", exc, err)
    finally:
        http.close()


def _code_flow(settings: Settings, args: argparse.Namespace, http: HttpClient, say: Callable[[str], None],
               control: Control) -> Authorized | None:
    """Serve the callback until the sign-in succeeds (the result) or we are stopped (None)."""
    flow = CodeFlow(settings, http, args.scopes, force_verify=args.force_verify)
    server = CallbackServer(flow)  # raises a clear error when the port is taken
    thread = threading.Thread(target=server.serve_forever, args=(threads.SERVE_POLL,), name="auth-http", daemon=True)
    threads.start(thread)
    control.flow = flow
    try:
        if control.stop_event.is_set():
            return None
        url = flow.start_url
        say(f"Connecting focus to Twitch (app {settings.client_id}).")
        opened = False if args.no_browser else _open_browser(url)
        say(("Your browser should show focus's sign-in page now. If it does not, open:" if opened
             else "Open this address in your browser and click \"Connect with Twitch\":") + f"\n  {url}\n"
            "(only this address can start a sign-in: keep it to yourself)\n"
            f"Waiting for Twitch to send the browser back to {flow.redirect.uri} (Ctrl-C to cancel) ...")
        # A stop signal wakes this wait whichever thread the kernel handed it to (runtime/wakeup.py).
        with wake_on_signals(lambda: flow.reports.put(None)):
            return _wait_for_sign_in(flow, say)
    finally:
        server.shutdown()  # from this thread, never the serving one
        server.server_close()
        thread.join(2)


def _wait_for_sign_in(flow: CodeFlow, say: Callable[[str], None]) -> Authorized | None:
    while True:
        report = flow.reports.get()  # None: a signal's wake-up, the loop goes round and the handler runs
        if isinstance(report, Notice):
            say(f"! {report.message}\n  -> {report.hint}")
        elif isinstance(report, SignedIn):
            return report.result
        elif isinstance(report, Crashed):
            raise FocusError(f"the sign-in stopped on an unexpected error ({report.error})",
                             "please report it, then run make auth again")
        elif isinstance(report, Stop):
            return None


def _report(result: Authorized, settings: Settings, requested: tuple[str, ...], say: Callable[[str], None]) -> None:
    login, user_id = sanitize(result.login), sanitize(result.user_id)
    lines = [f"Connected to Twitch as {login} (user id {user_id}).",
             "Granted scopes: " + (", ".join(sanitize(s) for s in result.scopes) or "none")]
    missing = [s for s in requested if s not in result.scopes]
    if missing:
        lines.append("Not granted: " + ", ".join(describe(s) for s in missing))
    for group, needs in hidden_groups(result.scopes).items():
        lines.append(f"! {group} will stay hidden in focus: it needs {' and '.join(needs)} "
                     "(run make auth again without --scopes to grant it)")
    lines.append(f"The token is saved in {result.store_path} (only you can read it); focus keeps it fresh.")
    if result.replaced:
        lines.append(result.replaced[0].upper() + result.replaced[1:] + ".")
    if settings.user_id and settings.user_id != result.user_id:
        lines.append(f"Note: TWITCH_USER_ID={settings.user_id} is set, so focus shows that channel; events that "
                     f"need a moderator there need {login} to be one. Unset it to show your own channel.")
    else:
        lines.append(f"focus will show {login}'s channel; there is no need to set TWITCH_USER_ID.")
    lines.append("Next: make focus   (python focus.py doctor checks everything)")
    say("\n".join(lines))


def _open_browser(url: str) -> bool:
    try:
        return webbrowser.open(url, new=2)
    except Exception:  # webbrowser can fail in odd ways on headless machines; printing the URL is enough
        return False
