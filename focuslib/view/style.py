"""How each kind of line looks: symbols, colors, badge marks and labels (data only).

One symbol and one hue per kind of event, so a follow never reads like chat.
Symbols are single-column characters (wcwidth 1).  Colors are what the
streamer would pick on a dark background; `colors.readable` moves them for a
light one.
"""

from __future__ import annotations

# kind -> (symbol, color).  One symbol and one hue per kind of event.
STYLES: dict[str, tuple[str, str]] = {
    "follow": ("♥", "#FF69B4"),
    "sub": ("★", "#A970FF"),
    "gift": ("✦", "#C58AFF"),
    "bits": ("♦", "#1DB2A5"),
    "raid": ("»", "#FF9F1C"),
    "points": ("✪", "#00C8AF"),
    "hype": ("▲", "#FF6B3D"),
    "poll": ("▤", "#5CA8FF"),
    "prediction": ("◎", "#3FA9F5"),
    "goal": ("◐", "#7FD35A"),
    "shared": ("⇄", "#5CA8FF"),
    "shoutout": ("✧", "#FFB000"),
    "online": ("●", "#E91916"),
    "offline": ("○", "#8A8A8A"),
    "ad": ("▮", "#D4A017"),
    "delete": ("✖", "#8A8A8A"),
    "ban": ("⊘", "#E5484D"),
    "timeout": ("◷", "#F5A524"),
    "unban": ("✓", "#30A46C"),
    "automod": ("▣", "#C9A227"),
    "warning": ("⚠", "#F5A524"),
    "settings": ("≡", "#8A8A8A"),
    "suspicious": ("⚑", "#E5484D"),
    "shield": ("◈", "#5CA8FF"),
    "request": ("✉", "#8A8A8A"),
    "vip": ("◆", "#E005B9"),
    "announce": ("▸", "#9146FF"),
    "charity": ("♡", "#FF6F91"),
    "streak": ("↻", "#00C8AF"),
    "info": ("·", "#8A8A8A"),
    "highlight": ("✱", "#FF7A59"),  # a line FOCUS_HIGHLIGHT_* or /highlight marks (view/filters.py)
    # not events: parts of a chat line
    "mention": ("", "#E0E0E0"),
    "me": ("", "#FFD166"),
    "emote": ("", "#B48CFF"),
}

# Cheermote colors by tier (Twitch's bits tiers: gray, purple, teal, blue, red).
CHEER_TIERS = ((10000, "#F43021"), (5000, "#0099FE"), (1000, "#1DB2A5"), (100, "#9C3EE8"), (0, "#979797"))

# Badge set id -> (mark, color).  Subscriber and founder marks carry the months.
BADGE_MARKS = {
    "broadcaster": ("◉", "#E91916"),
    "moderator": ("⚔", "#00AD03"),
    "lead_moderator": ("⚔", "#00AD03"),
    "vip": ("◆", "#E005B9"),
    "subscriber": ("★", "#A970FF"),
    "founder": ("✦", "#A970FF"),
    "staff": ("⚑", "#9146FF"),
    "admin": ("⚑", "#9146FF"),
    "global_mod": ("⚑", "#9146FF"),
}
# Other badges are shown by name, some shortened.
BADGE_NAMES = {"premium": "prime", "sub-gifter": "gifter", "sub-gift-leader": "gift-leader", "glhf-pledge": "glhf"}

ALERT_LABELS = {"raid": "RAID", "sub": "SUB", "gift": "GIFT", "first": "FIRST CHAT", "mention": "MENTION",
                "first_mention": "FIRST CHAT · MENTION"}

# message_type -> (style kind, label) shown before the text (§3.1).
TYPE_LABELS = {
    "channel_points_highlighted": ("points", "highlighted"),
    "channel_points_sub_only": ("points", "sub-only"),
    "power_ups_message_effect": ("bits", "message effect"),
    "power_ups_gigantified_emote": ("bits", "giant emote"),
}

# The devlog printer's and doctor's colors: SGR parameters of the 16 basic colors, which every terminal and
# theme shows, so they need no fitting to the color depth.  Painted by `layout.paint` (NO_COLOR: not at all).
RECORD_KINDS = {"frame": "36", "lifecycle": "35", "error": "1;31", "bad_frame": "33", "devlog": "33", "note": "1;32"}
JSON_PARTS = {"key": "34", "string": "32", "number": "33", "literal": "35"}
CHECK_STATUS = {"ok": "32", "FAIL": "1;31", "skip": "2"}
QUIET = "2"  # dim: notes, keepalives
ODD = "33"  # what the printer could not read as intended
