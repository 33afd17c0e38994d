"""cProfile of `find_moments` over a built library (e.g. `query_scale.py --db DIR` keeps its 100 h library).

    python bench/profile_find_moments.py DIR [--out bench/results/find_moments_profile.txt]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import RESULTS  # noqa: E402
from query_scale import QUESTIONS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    from vidsage.config import load_settings
    from vidsage.tools.toolbox import Toolbox

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db")
    ap.add_argument("--out", type=Path, default=RESULTS / "find_moments_profile.txt")
    args = ap.parse_args(argv)
    tb = Toolbox(load_settings(db=args.db))
    for q in QUESTIONS[:3]:  # warm-up
        tb.find_moments(q, k=5)
    pr = cProfile.Profile()
    pr.enable()
    t = time.perf_counter()
    for q in QUESTIONS:
        tb.find_moments(q, k=5)
    el = time.perf_counter() - t
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(30)
    text = (f"{len(QUESTIONS)} find_moments on {args.db} in {el:.2f}s ({1000 * el / len(QUESTIONS):.0f} ms each, "
            f"under cProfile)\n" + s.getvalue())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text[:6000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
