"""Open a moment in the user's video player at a time, and the `video@mm:ss` reference to copy.

`player_command` is a pure function of the path, the time and which executables exist, so it can be
tested without a player; `launch` is the one place that starts a process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence

from vidsage.types import fmt_time

# Players that can start at a time, best first, and how each is told where to start.
PLAYERS: tuple[str, ...] = ("mpv", "ffplay", "vlc")


def _start_args(name: str, t: float) -> list[str]:
    ts = f"{max(0.0, t):.2f}".rstrip("0").rstrip(".")
    if name == "mpv":
        return [f"--start={ts}"]
    if name == "ffplay":
        return ["-ss", ts]
    if name == "vlc":
        return [f"--start-time={ts}"]
    return []


def player_command(path: str, t: float, which: Callable[[str], str | None] = shutil.which,
                   prefer: str | None = None) -> list[str] | None:
    """The command that plays `path` from `t` seconds, or None when nothing on this machine can open it.

    Tries `prefer` (e.g. from `$VIDSAGE_PLAYER`) first, then mpv (`--start=`), ffplay (`-ss`) and vlc
    (`--start-time=`); then the desktop's opener (xdg-open / open), which cannot seek.
    """
    names = ([prefer] if prefer else []) + [p for p in PLAYERS if p != prefer]
    for name in names:
        exe = which(name)
        if exe:
            base = os.path.basename(name).lower()
            return [exe, *_start_args(base, t), str(path)]
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    exe = which(opener)
    if exe:
        return [exe, str(path)]
    return None


def launch(cmd: Sequence[str]) -> subprocess.Popen:
    """Start the player detached from the TUI (its output never reaches our terminal)."""
    return subprocess.Popen(list(cmd), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def moment_ref(video: str, t: float) -> str:
    """`video@mm:ss`: what the copy key puts on the clipboard."""
    return f"{video}@{fmt_time(t)}"
