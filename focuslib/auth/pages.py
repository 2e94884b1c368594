"""The few HTML pages `make auth` shows in the browser (pure: text in, bytes out).

Every variable part is escaped; nothing a page shows comes from the query
string except through the sanitizer, and no page ever contains a code or token.
"""

from __future__ import annotations

import base64
import hashlib
import html

from focuslib.text import sanitize

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:4em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}.ok{color:#1a7f37}.bad{color:#b42318}
a.button{display:inline-block;background:#9146ff;color:#fff;padding:.6em 1.2em;border-radius:6px;
text-decoration:none;font-weight:600}
code{background:#f2f2f2;padding:0 .3em}
"""

# Nothing but our own inline style may load or run; no form posts anywhere; no framing (clickjacking).
CSP = ("default-src 'none'; style-src 'sha256-" + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
       + "'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")


def page(title: str, body_html: str, css_class: str = "") -> bytes:
    """A whole page; `body_html` is trusted markup built by this module."""
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<meta name=viewport content='width=device-width'><style>{_STYLE}</style></head>"
            f"<body><h1 class='{css_class}'>{html.escape(title)}</h1>{body_html}</body></html>").encode()


def esc(text: str) -> str:
    """Untrusted text (e.g. Twitch's error description) made safe for a page."""
    return html.escape(sanitize(text))


def connect_button(href: str = "/connect", label: str = "Connect with Twitch") -> str:
    return f"<p><a class=button id=connect href='{html.escape(href)}'>{html.escape(label)}</a></p>"


def landing(scopes: tuple[str, ...]) -> bytes:
    items = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in scopes)
    return page("Connect focus to Twitch",
                "<p>focus shows your channel's chat and events in your terminal. "
                "Twitch will ask you to approve these permissions:</p>"
                f"<ul>{items}</ul>" + connect_button())


def success(login: str, user_id: str) -> bytes:
    return page("focus is connected",
                f"<p>Signed in as <b>{esc(login)}</b> (user id {esc(user_id)}). The token is saved on this "
                "computer.</p><p>You can close this tab and go back to the terminal.</p>", "ok")


def problem(title: str, what: str, todo: str, retry: bool = True) -> bytes:
    """An error page: what happened, what to do, and a way to start again."""
    body = f"<p>{esc(what)}</p><p>{esc(todo)}</p>" + (connect_button(label="Start again") if retry else "")
    return page(title, body, "bad")


def not_found() -> bytes:
    return page("Nothing here", "<p><a href='/'>Go to the start page</a></p>")


def forbidden() -> bytes:
    """Landing page or Connect without make auth's key: only the person at that terminal may sign in."""
    return page("Open the address make auth printed",
                "<p>For your safety, a sign-in can only start from the address that <code>make auth</code> "
                "printed in its terminal (it ends in <code>?k=...</code>). Copy it from there into this browser."
                "</p>", "bad")


def wrong_host() -> bytes:
    return page("Wrong address", "<p>This server only answers at localhost or 127.0.0.1.</p>", "bad")
