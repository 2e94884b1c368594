"""The simulated Twitch's polls and predictions (Twitch's API reference: Create/End/Get Poll, ... Prediction).

  POST/PATCH/GET /helix/polls        body {broadcaster_id, title <= 60, choices 2-5 x {title <= 25}, duration 15-1800}
                                     end: {broadcaster_id, id, status: TERMINATED|ARCHIVED}
  POST/PATCH/GET /helix/predictions  body {broadcaster_id, title <= 45, outcomes 2-10 x {title <= 25},
                                     prediction_window 30-1800}; end: {broadcaster_id, id, status:
                                     RESOLVED|CANCELED|LOCKED, winning_outcome_id (RESOLVED)}

One poll and one prediction run at a time.  A poll ends by itself after its duration, a prediction locks after
its window (looked at when the next call comes: nothing runs in the background).  Each step also arrives over
EventSub: `channel.poll.begin/end`, `channel.prediction.begin/lock/end`.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from . import payloads
from . import payloads_channel as channel
from .routing import RouteReply, Request, error
from .state import Grant, SimState

Handler = Callable[[Request, Grant], RouteReply]
POLL = {"title": 60, "choices": (2, 5), "choice": 25, "duration": (15, 1800)}
PREDICTION = {"title": 45, "outcomes": (2, 10), "outcome": 25, "window": (30, 1800)}


class HelixPolls:
    sim: SimState

    def _init_polls(self) -> None:
        self.polls: list[dict[str, Any]] = []  # newest last
        self.predictions: list[dict[str, Any]] = []

    def poll_routes(self) -> dict[str, tuple[Handler, tuple[str, ...]]]:
        polls, predictions = ("channel:manage:polls",), ("channel:manage:predictions",)
        return {
            "POST /helix/polls": (self._create_poll, polls),
            "PATCH /helix/polls": (self._end_poll, polls),
            "GET /helix/polls": (lambda r, g: self._get(r, g, self.polls), ("channel:read:polls",) + polls),
            "POST /helix/predictions": (self._create_prediction, predictions),
            "PATCH /helix/predictions": (self._end_prediction, predictions),
            "GET /helix/predictions": (lambda r, g: self._get(r, g, self.predictions),
                                       ("channel:read:predictions",) + predictions),
        }

    def _body(self, req: Request, grant: Grant, *required: str) -> dict[str, Any] | RouteReply:
        body = req.json()
        body = body if isinstance(body, dict) else {}
        for key in ("broadcaster_id", *required):
            if body.get(key) in (None, "", []):
                return error(400, f"The {key} field is required.")
        if body["broadcaster_id"] != grant.user[0]:
            return error(401, "The ID in broadcaster_id must match the user ID in the access token.")
        return body

    def _get(self, req: Request, grant: Grant, items: list[dict[str, Any]]) -> RouteReply:
        if not req.q("broadcaster_id"):
            return error(400, 'Missing required parameter "broadcaster_id"')
        if req.q("broadcaster_id") != grant.user[0]:
            return error(401, "The ID in broadcaster_id must match the user ID in the access token.")
        self._expire()
        ids = req.query.get("id", [])
        return RouteReply(200, {"data": [_public(x) for x in reversed(items) if not ids or x["id"] in ids],
                                "pagination": {}})

    def _expire(self) -> None:
        now = time.time()
        for poll in self.polls:
            if poll["status"] == "ACTIVE" and now >= poll["_ends"]:
                poll.update(status="COMPLETED", ended_at=payloads.now_rfc3339())
        for prediction in self.predictions:
            if prediction["status"] == "ACTIVE" and now >= prediction["_locks"]:
                prediction.update(status="LOCKED", locked_at=payloads.now_rfc3339())

    # -- polls -------------------------------------------------------------------------------------------------

    def _create_poll(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(body := self._body(req, grant, "title", "choices", "duration"), RouteReply):
            return body
        title, choices, duration = body["title"], body["choices"], body["duration"]
        if not isinstance(duration, int) or not POLL["duration"][0] <= duration <= POLL["duration"][1]:
            return error(400, "The value in duration is outside the allowed range of values.")
        if not isinstance(title, str) or len(title) > POLL["title"]:
            return error(400, "The poll's title is too long.")
        if not isinstance(choices, list) or not POLL["choices"][0] <= len(choices) <= POLL["choices"][1]:
            return error(400, "The number of choices in the poll may not be less than 2 or greater that 5.")
        names = [c.get("title") if isinstance(c, dict) else None for c in choices]
        if any(not isinstance(n, str) or not n or len(n) > POLL["choice"] for n in names):
            return error(400, "The choice's title is too long.")
        self._expire()
        if any(p["status"] == "ACTIVE" for p in self.polls):
            return error(400, "The broadcaster already has a poll that's running; you may not create another poll "
                              "until the current poll completes.")
        poll = {"id": payloads.new_id(), "broadcaster_id": grant.user[0], "broadcaster_login": grant.user[1],
                "broadcaster_name": grant.user[2], "title": title,
                "choices": [{"id": payloads.new_id(), "title": n, "votes": 0, "channel_points_votes": 0,
                             "bits_votes": 0} for n in names],
                "bits_voting_enabled": False, "bits_per_vote": 0, "channel_points_voting_enabled": False,
                "channel_points_per_vote": 0, "status": "ACTIVE", "duration": duration,
                "started_at": payloads.now_rfc3339(), "ended_at": None, "_ends": time.time() + duration}
        self.polls.append(poll)
        event = channel.poll("begin", title, [(n, 0) for n in names], poll_id=poll["id"])
        self.sim.notify("channel.poll.begin", _same_ids(event, "choices", poll))
        return RouteReply(200, {"data": [_public(poll)]})

    def _end_poll(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(body := self._body(req, grant, "id", "status"), RouteReply):
            return body
        if body["status"] not in ("TERMINATED", "ARCHIVED"):
            return error(400, "The value in the status field is not valid.")
        self._expire()
        poll = next((p for p in self.polls if p["id"] == body["id"]), None)
        if poll is None or poll["status"] != "ACTIVE":
            return error(400, "The poll must be active to terminate or archive it.")
        poll.update(status=body["status"], ended_at=payloads.now_rfc3339())
        tally = [(c["title"], c["votes"]) for c in poll["choices"]]
        event = channel.poll("end", poll["title"], tally, body["status"].lower(), poll_id=poll["id"])
        self.sim.notify("channel.poll.end", _same_ids(event, "choices", poll))
        return RouteReply(200, {"data": [_public(poll)]})

    # -- predictions -------------------------------------------------------------------------------------------

    def _create_prediction(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(body := self._body(req, grant, "title", "outcomes", "prediction_window"), RouteReply):
            return body
        title, outcomes, window = body["title"], body["outcomes"], body["prediction_window"]
        if not isinstance(window, int) or not PREDICTION["window"][0] <= window <= PREDICTION["window"][1]:
            return error(400, "The value in prediction_window is outside the allowed range of values.")
        if not isinstance(title, str) or len(title) > PREDICTION["title"]:
            return error(400, "The prediction's title is too long.")
        low, high = PREDICTION["outcomes"]
        if not isinstance(outcomes, list) or not low <= len(outcomes) <= high:
            return error(400, "A prediction has 2 to 10 outcomes.")
        names = [o.get("title") if isinstance(o, dict) else None for o in outcomes]
        if any(not isinstance(n, str) or not n or len(n) > PREDICTION["outcome"] for n in names):
            return error(400, "The outcome's title is too long.")
        self._expire()
        if any(p["status"] in ("ACTIVE", "LOCKED") for p in self.predictions):
            return error(400, "The broadcaster already has a prediction that's running; you may not create another "
                              "prediction until the current prediction is resolved or canceled.")
        prediction = {"id": payloads.new_id(), "broadcaster_id": grant.user[0], "broadcaster_login": grant.user[1],
                      "broadcaster_name": grant.user[2], "title": title, "winning_outcome_id": None,
                      "outcomes": [{"id": payloads.new_id(), "title": n, "users": 0, "channel_points": 0,
                                    "top_predictors": None, "color": "BLUE" if k == 0 else "PINK"}
                                   for k, n in enumerate(names)],
                      "prediction_window": window, "status": "ACTIVE", "created_at": payloads.now_rfc3339(),
                      "ended_at": None, "locked_at": None, "_locks": time.time() + window}
        self.predictions.append(prediction)
        event = channel.prediction("begin", title, [(n, 0, 0) for n in names], prediction_id=prediction["id"])
        self.sim.notify("channel.prediction.begin", _same_ids(event, "outcomes", prediction))
        return RouteReply(200, {"data": [_public(prediction)]})

    def _end_prediction(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(body := self._body(req, grant, "id", "status"), RouteReply):
            return body
        status = body["status"]
        if status not in ("RESOLVED", "CANCELED", "LOCKED"):
            return error(400, "The value in the status field is not valid.")
        self._expire()
        p = next((x for x in self.predictions if x["id"] == body["id"]), None)
        if p is None:
            return error(404, "The prediction in the id field was not found.")
        if status == "LOCKED" and p["status"] != "ACTIVE":
            return error(400, "To update the prediction's status to LOCKED, its current status must be ACTIVE.")
        if status != "LOCKED" and p["status"] not in ("ACTIVE", "LOCKED"):
            return error(400, "To update the prediction's status to RESOLVED or CANCELED, its current status must be "
                              "ACTIVE or LOCKED.")
        winner = None
        if status == "RESOLVED":
            if not body.get("winning_outcome_id"):
                return error(400, "The winning_outcome_id field is required if status is RESOLVED.")
            winner = next((k for k, o in enumerate(p["outcomes"]) if o["id"] == body["winning_outcome_id"]), None)
            if winner is None:
                return error(404, "The outcome in the winning_outcome_id field was not found.")
            p["winning_outcome_id"] = body["winning_outcome_id"]
        p["status"] = status
        p["locked_at" if status == "LOCKED" else "ended_at"] = payloads.now_rfc3339()
        tally = [(o["title"], o["users"], o["channel_points"]) for o in p["outcomes"]]
        phase = "lock" if status == "LOCKED" else "end"
        event = _same_ids(channel.prediction(phase, p["title"], tally, winner=winner, status=status.lower(),
                                             prediction_id=p["id"]), "outcomes", p)
        if phase == "end":
            event["winning_outcome_id"] = p["winning_outcome_id"]
        self.sim.notify(f"channel.prediction.{phase}", event)
        return RouteReply(200, {"data": [_public(p)]})


def _same_ids(event: dict[str, Any], key: str, item: dict[str, Any]) -> dict[str, Any]:
    """The event's choices or outcomes carry the ids the Helix answer gave (found by id, as on Twitch)."""
    for mine, theirs in zip(event[key], item[key]):
        mine["id"] = theirs["id"]
    return event


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}
