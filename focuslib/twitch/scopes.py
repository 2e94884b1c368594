"""The OAuth scopes focus asks for, what each is for, and what is hidden without them.

The list follows the protocol notes §4.7 (scopes focus needs) and the
subscription types in §2.5; `tests/test_auth_units.py` checks that every
subscription focus can make is unlocked by the default list, so a new event
group cannot ship without its scope.
"""

from __future__ import annotations

from focuslib.twitch.subscriptions import SubscriptionSpec, desired

# (scope, what focus uses it for).  Order = the order shown in --help and docs/signin.md.
SCOPES: tuple[tuple[str, str], ...] = (
    ("user:read:chat", "read chat messages, chat notices (resubs, raids, announcements) and deletions"),
    ("user:write:chat", "send chat as you: plain text in focus's input line, /reply, focus.py say"),
    ("moderator:read:followers", "show new followers; how long a new chatter has followed (the hold queue, /user)"),
    ("channel:read:subscriptions", "show subscriptions, gifted subs and resubs; a chatter's sub in /user"),
    ("bits:read", "show cheers, and bits spent on power-ups and combos"),
    ("channel:read:redemptions", "show channel points redemptions (your custom rewards and Twitch's built-in ones)"),
    ("channel:moderate", "show bans, timeouts and unbans"),
    ("moderator:manage:automod", "show messages AutoMod holds, and allow or deny them (/allow, /deny)"),
    ("moderator:manage:warnings", "/warn a chatter; show warnings given and when they are acknowledged"),
    ("moderator:read:suspicious_users", "mark messages from users the channel marked as suspicious"),
    ("moderator:read:shield_mode", "show when shield mode starts and ends"),
    ("moderator:read:unban_requests", "show unban requests and how they were resolved"),
    ("channel:read:vips", "show VIPs added and removed"),
    ("moderator:manage:banned_users", "/ban, /timeout, /untimeout, /unban (and focus.py ban, timeout, ...)"),
    ("moderator:manage:chat_messages", "/delete a message, /clear the chat"),
    ("moderator:manage:announcements", "/announce"),
    ("moderator:manage:shoutouts", "/shoutout; show shoutouts your channel receives and gives, with their cooldown"),
    ("moderator:manage:chat_settings", "/slow, /followers, /subs, /emoteonly (and /shield's followers-only chat)"),
    ("moderator:manage:shield_mode", "/shield turns Shield Mode on and off"),
    ("channel:manage:raids", "/raid another channel, /unraid"),
    ("channel:manage:vips", "/vip, /unvip, /vips"),
    ("channel:manage:moderators", "/mod, /unmod, /mods"),
    ("channel:manage:broadcast", "/title, /game, /marker"),
    ("channel:edit:commercial", "/commercial"),
    ("user:manage:whispers", "/whisper"),
    ("channel:manage:polls", "/poll, /endpoll"),
    ("channel:manage:predictions", "/prediction, /endprediction"),
    ("channel:read:hype_train", "show hype trains"),
    ("channel:read:polls", "show polls"),
    ("channel:read:predictions", "show predictions"),
    ("channel:read:goals", "show creator goals (followers, subs) as they start, progress and end"),
    ("channel:read:ads", "show ad breaks"),
)

DEFAULT_SCOPES: tuple[str, ...] = tuple(scope for scope, _ in SCOPES)
PURPOSES: dict[str, str] = dict(SCOPES)


def parse_scopes(text: str) -> tuple[str, ...]:
    """`--scopes` as given (space- or comma-separated), without duplicates; ValueError when empty."""
    scopes = tuple(dict.fromkeys(part for part in text.replace(",", " ").split() if part))
    if not scopes:
        raise ValueError("no scopes given")
    return scopes


def hidden_groups(scopes: tuple[str, ...] | list[str]) -> dict[str, tuple[str, ...]]:
    """Event group -> what would unlock it, for every group these scopes leave (partly) hidden.

    Each requirement is one scope, or "a or b" when any of several will do.
    Ids do not matter for the scope check, so placeholders are used.
    """
    granted = set(scopes)
    needs: dict[str, tuple[str, ...]] = {}
    for spec in desired("0", "0"):
        if not spec.allowed_by(granted):
            need = " or ".join(spec.scopes)
            if need not in needs.get(spec.group, ()):
                needs[spec.group] = needs.get(spec.group, ()) + (need,)
    return needs


def usable_subscriptions(specs: tuple[SubscriptionSpec, ...], scopes: tuple[str, ...]
                         ) -> tuple[tuple[SubscriptionSpec, ...], list[str]]:
    """Split into what the token's scopes allow, and one line per group and scope that stays hidden."""
    granted = set(scopes)
    usable, missing = [], {}
    for spec in specs:
        if spec.allowed_by(granted):
            usable.append(spec)
        else:
            missing.setdefault((spec.group, spec.scopes), []).append(spec.type)
    hidden = [f"{group}: {', '.join(types)} need{'s' if len(types) == 1 else ''} the {' or '.join(need)} scope; "
              "run make auth to grant it" for (group, need), types in missing.items()]
    return tuple(usable), hidden


def describe(scope: str) -> str:
    """`scope (purpose)` for a known scope, the bare scope otherwise."""
    purpose = PURPOSES.get(scope)
    return f"{scope} ({purpose})" if purpose else scope
