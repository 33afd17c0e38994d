"""Every prompt vidsage sends to a model lives here as a text file; `load(name)` reads one."""

from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """Return the text of prompts/<name>.txt (trailing whitespace stripped)."""
    path = _HERE / f"{name}.txt"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in _HERE.glob("*.txt")))
        raise FileNotFoundError(f"no prompt named {name!r} in {_HERE} (known: {known})")
    return path.read_text(encoding="utf-8").rstrip()
