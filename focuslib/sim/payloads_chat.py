"""`channel.chat.notification` and moderation events, shaped like protocol notes §3.2-3.3.

Every notice carries all notice keys, `null` except the one matching its
`notice_type`, as Twitch sends them.  Names and ids are made up.
"""

from __future__ import annotations

from typing import Any, Iterable

from .payloads import broadcaster, fragments, new_id, user

Who = tuple[str, str, str]

NOTICE_KEYS = (
    "sub", "resub", "sub_gift", "community_sub_gift", "gift_paid_upgrade", "prime_paid_upgrade", "raid", "unraid",
    "pay_it_forward", "announcement", "bits_badge_tier", "charity_donation", "shared_chat_sub",
    "shared_chat_resub", "shared_chat_sub_gift", "shared_chat_community_sub_gift", "shared_chat_gift_paid_upgrade",
    "shared_chat_prime_paid_upgrade", "shared_chat_raid", "shared_chat_pay_it_forward", "shared_chat_announcement",
)
TIER_NAMES = {"1000": "Tier 1", "2000": "Tier 2", "3000": "Tier 3"}


def notification(chatter: Who | None, notice_type: str, detail: dict[str, Any] | None, system_message: str, *,
                 text: str = "", color: str = "", badges: Iterable[tuple[str, str, str]] = (),
                 source: Who | None = None, message_id: str | None = None) -> dict[str, Any]:
    """One chat notice; `chatter=None` is an anonymous one (its user fields null)."""
    event = {**broadcaster(), **user("chatter_user", chatter), "chatter_is_anonymous": chatter is None,
             "color": color, "badges": [{"set_id": s, "id": i, "info": info} for s, i, info in badges],
             "system_message": system_message, "message_id": message_id or new_id(),
             "message": {"text": text, "fragments": fragments(text) if text else []},
             "notice_type": notice_type, **{key: None for key in NOTICE_KEYS},
             **user("source_broadcaster_user", source), "source_message_id": new_id() if source else None,
             "source_badges": [] if source else None, "is_source_only": None}
    event[notice_type] = detail
    return event


def shared(event: dict[str, Any], source: Who) -> dict[str, Any]:
    """The same notice as it arrives from another channel of a shared chat session."""
    kind = event["notice_type"]
    out = dict(event, notice_type=f"shared_chat_{kind}", **user("source_broadcaster_user", source),
               source_message_id=new_id(), source_badges=[])
    out[f"shared_chat_{kind}"], out[kind] = event[kind], None
    return out


def _gifter(gifter: Who | None) -> dict[str, Any]:
    return {"gifter_is_anonymous": gifter is None, **user("gifter_user", gifter)}


def sub(who: Who, tier: str = "1000", prime: bool = False, months: int = 1) -> dict[str, Any]:
    how = "with Prime" if prime else f"at {TIER_NAMES.get(tier, tier)}"
    return notification(who, "sub", {"sub_tier": tier, "is_prime": prime, "duration_months": months},
                        f"{who[2]} subscribed {how}.", color="#1E90FF")


def resub(who: Who, cumulative: int, streak: int | None = None, tier: str = "1000", text: str = "",
          gifter: Who | None = None, is_gift: bool = False, sub_plan: bool = False) -> dict[str, Any]:
    """`sub_plan=True` spells the tier the way the docs' examples do (twitchdev/issues#1039)."""
    detail = {"cumulative_months": cumulative, "duration_months": 1, "streak_months": streak,
              ("sub_plan" if sub_plan else "sub_tier"): tier, "is_prime": False, "is_gift": is_gift,
              **(_gifter(gifter) if is_gift else {"gifter_is_anonymous": None, **user("gifter_user", None)})}
    return notification(who, "resub", detail, f"{who[2]} subscribed at {TIER_NAMES.get(tier, tier)}. "
                        f"They've subscribed for {cumulative} months!", text=text, color="#9ACD32",
                        badges=[("subscriber", "12", str(cumulative))])


def sub_gift(gifter: Who | None, recipient: Who, tier: str = "1000", community_gift_id: str | None = None,
             cumulative_total: int | None = None) -> dict[str, Any]:
    detail = {"duration_months": 1, "cumulative_total": cumulative_total, **user("recipient_user", recipient),
              "sub_tier": tier, "community_gift_id": community_gift_id}
    name = gifter[2] if gifter else "An anonymous user"
    return notification(gifter, "sub_gift", detail,
                        f"{name} gifted a {TIER_NAMES.get(tier, tier)} sub to {recipient[2]}!", color="#3C8DFF")


def community_sub_gift(gifter: Who | None, total: int, gift_id: str, tier: str = "1000",
                       cumulative_total: int | None = None) -> dict[str, Any]:
    name = gifter[2] if gifter else "An anonymous user"
    return notification(gifter, "community_sub_gift",
                        {"id": gift_id, "total": total, "sub_tier": tier, "cumulative_total": cumulative_total},
                        f"{name} is gifting {total} {TIER_NAMES.get(tier, tier)} Subs to the community!",
                        color="#3C8DFF", badges=[("sub-gifter", "5", "")])


def gift_bomb(gifter: Who | None, recipients: list[Who], gift_id: str | None = None, tier: str = "1000"
              ) -> list[dict[str, Any]]:
    """A whole bomb as Twitch sends it: the community gift, then one sub_gift per recipient (§3.2)."""
    gift_id = gift_id or str(4419032157738827104 + len(recipients))
    return [community_sub_gift(gifter, len(recipients), gift_id, tier, 23 if gifter else None)] + [
        sub_gift(gifter, r, tier, gift_id, None) for r in recipients]


def gift_paid_upgrade(who: Who, gifter: Who | None) -> dict[str, Any]:
    return notification(who, "gift_paid_upgrade", _gifter(gifter),
                        f"{who[2]} is continuing the Gift Sub they got from {gifter[2] if gifter else 'an anonymous user'}!")


def prime_paid_upgrade(who: Who, tier: str = "1000") -> dict[str, Any]:
    return notification(who, "prime_paid_upgrade", {"sub_tier": tier},
                        f"{who[2]} converted from a Prime sub to a {TIER_NAMES.get(tier, tier)} sub!")


def raid(raider: Who, viewers: int) -> dict[str, Any]:
    uid, login, name = raider
    return notification(raider, "raid", {"user_id": uid, "user_login": login, "user_name": name,
                                         "viewer_count": viewers,
                                         "profile_image_url": f"https://example.invalid/{login}.png"},
                        f"{viewers} raiders from {name} have joined!", color="#FF7F50")


def unraid(who: Who) -> dict[str, Any]:
    return notification(who, "unraid", {}, "The raid has been canceled.")


def pay_it_forward(who: Who, gifter: Who | None) -> dict[str, Any]:
    return notification(who, "pay_it_forward", _gifter(gifter),
                        f"{who[2]} is paying forward the Gift they got from {gifter[2] if gifter else 'an anonymous user'}!")


def announcement(who: Who, text: str, color: str = "PRIMARY") -> dict[str, Any]:
    return notification(who, "announcement", {"color": color}, "", text=text, color="#00AD03",
                        badges=[("moderator", "1", "")])


def bits_badge_tier(who: Who, tier: int) -> dict[str, Any]:
    return notification(who, "bits_badge_tier", {"tier": tier},
                        f"bits badge tier notification: {who[2]} just earned a new {tier} Bits badge!")


def charity_donation(who: Who, charity: str, value: int, decimal_places: int = 2, currency: str = "USD"
                     ) -> dict[str, Any]:
    amount = {"value": value, "decimal_places": decimal_places, "currency": currency}
    return notification(who, "charity_donation", {"charity_name": charity, "amount": amount},
                        f"{who[2]}: Donated {currency} {value / 10 ** decimal_places:.2f} to support {charity}")


def watch_streak(who: Who, streak: int, points: int, text: str = "") -> dict[str, Any]:
    """Undocumented (§3.2 "Known gaps"): fields as seen in the wild."""
    return notification(who, "watch_streak", {"streak_count": streak, "channel_points_awarded": points},
                        f"{who[2]} watched {streak} consecutive streams and sparked a watch streak!", text=text)


def unknown_notice(who: Who, notice_type: str, system_message: str) -> dict[str, Any]:
    """A notice type focus does not know (Twitch adds them, §3.2)."""
    return notification(who, notice_type, {"whatever": 1}, system_message)


# -- moderation (§3.3) ------------------------------------------------------------------

def message_delete(target: Who, message_id: str) -> dict[str, Any]:
    return {**broadcaster(), **user("target_user", target), "message_id": message_id}


def chat_clear() -> dict[str, Any]:
    return broadcaster()


def clear_user_messages(target: Who) -> dict[str, Any]:
    return {**broadcaster(), **user("target_user", target)}
