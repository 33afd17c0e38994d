"""The help screen (`?` or F1): every key, by pane."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# vidsage chat

Ask about your own videos. Answers cite **video @ mm:ss**; the evidence pane lists the moments
behind the selected answer, with the frame of the moment you pick.

| key | what it does |
| --- | --- |
| `enter` | send the question |
| `ctrl+n` | index a file or folder (also `a` in the library) |
| `ctrl+up` / `ctrl+down` | select the previous / next answer |
| `tab` / `shift+tab` | move between panes |
| `f2` / `f3` / `f4` | go to the library / the question / the evidence |
| `escape` | back to the question |
| `o` or `enter` (evidence) | open the moment in your player (mpv, ffplay, vlc, else the desktop's opener) |
| `c` (evidence) | copy `video@mm:ss` |
| `r` (library) / `ctrl+r` | refresh the library |
| `ctrl+t` | dark / light theme |
| `ctrl+p` | command palette: every action by name |
| `?` / `f1` | this help |
| `ctrl+q` | quit |

The player is chosen by `$VIDSAGE_PLAYER` when set, else the first of mpv, ffplay, vlc found.
History is kept between sessions, per store (command palette: *Clear chat history*).
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)

    def action_dismiss(self, result=None) -> None:  # type: ignore[override]
        self.dismiss(None)
