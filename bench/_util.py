"""Helpers shared by the benchmarks: machine description, RSS sampling, JSON output, a long input."""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
MEDIA = Path(os.environ.get("VIDSAGE_TEST_MEDIA", ROOT.parent / "shared" / "media"))
SAMPLES = ROOT / "samples"


def cache_dir() -> Path:
    import platformdirs

    d = Path(platformdirs.user_cache_dir("vidsage")) / "bench"
    d.mkdir(parents=True, exist_ok=True)
    return d


def cpu_info() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    gpu = None
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() > 0:
            gpu = f"{ctranslate2.get_cuda_device_count()} CUDA device(s)"
    except Exception:
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {"model": model, "cores": usable, "memory_gib": mem, "gpu": gpu, "python": platform.python_version(),
            "platform": platform.platform(), "load_average_1_5_15min": load}


def rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class RssSampler:
    """Samples this process's RSS every `interval` s; `phase(name)` starts a new max for that name."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peaks: dict[str, float] = {}
        self._phase: str | None = None
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._note()

    def _note(self) -> None:
        if self._phase is not None:
            self.peaks[self._phase] = max(self.peaks.get(self._phase, 0.0), rss_mib())

    def phase(self, name: str | None) -> None:
        self._note()
        self._phase = name
        self._note()

    def stop(self) -> None:
        self._note()
        self._stop.set()
        self._t.join(timeout=2)


def git_commit() -> str | None:
    import subprocess

    try:
        r = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5)
        return r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def stop_process(proc: subprocess.Popen, grace_s: float = 20.0) -> None:
    """Stop a server the bench started: SIGTERM, then SIGKILL if it is still there after `grace_s`."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()


def write_json(path: Path, obj: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def percentiles(xs: list[float]) -> dict[str, float | None]:
    if not xs:
        return {"p50": None, "p95": None, "mean": None, "n": 0}
    a = np.asarray(xs, dtype=float)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)), "mean": float(a.mean()),
            "n": len(xs)}


# ------------------------------------------------------------------------------------------------
# a long input made of the real clips (PyAV only: decode, letterbox, re-encode with libx264/AAC)
# ------------------------------------------------------------------------------------------------

LONG_SOURCES = ("one-by-one-person-detection.mp4", "car-detection.mp4", "friday_his_girl_friday.mp4",
                "grid_seven_speakers.mp4", "big_buck_bunny_0_30.webm")
_W, _H, _SR = 640, 360, 16000


def _letterbox(img: np.ndarray) -> np.ndarray:
    from PIL import Image

    h, w = img.shape[:2]
    s = min(_W / w, _H / h)
    nw, nh = max(2, int(round(w * s))), max(2, int(round(h * s)))
    small = np.asarray(Image.fromarray(img).resize((nw, nh), Image.BILINEAR))
    out = np.zeros((_H, _W, 3), np.uint8)
    y, x = (_H - nh) // 2, (_W - nw) // 2
    out[y:y + nh, x:x + nw] = small
    return out


def _clip_frames(path: Path):
    """(t, RGB 640x360 letterboxed) of every frame of a clip, t from 0."""
    import av

    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        t0 = None
        for f in c.decode(vs):
            if f.pts is None:
                continue
            t = float(f.pts * vs.time_base)
            t0 = t if t0 is None else t0
            yield t - t0, f


def _clip_audio(path: Path, duration: float) -> np.ndarray:
    """16 kHz mono float audio of a clip, padded or cut to `duration` (silence when it has none)."""
    import av

    audio = np.zeros(0, np.float32)
    with av.open(str(path)) as c:
        if c.streams.audio:
            r = av.AudioResampler(format="flt", layout="mono", rate=_SR)
            parts = [g.to_ndarray().reshape(-1) for f in c.decode(c.streams.audio[0]) for g in r.resample(f)]
            parts += [g.to_ndarray().reshape(-1) for g in r.resample(None)]
            if parts:
                audio = np.concatenate(parts).astype(np.float32)
    n = int(round(duration * _SR))
    return np.pad(audio[:n], (0, max(0, n - len(audio))))


def _clip_duration(path: Path) -> float:
    ts = [t for t, _ in _clip_frames(path)]
    step = float(np.median(np.diff(ts))) if len(ts) > 1 else 0.04
    return ts[-1] + step


def build_long_input(out: Path, minutes: float = 30.0, log=print) -> tuple[Path, float, list[str]]:
    """Concatenate the real clips (LONG_SOURCES, in turn) until `minutes`; cached by name.

    Every clip is decoded, letterboxed to 640x360 and re-encoded at a constant 25 fps (each output
    frame shows the clip's latest frame at that time) with libx264, audio as AAC 16 kHz mono.
    """
    import av

    sources = [MEDIA / n for n in LONG_SOURCES]
    if out.is_file():
        with av.open(str(out)) as c:
            return out, float(c.duration / av.time_base), [s.name for s in sources]
    log(f"building the long input {out} ({minutes:g} min from {len(sources)} real clips, libx264 via PyAV) ...")
    durations = [_clip_duration(p) for p in sources]
    tmp = out.with_suffix(".part.mp4")
    oc = av.open(str(tmp), "w")
    vs = oc.add_stream("libx264", rate=25)
    vs.width, vs.height, vs.pix_fmt = _W, _H, "yuv420p"
    vs.options = {"preset": "veryfast", "crf": "26"}
    aus = oc.add_stream("aac", rate=_SR)
    aus.layout = "mono"
    fps = 25
    k = 0  # output frame index
    a_pts = 0
    pending = np.zeros(0, np.float32)
    offset, order, i = 0.0, [], 0
    target = minutes * 60
    while offset < target:
        src, dur = sources[i % len(sources)], durations[i % len(sources)]
        order.append(src.name)
        frames = _clip_frames(src)
        cur, nxt = None, next(frames, None)
        img = None
        end_k = int(round((offset + dur) * fps))
        while k < end_k:
            t_local = k / fps - offset
            changed = False
            while nxt is not None and nxt[0] <= t_local + 1e-6:
                cur, nxt, changed = nxt, next(frames, None), True
            if cur is None:
                cur, nxt, changed = nxt, next(frames, None), True
            if changed or img is None:
                img = _letterbox(cur[1].to_ndarray(format="rgb24"))
            vf = av.VideoFrame.from_ndarray(img, format="rgb24")
            vf.pts = k
            for pkt in vs.encode(vf):
                oc.mux(pkt)
            k += 1
        frames.close()
        pending = np.concatenate([pending, _clip_audio(src, end_k / fps - offset)])
        while len(pending) >= 1024:
            af = av.AudioFrame.from_ndarray(pending[:1024].reshape(1, -1), format="fltp", layout="mono")
            af.sample_rate, af.pts = _SR, a_pts
            a_pts += 1024
            pending = pending[1024:]
            for pkt in aus.encode(af):
                oc.mux(pkt)
        offset = end_k / fps
        i += 1
    for pkt in vs.encode(None):
        oc.mux(pkt)
    for pkt in aus.encode(None):
        oc.mux(pkt)
    oc.close()
    os.replace(tmp, out)
    log(f"  {offset / 60:.1f} min, {out.stat().st_size / 1e6:.0f} MB")
    return out, offset, order
