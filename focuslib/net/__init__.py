"""I/O to Twitch: the EventSub WebSocket thread, Helix and OAuth calls."""
