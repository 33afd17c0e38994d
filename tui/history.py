"""Chat history kept between sessions: one JSON object per answered question, in a JSONL file.

The file lives in the platformdirs data dir (`chat_history.jsonl`). Each line records the store it
was asked of, so a session shows the history of its own store. A damaged line is skipped, never fatal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs

KEEP_FIELDS = ("question", "answer", "citations", "moments", "evidence", "tool_calls", "mode", "seconds")


def default_history_path() -> Path:
    return Path(platformdirs.user_data_dir("vidsage")) / "chat_history.jsonl"


@dataclass
class History:
    path: Path
    db: str

    def load(self, limit: int = 100) -> list[dict[str, Any]]:
        """The last `limit` entries asked of this store, oldest first."""
        if not self.path.is_file():
            return []
        out: list[dict[str, Any]] = []
        with self.path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict) and entry.get("db") == self.db and "question" in entry:
                    out.append(entry)
        return out[-limit:]

    def append(self, result: dict[str, Any]) -> dict[str, Any]:
        entry = {k: result[k] for k in KEEP_FIELDS if k in result}
        # tool calls keep what the chat shows (name, arguments, counts), not the text they returned
        entry["tool_calls"] = [{k: v for k, v in c.items() if k not in ("content", "evidence")}
                               for c in entry.get("tool_calls") or [] if isinstance(c, dict)]
        entry["db"] = self.db
        entry["at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError:
            pass  # a read-only data dir costs the history, not the session
        return entry

    def clear(self) -> None:
        """Forget this store's entries (other stores' lines are kept)."""
        if not self.path.is_file():
            return
        keep = []
        with self.path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict) and entry.get("db") != self.db:
                    keep.append(line if line.endswith("\n") else line + "\n")
        self.path.write_text("".join(keep), encoding="utf-8")
