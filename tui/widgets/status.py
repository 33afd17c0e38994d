"""The status line above the footer: models loading → ready, what is running, the store in use."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

_ICON = {"loading": "◌", "ready": "●", "busy": "◐", "error": "✖"}


class StatusLine(Horizontal):
    def compose(self) -> ComposeResult:
        yield Static("", id="status-state", markup=False)
        yield Static("", id="status-activity", markup=False)
        yield Static("", id="status-store", markup=False)

    def set_state(self, state: str, text: str) -> None:
        w = self.query_one("#status-state", Static)
        for s in _ICON:
            w.set_class(s == state, f"-{s}")
        w.update(f"{_ICON.get(state, '·')} {text}")

    def set_activity(self, text: str) -> None:
        self.query_one("#status-activity", Static).update(text)

    def set_store(self, text: str) -> None:
        self.query_one("#status-store", Static).update(text)
