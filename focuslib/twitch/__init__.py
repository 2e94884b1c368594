"""The pure Twitch protocol: subscription catalog and scopes, frames -> records, event parsers, the
EventSub session state machine and its actions.  No I/O: nothing here opens a socket, reads a clock or prints."""
