"""Save an SVG of the main screen answering real questions (how docs/chat.svg is made).

    python -m vidsage.tui.screenshot --db DB --out docs/chat.svg "when does he say ask not what your country can do for you"

It drives the real app through Textual's Pilot: the store, the agent and the frames are real; a
throwaway history file keeps the user's own history out of the picture.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from vidsage.config import load_settings

from .app import VidsageApp


async def shoot(db: str, questions: list[str], out: Path, mode: str = "fast", size: tuple[int, int] = (150, 44),
                theme: str = "dark", timeout: float = 600.0) -> float:
    """Ask each question in turn, focus the evidence of the last answer, save the SVG; returns seconds taken."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        app = VidsageApp(load_settings(db=db), mode=mode, history_path=Path(tmp) / "history.jsonl", theme=theme)
        async with app.run_test(size=size) as pilot:
            screen = app.main_screen

            async def until(cond) -> None:
                start = time.monotonic()
                while not cond():
                    if time.monotonic() - start > timeout:
                        raise TimeoutError("the app did not get there in time")
                    await pilot.pause(0.2)

            await until(lambda: screen.models_ready and screen.videos)
            for q in questions:
                n = len(screen.results)
                await pilot.click("#question")
                await pilot.press(*q, "enter")
                await until(lambda: len(screen.results) > n)
            await pilot.press("f4")
            await pilot.pause(0.5)
            await until(lambda: not any(w.is_running for w in app.workers if w.group == "frame"))
            await pilot.pause(0.5)
            out.parent.mkdir(parents=True, exist_ok=True)
            app.save_screenshot(filename=out.name, path=str(out.parent))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("questions", nargs="+")
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", type=Path, default=Path("docs/chat.svg"))
    ap.add_argument("--mode", default="fast", choices=["auto", "fast", "agent"])
    ap.add_argument("--size", default="150x44", help="COLSxROWS")
    ap.add_argument("--theme", default="dark", choices=["dark", "light"])
    a = ap.parse_args()
    cols, rows = (int(x) for x in a.size.lower().split("x"))
    secs = asyncio.run(shoot(a.db, a.questions, a.out, a.mode, (cols, rows), a.theme))
    print(f"wrote {a.out} in {secs:.1f}s")


if __name__ == "__main__":
    main()
