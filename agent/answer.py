"""One entry point for answering: `answer_question` picks the fast path or the agent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vidsage.config import Settings
from vidsage.types import StoreError

_TOOLBOXES: dict[str, Any] = {}


def get_toolbox(settings: Settings):
    """One toolbox (store + query models) per store, kept for the life of the process."""
    from vidsage.tools.toolbox import Toolbox

    tb = _TOOLBOXES.get(settings.db)
    if tb is None:
        tb = _TOOLBOXES[settings.db] = Toolbox(settings)
    return tb


def answer_question(question: str, settings: Settings, video: str | None = None, mode: str = "auto",
                    on_token: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The `ask --json` object for a question (DESIGN.md)."""
    from .fast import answer_when

    toolbox = get_toolbox(settings)
    if not toolbox.store.done_videos():
        raise StoreError(f"nothing indexed in {settings.db} yet: vidsage index PATH")
    if video:
        toolbox.store.resolve_video(video)  # unknown videos are refused before any work
    if mode == "fast":
        return answer_when(question, toolbox, video=video)
    try:
        from .loop import run_agent
    except ImportError:
        return answer_when(question, toolbox, video=video)
    return run_agent(question, settings, toolbox, video=video, mode=mode, on_token=on_token)
