"""The dialog that asks for a file or folder to index (with path completion)."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Static


class PathSuggester(Suggester):
    """Completes the last part of a path from what is on disk."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        p = Path(os.path.expanduser(value))
        parent, stem = (p, "") if value.endswith(os.sep) else (p.parent, p.name)
        try:
            names = sorted(e.name for e in os.scandir(parent) if e.name.startswith(stem) and not e.name.startswith("."))
        except OSError:
            return None
        if not names or (stem and names[0] == stem):
            return None
        return value + names[0][len(stem):]


class IndexDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="index-dialog"):
            yield Label("Index a video file or a folder of videos", id="index-dialog-title")
            yield Input(placeholder="/path/to/video.mp4 or /path/to/folder", id="index-path",
                        suggester=PathSuggester())
            yield Static("", id="index-dialog-error", markup=False)
            with Horizontal(id="index-dialog-buttons"):
                yield Button("Index", variant="primary", id="index-go")
                yield Button("Cancel", id="index-cancel")

    def on_mount(self) -> None:
        self.query_one("#index-path", Input).focus()

    def _submit(self) -> None:
        value = self.query_one("#index-path", Input).value.strip()
        path = Path(os.path.expanduser(value))
        if not value:
            self.query_one("#index-dialog-error", Static).update("type a path")
        elif not path.exists():
            self.query_one("#index-dialog-error", Static).update(f"no such file or folder: {path}")
        else:
            self.dismiss(str(path.absolute()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "index-go":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
