"""Command palette (ctrl+p) entries for the main actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (name, help, action: on the main screen, or on the app with `app.`)
COMMANDS: list[tuple[str, str, str]] = [
    ("Index a file or folder…", "add videos to the library (ctrl+n)", "index_path"),
    ("Stop indexing", "stop after the current step; what finished is kept", "stop_indexing"),
    ("Open moment in player", "play the selected evidence row from its time (o)", "open_moment"),
    ("Copy video@mm:ss", "copy the selected moment's reference (c)", "copy_moment"),
    ("Previous answer", "show the evidence of the answer before (ctrl+up)", "prev_answer"),
    ("Next answer", "show the evidence of the answer after (ctrl+down)", "next_answer"),
    ("Refresh library", "read the list of indexed videos again (ctrl+r)", "refresh_library"),
    ("Focus library", "move to the library (f2)", "focus_library"),
    ("Focus question", "move to the question input (f3, escape)", "focus_question"),
    ("Focus evidence", "move to the evidence rows (f4)", "focus_evidence"),
    ("Toggle dark / light theme", "switch between the vidsage themes (ctrl+t)", "app.toggle_theme"),
    ("Clear chat history", "forget the questions asked of this store", "clear_history"),
    ("Help: keys", "every key, by pane (? or f1)", "help"),
]


class VidsageCommands(Provider):
    def _run(self, action: str) -> Callable[[], object]:
        main = getattr(self.app, "main_screen", None) or self.screen
        return partial(self.app.run_action, action, main)

    async def discover(self) -> Hits:
        for name, help_text, action in COMMANDS:
            yield DiscoveryHit(name, self._run(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._run(action), help=help_text)
