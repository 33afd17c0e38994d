"""The picture of the selected moment: a real image where the terminal can show one (textual-image:
Kitty graphics or Sixel, else coloured half-cells), a line of text where it cannot."""

from __future__ import annotations

import logging
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

# textual-image logs a traceback when the terminal does not answer its size query; never print it
# over the user's terminal (it falls back to standard cell sizes by itself)
logging.getLogger("textual_image").addHandler(logging.NullHandler())

try:  # imported at module load on purpose: textual-image asks the terminal what it can draw before Textual starts
    from textual_image.renderable import Image as _AutoRenderable
    from textual_image.widget import HalfcellImage
    from textual_image.widget import Image as _AutoImage

    # Kitty/Sixel when the terminal has them; coloured half-cells otherwise (also in tests and screenshots)
    ImageWidget: type[Widget] | None = _AutoImage if _AutoRenderable.__module__.endswith((".tgp", ".sixel")) \
        else HalfcellImage
except Exception:  # not installed, or no terminal to ask
    ImageWidget = None


def images_available() -> bool:
    return ImageWidget is not None


class KeyframeView(Vertical):
    """Shows `show_image(rgb, caption)` or `show_text(text)`."""

    BORDER_TITLE = "Frame"

    def compose(self) -> ComposeResult:
        yield Vertical(id="kf-image")
        yield Static("select a moment to see its frame", id="kf-caption", markup=False)

    def show_text(self, text: str) -> None:
        self.query_one("#kf-image", Vertical).remove_children()
        self.query_one("#kf-caption", Static).update(text)

    def show_image(self, rgb: Any, caption: str) -> None:
        box = self.query_one("#kf-image", Vertical)
        box.remove_children()
        if ImageWidget is None:
            h, w = rgb.shape[:2]
            self.query_one("#kf-caption", Static).update(f"{caption}\n(a {w}×{h} frame; install textual-image to see it here)")
            return
        from PIL import Image as PILImage

        box.mount(ImageWidget(PILImage.fromarray(rgb), classes="kf-picture"))
        self.query_one("#kf-caption", Static).update(caption)
