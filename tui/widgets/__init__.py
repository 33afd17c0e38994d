"""The TUI's widgets: they show what they are given and post messages; the screen does the work."""
