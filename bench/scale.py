"""Beyond one machine, measured on this one: Ray vs local indexing, store footprint, server vs embedded queries.

1. Indexing throughput (videos/min and media-seconds per wall-second, model loading included):
   the local pipeline into a folder store, then `index_with_ray` (a local Ray instance with
   `--ray-cpus` CPUs, one task per video) into a fresh `chroma run` server. Ray's own start-up is
   timed apart.
2. Store footprint, from the folder store: bytes on disk per entry, entries per hour of media (per
   collection, per kind of stream), and the server's resident memory after the queries.
3. Query latency: `Toolbox.find_moments` for `--queries` questions against the embedded folder store
   and against the server holding the same videos, interleaved (so both see the same machine load),
   after two warm-up queries each; p50/p95, and whether both give the same top moment.

    python bench/scale.py [--files a.mp4 b.flac ...] [--ray-cpus 2] [--out bench/results/scale.json]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import MEDIA, RESULTS, cpu_info, git_commit, percentiles, stop_process, write_json  # noqa: E402

FILES = ["jfk.flac", "grid_swwp2s.mpg", "friday_his_girl_friday.mp4", "grid_seven_speakers.mp4", "car-detection.mp4",
         "big_buck_bunny_0_30.webm", "apollo11.mp3", "one-by-one-person-detection.mp4"]
QUERIES = [
    "when does he say ask not what your country can do for you",
    "my fellow americans",
    "set white with p two soon",
    "bin blue at f two now",
    "lay red with p nine again",
    "set white in z three now",
    "is the lord of the universe in",
    "somebody must have stolen the crown jewels",
    "when does the red car appear",
    "a white car drives through",
    "when does a person enter the room",
    "a woman with long hair stands at the table",
    "the man in the black jacket",
    "the rabbit wakes up",
    "a butterfly in the forest",
    "houston",
    "the eagle has landed",
    "a man with glasses in a striped top",
    "the switchboard operators",
    "an empty road",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(exe if exe.is_file() else "chroma"), "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return proc, url
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError("chroma run exited") from None
            time.sleep(0.2)
    raise RuntimeError("chroma run did not start")


def rss_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def throughput(summary, wall: float) -> dict[str, Any]:
    done = [r for r in summary.results if r.status == "indexed"]
    media = sum(r.duration for r in done)
    return {"wall_s": round(wall, 2), "videos": len(done), "media_s": round(media, 1),
            "videos_per_min": round(len(done) / wall * 60, 2), "x_real_time": round(media / wall, 3),
            "statuses": dict(Counter(r.status for r in summary.results))}


def footprint(db: Path) -> dict[str, Any]:
    from vidsage.index.store import VECTOR_COLLECTIONS, Store

    store = Store(str(db))
    recs = store.videos(status="done")
    counts = {c: store.count(c) for c in (*VECTOR_COLLECTIONS, "videos")}
    entries = sum(v for k, v in counts.items() if k != "videos")
    disk = du(db)
    media_h = sum(r.duration for r in recs) / 3600
    video_h = sum(r.duration for r in recs if "video" in r.streams) / 3600
    audio_h = sum(r.duration for r in recs if "audio" in r.streams) / 3600
    speech_h = sum(r.duration for r in recs if r.chunks > 0) / 3600  # files where speech was found
    return {
        "videos": len(recs), "media_hours": round(media_h, 4), "video_stream_hours": round(video_h, 4),
        "audio_stream_hours": round(audio_h, 4), "entries": counts, "disk_bytes": disk,
        "bytes_per_entry": round(disk / entries) if entries else None,
        "entries_per_media_hour": round(entries / media_h) if media_h else None,
        "frames_per_video_hour": round(counts["frames"] / video_h) if video_h else None,
        "segments_per_video_hour": round(counts["segments"] / video_h) if video_h else None,
        "transcript_per_audio_hour": round(counts["transcript"] / audio_h) if audio_h else None,
        "speech_hours": round(speech_h, 4),
        "transcript_per_speech_hour": round(counts["transcript"] / speech_h) if speech_h else None,
        "disk_bytes_per_media_hour": round(disk / media_h) if media_h else None,
    }


def compare(db_a: str, db_b: str) -> dict[str, list[str]]:
    """Per video file name, what differs between two stores (counts, keyframe times, entry texts)."""
    from vidsage.index.store import Store

    def contents(db: str) -> dict[str, dict[str, Any]]:
        store = Store(db)
        out = {}
        for rec in store.videos():
            d: dict[str, Any] = {"status": rec.status, "keyframes": rec.keyframes, "chunks": rec.chunks,
                                 "segments": rec.segments}
            for col in ("frames", "segments", "transcript"):
                hits = sorted(store.get(col, video_ids=[rec.video_id]), key=lambda h: (h.start, h.end, h.text))
                d[col] = [(round(h.start, 2), round(h.end, 2), h.text) for h in hits]
            out[Path(rec.path).name] = d
        return out

    a, b = contents(db_a), contents(db_b)
    diffs: dict[str, list[str]] = {}
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            diffs[name] = ["only in one store"]
            continue
        keys = [k for k in a[name] if a[name][k] != b[name].get(k)]
        if keys:
            diffs[name] = keys
    return diffs


def query_latency(embedded_db: str, server_url: str, queries: list[str]) -> dict[str, Any]:
    from vidsage.config import load_settings
    from vidsage.tools.toolbox import Toolbox

    boxes = {"embedded": Toolbox(load_settings(db=embedded_db)), "server": Toolbox(load_settings(db=server_url))}
    for tb in boxes.values():  # warm-up: model load, collection handles, first HNSW load
        for q in queries[:2]:
            tb.find_moments(q, k=5)
    times: dict[str, list[float]] = {k: [] for k in boxes}
    same_top = 0
    for i, q in enumerate(queries):
        tops = {}
        order = list(boxes) if i % 2 == 0 else list(reversed(boxes))
        for name in order:
            t = time.perf_counter()
            ms = boxes[name].find_moments(q, k=5)
            times[name].append(time.perf_counter() - t)
            tops[name] = (Path(ms[0].video).name, round(ms[0].start, 1), round(ms[0].end, 1)) if ms else None
        same_top += tops["embedded"] == tops["server"]
    out = {k: {kk: (round(vv, 4) if isinstance(vv, float) else vv) for kk, vv in percentiles(v).items()}
           for k, v in times.items()}
    out["same_top_moment"] = f"{same_top}/{len(queries)}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", nargs="+", default=[str(MEDIA / f) for f in FILES])
    ap.add_argument("--ray-cpus", type=int, default=2)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--ray-first", action="store_true", help="run Ray before the local pipeline")
    ap.add_argument("--local-threads", type=int, default=None, help="threads for the local run [default: settings]")
    ap.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    args = ap.parse_args()

    from vidsage.config import load_settings
    from vidsage.index.pipeline import Reporter, index_paths

    work = Path(tempfile.mkdtemp(prefix="vidsage-scale-"))
    results: dict[str, Any] = {"machine": cpu_info(), "commit": git_commit(), "files": [Path(f).name for f in args.files],
                               "load_avg_start": os.getloadavg()}
    server, url = start_chroma(work / "server")
    try:
        local_db = work / "local"

        def run_local() -> None:
            print(f"local pipeline: {len(args.files)} files ...", flush=True)
            la = os.getloadavg()[0]
            t = time.perf_counter()
            s = index_paths(args.files, load_settings(db=str(local_db), threads=args.local_threads), reporter=Reporter())
            results["local"] = throughput(s, time.perf_counter() - t)
            results["local"].update(threads=load_settings(threads=args.local_threads).threads,
                                    load_avg_1min_before=round(la, 1), load_avg_1min_after=round(os.getloadavg()[0], 1))
            print("  ", results["local"], flush=True)

        def run_ray() -> None:
            import ray

            from vidsage.index.distributed import index_with_ray

            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            t = time.perf_counter()
            ray.init(num_cpus=args.ray_cpus, include_dashboard=False, log_to_driver=False, logging_level="warning")
            ray_start = time.perf_counter() - t
            print(f"ray ({args.ray_cpus} CPUs) into {url} ...", flush=True)
            la = os.getloadavg()[0]
            t = time.perf_counter()
            s = index_with_ray(args.files, load_settings(db=url), reporter=Reporter())
            results["ray"] = throughput(s, time.perf_counter() - t)
            results["ray"].update(ray_start_s=round(ray_start, 2), cpus=args.ray_cpus, threads_per_task=1,
                                  load_avg_1min_before=round(la, 1), load_avg_1min_after=round(os.getloadavg()[0], 1))
            ray.shutdown()
            print("  ", results["ray"], flush=True)

        if args.no_ray:  # the server still needs the same videos for the query comparison
            run_local()
            index_paths(args.files, load_settings(db=url), reporter=Reporter())
        elif args.ray_first:
            run_ray()
            run_local()
        else:
            run_local()
            run_ray()
        results["differences_local_vs_server"] = compare(str(local_db), url)
        print("contents differ:", results["differences_local_vs_server"] or "none", flush=True)

        # 2. footprint
        results["footprint_embedded"] = footprint(local_db)
        results["server_disk_bytes"] = du(work / "server")
        print("footprint:", results["footprint_embedded"], flush=True)

        # 3. query latency
        print(f"find_moments x{args.queries}: embedded vs server ...", flush=True)
        results["query_latency_s"] = query_latency(str(local_db), url, QUERIES[: args.queries])
        results["server_rss_mib_after_queries"] = round(rss_of(server.pid), 1)
        print("  ", results["query_latency_s"], flush=True)
    finally:
        stop_process(server)
        shutil.rmtree(work, ignore_errors=True)
    results["load_avg_end"] = os.getloadavg()
    write_json(args.out, results)
    loc, ray_ = results["local"], results.get("ray")
    print(f"\nvideos/min: local {loc['videos_per_min']}" + (f", ray {ray_['videos_per_min']} (+{ray_['ray_start_s']} s "
                                                            f"Ray start-up)" if ray_ else ""))
    q = results["query_latency_s"]
    print(f"find_moments p50: embedded {q['embedded']['p50'] * 1000:.0f} ms, server {q['server']['p50'] * 1000:.0f} ms "
          f"(same top moment {q['same_top_moment']})")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
