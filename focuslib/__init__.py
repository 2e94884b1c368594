"""focus: Twitch chat and channel events, live, in your terminal; and from Python (focuslib.api):

    import focuslib
    with focuslib.connect() as chat:
        for event in chat: ...

`import focuslib` stays cheap (the scripts import it first): the public names load on first use.
"""

from typing import Any

from focuslib.version import __version__  # noqa: F401  (focuslib.__version__)

# The stable public API: api.py and what it exports.
PUBLIC = ("connect", "start", "Connection", "Outcome", "FocusError", "sanitize", "is_question", "ChatMessage",
          "Follow", "Subscribe", "SubscriptionGift", "SubscriptionMessage", "Cheer", "ChannelRaid", "ChannelBan",
          "ChannelUnban", "Redemption", "StreamOnline", "StreamOffline", "User")


def __getattr__(name: str) -> Any:
    if name in PUBLIC:
        from focuslib import api

        return getattr(api, name)
    raise AttributeError(f"module 'focuslib' has no attribute {name!r}")
