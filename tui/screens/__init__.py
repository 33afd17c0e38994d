"""The TUI's screens: the main screen, the help screen and the index-path dialog."""
