"""Indexing with Ray: one task per video, models loaded once per worker process (`vidsage index --ray`).

- Needs the optional extra `vidsage[ray]` and a Chroma server (`--db http://host:port`): every
  worker writes its video straight into the shared server, which arbitrates concurrent writes. A
  folder store is refused with a one-line error: an embedded Chroma folder has a single writer, and
  shipping every vector back through the driver would make the driver the bottleneck Ray is meant
  to remove. (Start a server on the folder instead: `chroma run --path DIR --port 8000`.)
- A video's writes are the same as in the local pipeline (`Indexer.index_file`: deterministic ids,
  upsert, the record turns "done" last), so a Ray run gives the same store contents as a local run,
  and a rerun (local or Ray) resumes where either left off.
- Each worker process keeps one `Indexer` (models + store client) in a module-level cache, so the
  models load once per worker, not once per video. A task uses `cpus_per_task` CPUs and runs the
  models with that many threads.
- A failed task (an exception in the pipeline, a crashed or killed worker) is reported and
  resubmitted up to `max_retries` times; after that it is a "failed" result in the summary (exit
  code 1), never dropped. Unreadable or undecodable media are "skipped" at once, as locally.
- Files with identical content are indexed once: the first is a task, the others are submitted
  after it finishes (they become aliases), so no two tasks ever write the same video.
- Paths must be readable at the same path on every node (a shared file system); the driver lists
  and hashes them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from vidsage.config import Settings
from vidsage.types import StoreError

from .pipeline import FileResult, IndexSummary, Reporter, content_hash, iter_media_files

# -- worker side -----------------------------------------------------------------------------------
_WORKER_INDEXERS: dict[str, Any] = {}  # settings JSON -> Indexer, per worker process


def _worker_indexer(settings_json: str):
    indexer = _WORKER_INDEXERS.get(settings_json)
    if indexer is None:
        from .pipeline import Indexer

        indexer = _WORKER_INDEXERS[settings_json] = Indexer(Settings.model_validate_json(settings_json))
    return indexer


def index_one(path: str, settings_json: str) -> dict[str, Any]:
    """Index one file in this process with the cached Indexer; the FileResult as a dict (+ worker pid).

    Media problems are a "skipped" result; anything else raises, so the driver retries the task.
    """
    from vidsage.types import MediaError

    t0 = time.perf_counter()
    indexer = _worker_indexer(settings_json)
    load_s = time.perf_counter() - t0
    try:
        res = indexer.index_file(Path(path))
    except MediaError as e:
        res = FileResult(path, "skipped", e.reason)
    out = asdict(res)
    out["worker"] = os.getpid()
    if load_s > 0.5:
        out["stages"] = {**out["stages"], "load models": load_s}
    return out


# -- driver side -----------------------------------------------------------------------------------
def _init_ray(address: str, num_cpus: int | None):
    """Connect to (or start) Ray. Returns (ray module, whether this call started it)."""
    try:
        import ray
    except ImportError:
        raise StoreError("Ray is not installed: pip install 'vidsage[ray]'") from None
    if ray.is_initialized():
        return ray, False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "warning"}
    try:
        if address in ("local", "", None):
            ray.init(num_cpus=num_cpus, **kw)
        else:
            ray.init(address=address, **kw)  # "auto" (a running cluster on this node) or "ray://head:10001"
    except Exception as e:  # no cluster at that address, a version mismatch, ...
        first = (str(e).strip().splitlines() or [""])[0][:200]
        # (StoreError: the one error type the CLI turns into a one-line message)
        raise StoreError(f"cannot start or reach Ray at {address!r}: {type(e).__name__}: {first} "
                         "(use --ray local to start one here, or `ray start --head` first for --ray auto)") from None
    return ray, True


def run_tasks(ray, remote_fn, items: list[tuple[str, tuple]], max_retries: int,
              on_done: Callable[[str, dict[str, Any] | None, str, int], None],
              after: dict[str, list[tuple[str, tuple]]] | None = None) -> dict[str, dict[str, Any] | None]:
    """Run `remote_fn.remote(*args)` for each `(key, args)`; resubmit a failed one up to `max_retries` times.

    `on_done(key, result_or_None, error, attempt)` is called for every finished attempt (result None
    and an error message for a failure). `after[key]` lists items submitted once `key` has finished.
    Returns key -> result (None where every attempt failed). Nothing is dropped: every key submitted
    gets an entry.
    """
    after = after or {}
    pending: dict[Any, tuple[str, tuple, int]] = {}
    results: dict[str, dict[str, Any] | None] = {}

    def submit(key: str, args: tuple, attempt: int) -> None:
        pending[remote_fn.remote(*args)] = (key, args, attempt)

    for key, args in items:
        submit(key, args, 1)
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        ref = ready[0]
        key, args, attempt = pending.pop(ref)
        try:
            res = ray.get(ref)
        except Exception as e:  # RayTaskError (an exception in the task), WorkerCrashedError, ...
            err = _error_line(e)
            if attempt <= max_retries:
                on_done(key, None, err, attempt)
                submit(key, args, attempt + 1)
                continue
            on_done(key, None, err, attempt)
            results[key] = None
        else:
            on_done(key, res, "", attempt)
            results[key] = res
        for k2, a2 in after.pop(key, []):
            submit(k2, a2, 1)
    return results


def _error_line(e: BaseException) -> str:
    cause = getattr(e, "cause", None)  # RayTaskError wraps the task's own exception
    if isinstance(cause, BaseException):
        e = cause
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    msg = lines[-1].strip() if lines else ""
    return f"{type(e).__name__}: {msg[:200]}" if msg else type(e).__name__


class _RayReporter(Reporter):
    """Overall progress over videos finishing in any order (rich), plus a line per file and retry."""

    def __init__(self, console=None):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.progress = None
        self.t0 = time.perf_counter()

    def start(self, files: list[Path]) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self.console)
        self.progress.start()
        self.task = self.progress.add_task("videos (ray)", total=len(files))
        self.media = 0.0
        self.t0 = time.perf_counter()

    def retry(self, path: str, error: str, attempt: int, max_attempts: int) -> None:
        self.console.print(f"[yellow]retrying[/] {path} (attempt {attempt + 1}/{max_attempts}): {error}",
                           highlight=False)

    def end_file(self, res: FileResult) -> None:
        if not self.progress:
            return
        self.progress.advance(self.task)
        if res.status == "indexed":
            self.media += res.duration
            msg = f"[green]indexed[/] {res.path} ({res.duration:.1f}s of media in {res.seconds:.1f}s)"
        elif res.status in ("unchanged", "alias"):
            msg = f"[dim]{res.status}[/] {res.path}" + (f" ({res.reason})" if res.reason else "")
        else:
            msg = f"[yellow]{res.status}[/] {res.path}: {res.reason}"
        self.progress.console.print(msg, highlight=False)
        wall = time.perf_counter() - self.t0
        if self.media and wall:
            self.progress.update(self.task, description=f"videos (ray, {self.media / wall:.1f}x real time overall)")

    def stop(self) -> None:
        if self.progress:
            self.progress.stop()


def index_with_ray(paths: Iterable[str | Path], settings: Settings, address: str = "local",
                   reporter: Reporter | None = None, num_cpus: int | None = None, cpus_per_task: float = 1,
                   gpus_per_task: float | None = None, max_retries: int = 2) -> IndexSummary:
    """Index every media file under `paths` with one Ray task per video, into the Chroma server `settings.db`.

    `address`: "local" starts a Ray instance in this process (`num_cpus` CPUs, default all); "auto"
    joins the cluster running on this node; "ray://head:10001" a remote one. `gpus_per_task`: default
    1 when the cluster has GPUs and `settings.device` is not "cpu", else 0.
    Results come back in the order of the files.
    """
    if not settings.is_remote_db:
        raise StoreError(f"--ray writes from many processes, which needs a Chroma server, not the folder {settings.db}: "
                         f"start one (chroma run --path {settings.db} --port 8000) and pass --db http://127.0.0.1:8000")
    from .store import Store

    Store(settings.db).videos()  # fail fast, in one line, when the server is not there
    files = [str(p) for p in iter_media_files(paths)]
    reporter = reporter or _RayReporter()
    summary = IndexSummary()
    ray, started = _init_ray(address, num_cpus)
    try:
        if gpus_per_task is None:
            has_gpu = ray.cluster_resources().get("GPU", 0) > 0
            gpus_per_task = 1 if has_gpu and settings.device != "cpu" else 0
        threads = max(1, int(cpus_per_task))
        worker_settings = settings.model_copy(update={"threads": threads})
        if gpus_per_task and worker_settings.device == "auto":
            worker_settings = worker_settings.model_copy(update={"device": "cuda"})
        settings_json = worker_settings.model_dump_json()
        # Ray sets OMP_NUM_THREADS=1 in workers. numpy's OpenBLAS then takes its one-thread code path,
        # whose last-bit differences in Whisper's log-mel features change what Whisper decodes (seen
        # on grid_seven_speakers: 7 sentences locally, 2 run-ons in a worker). Workers get the value a
        # local run on this machine has, so a Ray run gives the same store contents as a local one.
        # The models' own thread counts (torch, onnxruntime, CTranslate2) come from settings.threads.
        omp = os.environ.get("OMP_NUM_THREADS") or str(os.cpu_count() or 1)
        remote = ray.remote(num_cpus=cpus_per_task, num_gpus=gpus_per_task, max_retries=0,
                            runtime_env={"env_vars": {"OMP_NUM_THREADS": omp}})(index_one)

        # one task per distinct content; same-content files run after their first copy (-> alias)
        items: list[tuple[str, tuple]] = []
        after: dict[str, list[tuple[str, tuple]]] = {}
        first_of: dict[str, str] = {}
        early: dict[str, FileResult] = {}
        for f in files:
            try:
                h = content_hash(Path(f))
            except OSError as e:
                early[f] = FileResult(f, "skipped", f"cannot read: {e.strerror or e}")
                continue
            if h in first_of:
                after.setdefault(first_of[h], []).append((f, (f, settings_json)))
            else:
                first_of[h] = f
                items.append((f, (f, settings_json)))

        reporter.start([Path(f) for f in files])
        for res in early.values():
            reporter.end_file(res)

        def on_done(key: str, res: dict | None, error: str, attempt: int) -> None:
            if res is None and attempt <= max_retries:
                if hasattr(reporter, "retry"):
                    reporter.retry(key, error, attempt, max_retries + 1)
                return
            if res is None:
                fr = FileResult(key, "failed", f"{error} (after {attempt} attempts)")
            else:
                res = dict(res)
                res.pop("worker", None)
                fr = FileResult(**res)
            early[key] = fr
            reporter.end_file(fr)

        try:
            run_tasks(ray, remote, items, max_retries, on_done, after)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            reporter.stop()
        summary.results = [early[f] for f in files if f in early]
    finally:
        if started:
            ray.shutdown()
    return summary
