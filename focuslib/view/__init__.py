"""Pure rendering: colors, layout, the renderer by kind of event, the presenter, flood collapsing, and the
terminal writer."""
