"""Indexing speed as multiples of real time, per stage, against a naive baseline in the same process.

vidsage: the real pipeline (`Indexer.index_file`: scene-aware keyframes, frame describers, CLIP when
present, Whisper with VAD, subtitles, embeddings, store writes) into a fresh temporary store.
Naive baseline: every frame at 1 fps through the *same* frame describer object (and CLIP when
present), and the *same* Whisper model on the whole file without VAD (otherwise the same decode
options); vision and speech side by side in two threads as in the pipeline. The baseline stores
nothing and embeds nothing, which favours it.

Models are loaded before any timing, once, and shared by both.

Inputs: the bundled media (samples/) and, unless --quick, one long input (>= 30 min) made by
concatenating the real clips of ../shared/media in turn (decoded and re-encoded with PyAV's
libx264/AAC to 640x360; no ffmpeg binary needed), cached in the user cache dir.

    python bench/index_speed.py [--quick] [--long-minutes 30] [--out bench/results/index_speed.json]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import (MEDIA, RESULTS, SAMPLES, RssSampler, build_long_input, cache_dir, cpu_info, git_commit,  # noqa: E402
                   peak_rss_mib, write_json)

DESCRIBE_BATCH = 32


def naive_index(path: Path, indexer) -> dict[str, Any]:
    """The naive baseline on one file: seconds per part and counts."""
    from vidsage.index.decode import decode_audio, iter_frames
    from vidsage.index.probe import probe

    s = indexer.settings
    info = probe(path)
    stages: dict[str, float] = {}
    counts: dict[str, int] = {}

    def vision() -> None:
        if not info.video:
            return
        t_dec = t_desc = t_clip = 0.0
        n = 0
        t = time.perf_counter()
        batch_img, batch_t = [], []

        def flush() -> None:
            nonlocal t_desc, t_clip
            t1 = time.perf_counter()
            indexer.describer.describe(batch_img, batch_t)
            t_desc += time.perf_counter() - t1
            if indexer.clip is not None:
                t1 = time.perf_counter()
                indexer.clip.embed_images(batch_img)
                t_clip += time.perf_counter() - t1
            batch_img.clear()
            batch_t.clear()

        for fr in iter_frames(path, fps=1.0, max_side=s.describe_max_side):
            t_dec += time.perf_counter() - t
            batch_img.append(fr.image)
            batch_t.append(fr.t)
            n += 1
            if len(batch_img) >= DESCRIBE_BATCH:
                flush()
            t = time.perf_counter()
        if batch_img:
            flush()
        stages.update({"decode 1 fps": t_dec, "describe": t_desc})
        if indexer.clip is not None:
            stages["clip"] = t_clip
        counts["frames"] = n

    def speech() -> None:
        if not info.audio:
            return
        t = time.perf_counter()
        audio = decode_audio(path, sr=16000)
        stages["decode audio"] = time.perf_counter() - t
        if audio.size < 1600:
            return
        t = time.perf_counter()
        tr = indexer.transcriber
        model = tr.model
        with tr._run_lock:
            segs, _ = model.transcribe(audio, language=s.language, beam_size=tr.beam_size, vad_filter=False,
                                       word_timestamps=True, condition_on_previous_text=False)
            segs = list(segs)
        stages["asr (no VAD)"] = time.perf_counter() - t
        counts["asr_segments"] = len(segs)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for f in [pool.submit(vision), pool.submit(speech)]:
            f.result()
    return {"path": str(path), "duration": info.duration, "seconds": time.perf_counter() - t0,
            "stages": stages, "counts": counts}


def warm_up(indexer, files: list[Path]) -> None:
    import numpy as np

    from vidsage.index.decode import iter_frames
    from vidsage.index.probe import probe

    for p in files:
        if probe(p).video:
            fr = next(iter(iter_frames(p, fps=1.0, max_side=indexer.settings.describe_max_side)), None)
            if fr is not None:
                indexer.describer.describe([fr.image], [fr.t])
                if indexer.clip is not None:
                    indexer.clip.embed_images([fr.image])
                break
    indexer.transcriber.transcribe(np.zeros(16000, np.float32), language="en")
    indexer.embedder.embed_passages(["warm up"])


def run_set(name: str, files: list[Path], settings, sampler: RssSampler, log) -> dict[str, Any]:
    from vidsage.index.pipeline import Indexer
    from vidsage.index.store import Store

    db = tempfile.mkdtemp(prefix=f"vidsage-bench-{name}-")
    try:
        s = settings.model_copy(update={"db": db})
        indexer = Indexer(s)
        # load every model before timing (both runs share them): the describer's models, CLIP and the
        # VAD load on first use, so each is used once on a real frame / a second of silence
        t = time.perf_counter()
        warm_up(indexer, files)
        load_s = time.perf_counter() - t
        log(f"[{name}] models loaded in {load_s:.1f}s")

        def describer_counters() -> dict[str, float]:
            d = indexer.describer
            c = {f"{k} s": v for k, v in getattr(d, "seconds", {}).items()}
            for k in ("frames", "ocr_gate_calls", "ocr_calls"):
                if hasattr(d, k):
                    c[k] = getattr(d, k)
            return c

        def delta(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
            return {k: round(b[k] - a.get(k, 0), 2) for k in b}

        sampler.phase(f"{name}: vidsage")
        c0 = describer_counters()
        ours = []
        for p in files:
            r = indexer.index_file(p)
            if r.status != "indexed":
                raise SystemExit(f"{p}: {r.status} {r.reason}")
            ours.append({"path": str(p), "duration": r.duration, "seconds": r.seconds, "stages": r.stages})
            log(f"[{name}] vidsage {p.name}: {r.duration:.1f}s of media in {r.seconds:.1f}s "
                f"({r.duration / r.seconds:.1f}x real time)")
        rec = {v.path: v for v in Store(db).videos()}
        for o in ours:
            v = rec.get(o["path"])
            if v is not None:
                o["counts"] = {"keyframes": v.keyframes, "chunks": v.chunks, "segments": v.segments}

        c1 = describer_counters()
        sampler.phase(f"{name}: naive")
        naive = []
        for p in files:
            r = naive_index(p, indexer)
            naive.append(r)
            log(f"[{name}] naive   {p.name}: {r['duration']:.1f}s of media in {r['seconds']:.1f}s "
                f"({r['duration'] / r['seconds']:.1f}x real time)")
        sampler.phase(None)
        c2 = describer_counters()
    finally:
        shutil.rmtree(db, ignore_errors=True)

    media = sum(o["duration"] for o in ours)
    wall = sum(o["seconds"] for o in ours)
    nwall = sum(r["seconds"] for r in naive)
    per_stage: dict[str, float] = {}
    for o in ours:
        for k, v in o["stages"].items():
            per_stage[k] = per_stage.get(k, 0.0) + v
    naive_stage: dict[str, float] = {}
    for r in naive:
        for k, v in r["stages"].items():
            naive_stage[k] = naive_stage.get(k, 0.0) + v
    return {
        "files": [p.name for p in files],
        "media_seconds": round(media, 2),
        "model_load_seconds": round(load_s, 2),
        "vidsage": {"wall_seconds": round(wall, 2), "realtime_factor": round(media / wall, 2),
                    "per_stage": {k: {"seconds": round(v, 2), "realtime_factor": round(media / v, 1) if v else None}
                                  for k, v in per_stage.items()},
                    "files": ours},
        "naive": {"wall_seconds": round(nwall, 2), "realtime_factor": round(media / nwall, 2),
                  "per_stage": {k: {"seconds": round(v, 2), "realtime_factor": round(media / v, 1) if v else None}
                                for k, v in naive_stage.items()},
                  "files": naive},
        "speedup_vs_naive": round(nwall / wall, 2),
        # where the frame describer's time went (its own counters; the text-event pass may use more)
        "describer_breakdown": {"vidsage": delta(c0, c1), "naive": delta(c1, c2)},
        "peak_rss_mib": {k.split(": ")[1]: round(v) for k, v in sampler.peaks.items() if k.startswith(name + ":")},
    }


def tables(result: dict[str, Any]):
    from rich.table import Table

    t = Table(title="indexing speed (x real time = media seconds per wall second; higher is faster)",
              title_justify="left")
    for col in ("input", "media", "vidsage wall s", "vidsage x rt", "naive wall s", "naive x rt", "speedup",
                "peak RSS vidsage / naive"):
        t.add_column(col, justify="left" if col == "input" else "right")
    for name, r in result["inputs"].items():
        t.add_row(name, f"{r['media_seconds'] / 60:.1f} min", f"{r['vidsage']['wall_seconds']:.1f}",
                  f"{r['vidsage']['realtime_factor']:.1f}x", f"{r['naive']['wall_seconds']:.1f}",
                  f"{r['naive']['realtime_factor']:.1f}x", f"[bold]{r['speedup_vs_naive']:.2f}x[/]",
                  f"{r['peak_rss_mib'].get('vidsage', 0)} / {r['peak_rss_mib'].get('naive', 0)} MiB")
    out = [t]
    for name, r in result["inputs"].items():
        st = Table(title=f"{name}: seconds per stage (x real time if that stage ran alone; vision and speech run "
                         f"side by side, so stages overlap)", title_justify="left")
        for col in ("stage", "vidsage s", "x rt", "naive s", "x rt "):
            st.add_column(col, justify="left" if col == "stage" else "right")
        ours, base = r["vidsage"]["per_stage"], r["naive"]["per_stage"]
        pairs = [("decode+keyframes", "decode 1 fps"), ("describe", "describe"), ("clip", "clip"),
                 ("events", None), ("subtitles", None), ("decode audio", "decode audio"), ("asr", "asr (no VAD)"),
                 ("store", None)]
        seen = set()
        for a, b in pairs + [(k, None) for k in ours if k not in {p[0] for p in pairs}]:
            if a not in ours and (b is None or b not in base):
                continue
            seen.add(a)
            o, n = ours.get(a), base.get(b) if b else None
            st.add_row(a if not b or a == b else f"{a} / {b}",
                       f"{o['seconds']:.1f}" if o else "-", f"{o['realtime_factor']}x" if o else "-",
                       f"{n['seconds']:.1f}" if n else "-", f"{n['realtime_factor']}x" if n else "-")
        out.append(st)
    return out


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console

    from vidsage.config import load_settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="bundled media only (no long input)")
    ap.add_argument("--long-minutes", type=float, default=30.0, help="length of the long input (>= 30 for the report)")
    ap.add_argument("--long", type=Path, default=None, help="use this file as the long input instead of building one")
    ap.add_argument("--out", type=Path, default=RESULTS / "index_speed.json")
    args = ap.parse_args(argv)
    console = Console(stderr=True)
    log = lambda m: console.print(m, highlight=False, markup=False)  # noqa: E731

    settings = load_settings()
    sampler = RssSampler()
    inputs: dict[str, Any] = {}
    bundled = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in (".mp4", ".flac", ".mp3", ".webm", ".mkv"))
    inputs["bundled"] = run_set("bundled", bundled, settings, sampler, log)
    long_note = None
    if not args.quick:
        if args.long:
            long_path, long_dur, order = args.long, None, []
            long_note = f"given file {args.long}"
        else:
            target = cache_dir() / f"long_{args.long_minutes:g}min.mp4"
            long_path, long_dur, order = build_long_input(target, args.long_minutes, log)
            long_note = (f"{long_dur / 60:.1f} min made by concatenating the real clips of {MEDIA} in turn "
                         f"({', '.join(dict.fromkeys(order))}), decoded and re-encoded with PyAV (libx264 veryfast "
                         f"crf 26, 640x360 letterboxed, AAC 16 kHz mono; clips without audio get silence)")
        inputs["long"] = run_set("long", [long_path], settings, sampler, log)
        inputs["long"]["note"] = long_note
    sampler.stop()

    head = inputs.get("long") or inputs["bundled"]
    result = {
        "realtime_factor": head["vidsage"]["realtime_factor"],
        "naive_realtime_factor": head["naive"]["realtime_factor"],
        "speedup_vs_naive": head["speedup_vs_naive"],
        "headline_input": "long" if "long" in inputs else "bundled",
        "cpu": cpu_info(),
        "per_stage": head["vidsage"]["per_stage"],
        "naive_per_stage": head["naive"]["per_stage"],
        "peak_rss_mib": round(peak_rss_mib()),
        "peak_rss_mib_by_phase": {k: round(v) for k, v in sampler.peaks.items()},
        "inputs": inputs,
        "settings": {k: getattr(settings, k) for k in ("whisper", "embedder", "tagger", "clip", "device", "threads",
                                                     "scan_fps", "keyframe_min_gap", "keyframe_max_gap",
                                                     "shot_threshold", "describe_max_side", "ocr", "faces")},
        "baseline": "every frame at 1 fps through the same FrameDescriber (+ CLIP when present) and the same Whisper "
                    "model on the whole file with vad_filter=False; vision and speech in two threads; no embedding "
                    "or store writes",
        "git_commit": git_commit(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    write_json(args.out, result)
    con = Console(width=max(Console().width, 120))
    for t in tables(result):
        con.print(t)
    for name, r in inputs.items():
        d = r["describer_breakdown"]["vidsage"]
        con.print(f"{name}: frame describer (vidsage run): " + ", ".join(f"{k} {v:g}" for k, v in d.items()),
                  highlight=False)
    Console().print(f"peak RSS {result['peak_rss_mib']} MiB; wrote {args.out}", highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
