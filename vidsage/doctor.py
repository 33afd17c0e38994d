"""`vidsage doctor`: what this machine offers vidsage, in a few lines — devices, libraries, models, store.

`report(settings)` returns `(check, status, detail)` rows, status "ok" | "warn" | "fail". Every check
runs on its own: one that breaks becomes a "fail" row with the error, never a crash. Nothing here
downloads anything or writes to the store (a model that ships as split packages is assembled into
the models cache the first time it is resolved, as on first use).
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from .config import Settings

Row = tuple[str, str, str]
GB = 1 << 30


def _python(settings: Settings) -> list[Row]:
    return [("python", "ok", f"Python {platform.python_version()} ({sys.executable}) on {platform.platform()}")]


def _cpu(settings: Settings) -> list[Row]:
    total = os.cpu_count() or 1
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = total
    status = "warn" if settings.threads > usable else "ok"
    detail = f"{usable} usable of {total} cores; vidsage uses {settings.threads} threads"
    if status == "warn":
        detail += " (more threads than cores: set threads lower)"
    return [("cpu", status, detail)]


def _torch(settings: Settings) -> list[Row]:
    try:
        import torch
    except ImportError as e:
        return [("torch", "fail", f"not importable: {e}")]
    build = f"CUDA {torch.version.cuda} build" if torch.version.cuda else "CPU-only build"
    if torch.cuda.is_available():
        devs = []
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            devs.append(f"cuda:{i} {p.name} {p.total_memory / GB:.0f} GiB")
        return [("torch", "ok", f"{torch.__version__}, {build}; " + "; ".join(devs))]
    return [("torch", "ok", f"{torch.__version__}, {build}; no CUDA device")]


def _ctranslate2(settings: Settings) -> list[Row]:
    try:
        import ctranslate2
    except ImportError as e:
        return [("ctranslate2 (whisper)", "fail", f"not importable: {e}")]
    n = ctranslate2.get_cuda_device_count()
    where = f"{n} CUDA device(s), float16 there" if n else "no CUDA device: CPU, int8"
    return [("ctranslate2 (whisper)", "ok", f"{ctranslate2.__version__}; {where}")]


def _llama(settings: Settings) -> list[Row]:
    try:
        import llama_cpp
    except ImportError as e:
        return [("llama.cpp", "warn", f"llama-cpp-python not importable ({e}): only --mode fast and --llm URL work")]
    gpu = llama_cpp.llama_supports_gpu_offload()
    detail = f"llama-cpp-python {llama_cpp.__version__}; GPU offload {'supported' if gpu else 'not built in (CPU only)'}"
    return [("llama.cpp", "ok", detail)]


def _onnxruntime(settings: Settings) -> list[Row]:
    try:
        import onnxruntime
    except ImportError as e:
        return [("onnxruntime", "fail", f"not importable: {e}")]
    provs = [p.replace("ExecutionProvider", "") for p in onnxruntime.get_available_providers()]
    return [("onnxruntime", "ok", f"{onnxruntime.__version__}; providers: {', '.join(provs)}")]


def _devices(settings: Settings) -> list[Row]:
    from .devices import summary, why_not

    chosen = summary(settings.device)
    errors = {k: v[len("error: "):] for k, v in chosen.items() if v.startswith("error")}
    if errors:
        if all(e.startswith("device is set") for e in errors.values()):  # no GPU for these engines
            msg = f"device is set to {settings.device!r} but " + "; ".join(why_not(k) for k in errors)
        else:  # a bad setting: the same message for every engine
            msg = next(iter(errors.values()))
        return [("devices", "fail", msg + "; set device to auto or cpu")]
    detail = f"device = {settings.device!r} -> " + ", ".join(f"{k} {v}" for k, v in chosen.items())
    wanted_gpu = settings.device.lower().startswith("cuda")
    fallback = [k for k, v in chosen.items() if wanted_gpu and v == "cpu"]
    if fallback:
        return [("devices", "warn", detail + "; on the CPU despite the setting: " + "; ".join(why_not(k) for k in fallback))]
    return [("devices", "ok", detail)]


def _models(settings: Settings) -> list[Row]:
    from .models import configured

    rows = []
    for m in configured(settings):
        if m.location:
            rows.append((f"model {m.role}", "ok", f"{m.name}: {m.location}"))
        elif m.role == "clip":
            rows.append((f"model {m.role}", "ok", f"{m.name}: not present (optional; frames are described by "
                                                  f"tags/OCR/faces; `vidsage models pull {m.name}` adds it)"))
        elif m.role == "llm":
            status = "ok" if settings.llm_url else "warn"
            rows.append((f"model {m.role}", status, f"{m.name}: {m.problem}" +
                         (f" (not needed: --llm {settings.llm_url})" if settings.llm_url else
                          " (ask --mode fast still works)")))
        else:
            rows.append((f"model {m.role}", "fail", f"{m.name}: {m.problem}"))
    return rows


def _llm_endpoint(settings: Settings) -> list[Row]:
    if not settings.llm_url:
        return []
    import httpx

    url = settings.llm_url.rstrip("/")
    try:
        r = httpx.get(f"{url}/models", timeout=5.0)
        r.raise_for_status()
        ids = [m.get("id", "?") for m in r.json().get("data", [])]
        return [("llm endpoint", "ok", f"{url} serves {', '.join(ids[:3]) or 'a model'}")]
    except Exception as e:
        return [("llm endpoint", "fail", f"{url}: {type(e).__name__}: {str(e)[:150]}")]


def _store(settings: Settings) -> list[Row]:
    from .index.store import Store
    from .types import StoreError

    db = settings.db
    if settings.is_remote_db:
        try:
            store = Store(db)
            store._client.heartbeat()
            version = store._client.get_version()
            n = len(store.videos(status="done"))
            return [("store", "ok", f"Chroma server {db} (version {version}) answers; {n} videos indexed")]
        except (StoreError, Exception) as e:
            return [("store", "fail", f"Chroma server {db} does not answer: {type(e).__name__}: {str(e)[:150]} "
                                      f"(start one: chroma run --path DIR --port PORT)")]
    if not Path(db).exists():
        return [("store", "ok", f"{db}: empty (created by the first `vidsage index`)")]
    try:
        store = Store(db)
        recs = store.videos()
        done = sum(1 for r in recs if r.status == "done")
        hours = sum(r.duration for r in recs if r.status == "done") / 3600
        detail = f"{db}: {done} videos ({hours:.1f} h) indexed, {store.disk_bytes() / (1 << 20):.0f} MiB"
        if done < len(recs):
            detail += f"; {len(recs) - done} unfinished (re-run `vidsage index` to finish)"
        return [("store", "ok" if done == len(recs) else "warn", detail)]
    except Exception as e:
        return [("store", "fail", f"{db}: {type(e).__name__}: {str(e)[:200]}")]


def _media(settings: Settings) -> list[Row]:
    try:
        import av
    except ImportError as e:
        return [("media (PyAV)", "fail", f"not importable: {e}")]
    libs = getattr(av, "library_versions", {}) or {}
    codec = libs.get("libavcodec")
    detail = f"PyAV {av.__version__}" + (f", libavcodec {'.'.join(map(str, codec))}" if codec else "")
    ff = shutil.which("ffmpeg")
    detail += f"; ffmpeg binary {'at ' + ff if ff else 'not on PATH (not needed)'}"
    return [("media (PyAV)", "ok", detail)]


def _ray(settings: Settings) -> list[Row]:
    try:
        import ray
    except ImportError:
        return [("ray", "ok", "not installed (optional: pip install 'vidsage[ray]' for index --ray)")]
    return [("ray", "ok", f"{ray.__version__} (index --ray ADDRESS, with a Chroma server --db)")]


def _existing(p: Path) -> Path:
    p = p.expanduser().absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _disk(settings: Settings) -> list[Row]:
    rows = []
    places = {"models": Path(settings.models_dir)}
    if not settings.is_remote_db:
        places["store"] = Path(settings.db)
    seen: set[int] = set()
    for what, path in places.items():
        base = _existing(path)
        dev = base.stat().st_dev
        if dev in seen:
            continue
        seen.add(dev)
        free = shutil.disk_usage(base).free
        status = "fail" if free < 1 * GB else "warn" if free < 5 * GB else "ok"
        label = "+".join(k for k, v in places.items() if _existing(v).stat().st_dev == dev)
        rows.append((f"disk ({label})", status, f"{free / GB:.1f} GiB free at {base}"))
    return rows


CHECKS: list[Callable[[Settings], list[Row]]] = [
    _python, _cpu, _torch, _ctranslate2, _llama, _onnxruntime, _devices, _models, _llm_endpoint, _store,
    _media, _ray, _disk,
]


def report(settings: Settings) -> list[Row]:
    """All checks, in order; a check that raises becomes one "fail" row."""
    rows: list[Row] = []
    for check in CHECKS:
        name = check.__name__.strip("_").replace("_", " ")
        try:
            rows.extend(check(settings))
        except Exception as e:
            rows.append((name, "fail", f"check failed: {type(e).__name__}: {str(e)[:200]}"))
    return rows


def print_report(rows: list[Row], console=None) -> int:
    """Print the rows (one line each); returns the exit code: 1 when anything failed, else 0."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console()
    mark = {"ok": "[green]ok  [/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}
    width = max((len(c) for c, _, _ in rows), default=10)
    for check, status, detail in rows:
        console.print(f"{mark.get(status, status)} {check:<{width}}  {escape(detail)}", highlight=False,
                      soft_wrap=True)
    return 1 if any(s == "fail" for _, s, _ in rows) else 0
