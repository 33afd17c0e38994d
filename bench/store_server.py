"""A store folder served by `chroma run` versus opened embedded: memory, disk and find_moments latency.

Starts `chroma run --path <copy of DB>` on a loopback port (the copy keeps the embedded and the
served store apart), reports the server's resident memory idle, after counting every collection and
after the queries, and times `find_moments` on both, interleaved.

    python bench/store_server.py DB [--queries 10] [--out bench/results/store_server.json]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import RESULTS, cpu_info, git_commit, stop_process, write_json  # noqa: E402
from scale import QUERIES, du, query_latency, rss_of, start_chroma  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", type=Path, help="a store folder")
    ap.add_argument("--queries", type=int, default=10)
    ap.add_argument("--out", type=Path, default=RESULTS / "store_server.json")
    args = ap.parse_args()

    from vidsage.index.store import Store

    work = Path(tempfile.mkdtemp(prefix="vidsage-store-server-"))
    served = work / "served"
    shutil.copytree(args.db, served)
    res = {"machine": cpu_info(), "commit": git_commit(), "db": str(args.db), "disk_bytes": du(args.db),
           "load_avg_start": os.getloadavg()}
    proc, url = start_chroma(served)
    try:
        time.sleep(1)
        res["server_rss_mib_idle"] = round(rss_of(proc.pid), 1)
        st = Store(url)
        res["entries"] = {c: st.count(c) for c in ("frames", "segments", "transcript", "clip", "videos")}
        res["server_rss_mib_after_count"] = round(rss_of(proc.pid), 1)
        res["find_moments_s"] = query_latency(str(args.db), url, QUERIES[: args.queries])
        res["server_rss_mib_after_queries"] = round(rss_of(proc.pid), 1)
    finally:
        stop_process(proc)
        shutil.rmtree(work, ignore_errors=True)
    res["load_avg_end"] = os.getloadavg()
    write_json(args.out, res)
    q = res["find_moments_s"]
    print(f"{res['entries']}; disk {res['disk_bytes'] / 2**20:.1f} MiB; server RSS idle {res['server_rss_mib_idle']} MiB, "
          f"after queries {res['server_rss_mib_after_queries']} MiB; find_moments p50 embedded "
          f"{q['embedded']['p50'] * 1000:.0f} ms, server {q['server']['p50'] * 1000:.0f} ms (same top {q['same_top_moment']})")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
