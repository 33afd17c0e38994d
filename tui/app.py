"""`VidsageApp`: the Textual app behind `vidsage chat`.

It opens at once: the store is read and the models load in workers while the prompt is already
usable (a question asked before the models are ready simply waits for them).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.theme import Theme

from vidsage.config import Settings, load_settings

from . import player
from .backend import Backend
from .commands import VidsageCommands
from .history import History, default_history_path
from .screens.main import MainScreen

DARK = Theme(
    name="vidsage-dark", dark=True,
    primary="#5fb3d9", secondary="#8f7fd6", accent="#f0b35a",
    foreground="#d9dee4", background="#111418", surface="#181c22", panel="#232a33",
    success="#6cc17a", warning="#f0b35a", error="#e5646b",
)
LIGHT = Theme(
    name="vidsage-light", dark=False,
    primary="#1f6f9f", secondary="#5b4bb0", accent="#b86e00",
    foreground="#1d232a", background="#f6f7f9", surface="#ffffff", panel="#e4e8ee",
    success="#2e8540", warning="#b86e00", error="#c0333b",
)


class VidsageApp(App[None]):
    """Chat with your videos.

    Options for tests and scripts: `mode` ("auto" | "fast" | "agent"), `history_path`,
    `deterministic` (no dates, timings or paths that change: for snapshots), `which` and `launcher`
    (how a player is found and started: the boundary tests may replace).
    """

    CSS_PATH = "app.tcss"
    TITLE = "vidsage"
    SUB_TITLE = ""
    COMMANDS = App.COMMANDS | {VidsageCommands}
    BINDINGS = [Binding("ctrl+t", "toggle_theme", "Dark/light")]

    def __init__(self, settings: Settings | None = None, *, db: str | None = None, mode: str = "auto",
                 history_path: str | Path | None = None, deterministic: bool = False,
                 which: Callable[[str], str | None] = shutil.which,
                 launcher: Callable[[Sequence[str]], Any] = player.launch, theme: str = "dark") -> None:
        super().__init__()
        self.settings = settings or load_settings(db=db)
        self.mode = mode
        self.deterministic = deterministic
        self.which = which
        self.launcher = launcher
        self.backend = Backend(self.settings, mode=mode)
        self.history = History(Path(history_path) if history_path else default_history_path(), self.settings.db)
        self.register_theme(DARK)
        self.register_theme(LIGHT)
        self.theme = LIGHT.name if theme == "light" else DARK.name
        self.main_screen: MainScreen | None = None
        self._quit_requested = False

    def get_default_screen(self) -> MainScreen:
        self.main_screen = MainScreen()
        return self.main_screen

    async def action_quit(self) -> None:
        """Quit; while indexing, first stop it cleanly at its next step (ctrl+q again quits at once)."""
        if self.backend.indexing and not self._quit_requested:
            self._quit_requested = True
            self.backend.stop_indexing()
            self.notify("Indexing stops after its current step (what is done is kept, the rest resumes next "
                        "time); quitting then. Press ctrl+q again to quit now.", title="Quitting…", timeout=10)
            return
        self.exit()

    def on_index_stopped(self) -> None:
        if self._quit_requested:
            self.exit()

    def on_unmount(self) -> None:
        self.backend.close()

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT.name if self.theme == DARK.name else DARK.name


def run(settings: Settings | None = None, mode: str = "auto", theme: str = "dark") -> None:
    """Start the TUI (what `vidsage chat` calls)."""
    app = VidsageApp(settings, mode=mode, theme=theme)
    app.run()
    if app.backend.index_left_running():
        print("vidsage: indexing stops after its current step (what finished is kept; the rest resumes "
              "next time). Waiting for it; ctrl+c stops now.", file=sys.stderr)
