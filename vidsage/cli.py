"""The `vidsage` command line: index, ask, videos, models, eval, chat, doctor."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .config import Settings, load_settings
from .types import MediaError, StoreError, fmt_span, fmt_time, same_moment

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Ask questions about your own videos. Everything runs on this machine.")
models_app = typer.Typer(help="List the configured models, or pull hub weights (needs internet).",
                         invoke_without_command=True)
app.add_typer(models_app, name="models")

out = Console()
err = Console(stderr=True)

DbOpt = typer.Option(None, "--db", help="store folder, or http://host:port for a Chroma server [default: data dir]")


def _settings(db: Optional[str] = None, **kw) -> Settings:
    return load_settings(db=db, **kw)


def _fail(msg: str, code: int = 2) -> None:
    err.print(f"[red]error:[/] {escape(msg)}", highlight=False, soft_wrap=True)  # one line, even in an 80-column pipe
    raise typer.Exit(code)


def _one_line(text: str) -> str:
    """A file name or reason fit for one line of a log: control characters and undecodable bytes escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _interrupted(what: str = "") -> None:
    """Ctrl-C: one line, exit 130 (the shell's code for SIGINT), no traceback."""
    err.print(f"[yellow]interrupted[/]{what}", highlight=False)
    raise typer.Exit(130)


def _by_ctrl_c(e: BaseException | None) -> bool:
    """An error that Ctrl-C caused: a native module whose import is interrupted (onnxruntime, torch,
    loaded on first use) raises ImportError from the KeyboardInterrupt instead of the interrupt."""
    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


@app.command()
def index(paths: list[Path] = typer.Argument(..., help="video/audio files or folders"),
          db: Optional[str] = DbOpt,
          ray: Optional[str] = typer.Option(None, "--ray", help="index with Ray tasks (address, or 'local')"),
          quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar")) -> None:
    """Index videos: keyframes and what they show, speech and subtitles. Re-running resumes and skips done files.

    Exit code: 0 all indexed, 1 some files skipped (each named with the reason), 130 interrupted.
    """
    from .index.pipeline import Reporter, RichReporter, index_paths

    settings = _settings(db)
    try:
        if ray:
            from .index.distributed import index_with_ray

            summary = index_with_ray(paths, settings, address=ray)
        else:
            summary = index_paths(paths, settings, reporter=Reporter() if quiet else RichReporter(err))
    except (StoreError, MediaError) as e:
        _fail(str(e))
    except (KeyboardInterrupt, ImportError) as e:  # outside a file (listing files, loading models)
        if not _by_ctrl_c(e):
            raise
        _interrupted(": what finished is kept; run the same command again to resume.")
    n_idx, n_skip = summary.count("indexed"), summary.count("skipped") + summary.count("failed")
    n_same = summary.count("unchanged") + summary.count("alias")
    if summary.interrupted:
        err.print("[yellow]interrupted[/]: what finished is kept; run the same command again to resume.")
    err.print(f"{n_idx} indexed, {n_same} already indexed, {n_skip} skipped", highlight=False)
    for r in summary.results:
        if r.status in ("skipped", "failed"):  # one line each, however long: logs and grep rely on it
            err.print(f"  skipped {_one_line(r.path)}: {_one_line(r.reason)}", highlight=False, markup=False,
                      soft_wrap=True)
    if summary.interrupted:
        # the interrupted file's decode/ASR threads may still run: leave now instead of waiting for them
        # (and instead of native libraries tearing down under them). They write nothing; the store holds
        # only finished videos, which a kill -9 at any point leaves intact too (tests/test_reliability.py).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    raise typer.Exit(summary.exit_code)


@app.command()
def ask(question: str = typer.Argument(..., help="a question about your videos"),
        db: Optional[str] = DbOpt,
        video: Optional[str] = typer.Option(None, "--video", help="only this indexed video (path or name)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
        mode: str = typer.Option("auto", "--mode", help="auto (agent when the LLM is there) | fast | agent"),
        llm: Optional[str] = typer.Option(None, "--llm", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")) -> None:
    """Answer a question; "when" questions answer with time intervals. Every answer cites video @ mm:ss."""
    try:
        _ask(question, db, video, as_json, mode, llm)
    except (KeyboardInterrupt, ImportError) as e:
        if not _by_ctrl_c(e):
            raise
        _interrupted()


def _ask(question: str, db: Optional[str], video: Optional[str], as_json: bool, mode: str,
         llm: Optional[str]) -> None:
    from .agent.answer import answer_question

    settings = _settings(db, llm_url=llm)
    if len(question) > settings.max_question_chars:
        err.print(f"[yellow]question cut to {settings.max_question_chars} characters[/]")
        question = question[: settings.max_question_chars]
    shown: list[str] = []

    def stream(tok: str) -> None:
        shown.append(tok)
        _stream_token(tok)

    try:
        result = answer_question(question, settings, video=video, mode=mode, on_token=None if as_json else stream)
    except StoreError as e:
        _fail(str(e))
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    if not result.get("streamed"):
        if "".join(shown).strip():  # the model's words were replaced after checking them: say so
            out.print()
            out.print("[dim]checked against the evidence, the answer is:[/]")
        out.print(result["answer"], highlight=False, markup=False)
    else:
        out.print()
    for c in result["citations"]:
        out.print(f"  {c['video']} @ {fmt_span(c['start'], c['end'])}", highlight=False, markup=False)
    if result.get("moments") and result["citations"]:
        # the other moments found, not the cited one again
        others = [m for m in result["moments"] if not any(same_moment(m, c) for c in result["citations"])][:3]
        if others:
            out.print("[dim]other candidates:[/]")
            for m in others:
                out.print(f"[dim]  {m['video']} @ {fmt_span(m['start'], m['end'])}  ({m['score']:.2f})[/]",
                          highlight=False)


def _stream_token(tok: str) -> None:
    sys.stdout.write(tok)
    sys.stdout.flush()


@app.command()
def videos(db: Optional[str] = DbOpt, as_json: bool = typer.Option(False, "--json", help="print a JSON list")) -> None:
    """What is indexed: duration, streams, status, keyframes, transcript chunks, language, models."""
    from .index.store import Store

    settings = _settings(db)
    try:
        recs = Store(settings.db).videos()
    except StoreError as e:
        _fail(str(e))
    rows = [r.to_json() for r in recs]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        out.print(f"nothing indexed in {settings.db} yet: vidsage index PATH")
        return
    from rich import box

    t = Table(caption=f"store: {settings.db} (details: vidsage videos --json)", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    t.add_column("video", no_wrap=True, overflow="ellipsis", min_width=min(26, max(len(Path(r["video"]).name) for r in rows)))
    for col, width in (("length", 6), ("has", 11), ("frames", 6), ("chunks", 6), ("lang", 4), ("status", 6)):
        t.add_column(col, no_wrap=True, min_width=width, justify="right" if col in ("frames", "chunks") else "left")
    for r in rows:
        has = "+".join(k for k in ("video", "audio", "subtitle") if k in r["streams"]) or "-"
        t.add_row(Path(r["video"]).name, fmt_time(r["duration"]), has, str(r["keyframes"]),
                  str(r["chunks"]), r["language"] or "-", r["status"])
    out.print(t)


@app.command()
def forget(refs: list[str] = typer.Argument(..., help="indexed videos: file name, stem, path or id"),
           db: Optional[str] = DbOpt) -> None:
    """Remove videos from the index (their keyframes, transcript, events); the files stay where they are."""
    from .index.lock import writer_lock
    from .index.store import Store

    settings = _settings(db)
    try:
        with writer_lock(settings.db):
            store = Store(settings.db)
            recs = [_indexed(store, ref) for ref in refs]
            for rec in dict((r.video_id, r) for r in recs).values():
                store.delete_video(rec.video_id)
                out.print(f"forgot {Path(rec.path).name}", highlight=False, markup=False)
    except StoreError as e:
        _fail(str(e))


def _indexed(store, ref: str):
    """The record `ref` names: a finished video, or one whose indexing failed or was cut short."""
    try:
        return store.resolve_video(ref)
    except StoreError:
        for rec in store.videos():
            if ref in {rec.video_id, *rec.paths, rec.path, *(Path(p).name for p in rec.paths or [rec.path])}:
                return rec
        raise


@app.command("eval")
def eval_cmd(file: Path = typer.Argument(..., help="JSONL: one {id, video, question, kind, answer, start, end} per line"),
             db: Optional[str] = DbOpt,
             out_path: Optional[Path] = typer.Option(None, "--out", help="JSON report (a .md report is written next to it) (default: report.<FILE stem>.json beside FILE)"),
             mode: str = typer.Option("auto", "--mode", help="auto | fast | agent, as for `ask`"),
             fail_under: Optional[float] = typer.Option(None, "--fail-under", help="exit 1 if overall R@1 (IoU>=0.5) or accuracy is below this (0..1)"),
             resume: bool = typer.Option(False, "--resume", help="skip the questions already answered in the --out report"),
             per_video: bool = typer.Option(False, "--per-video", help="ask each question about its own video only (like ask --video)"),
             llm: Optional[str] = typer.Option(None, "--llm", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")) -> None:
    """Score answers against a question file: temporal IoU, R@1, R@5, hit within ±2 s, accuracy, latency.

    Videos not indexed yet are indexed first. Exit code: 0, or 1 below --fail-under, 130 interrupted.
    """
    from .evaluation import EvalError, print_report, run_eval

    try:
        run = run_eval(file, _settings(db, llm_url=llm), out=out_path, mode=mode, resume=resume,
                       fail_under=fail_under, per_video=per_video, console=err)
        print_report(run, out)
    except (EvalError, StoreError) as e:
        _fail(str(e))
    except (KeyboardInterrupt, ImportError) as e:  # outside a question (starting up, printing): results are on disk
        if not _by_ctrl_c(e):
            raise
        _interrupted(": finished questions are kept; add --resume to continue.")
    raise typer.Exit(run.exit_code)


@app.command()
def chat(db: Optional[str] = DbOpt,
         mode: str = typer.Option("auto", "--mode", help="auto (agent when the LLM is there) | fast | agent"),
         llm: Optional[str] = typer.Option(None, "--llm", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1"),
         light: bool = typer.Option(False, "--light", help="start with the light theme (ctrl+t toggles)")) -> None:
    """Chat with your videos in the terminal: library, streamed answers, evidence with frames (press ? for keys)."""
    from .tui.app import run

    if mode not in ("auto", "fast", "agent"):
        _fail(f"--mode must be auto, fast or agent, not {mode!r}")
    run(_settings(db, llm_url=llm), mode=mode, theme="light" if light else "dark")


@models_app.callback()
def models_list(ctx: typer.Context) -> None:
    """List each role's configured model and where its weights are."""
    if ctx.invoked_subcommand:
        return
    from .models import configured

    settings = _settings()
    t = Table("role", "model", "where", title=f"models (cache: {settings.models_dir})")
    for m in configured(settings):
        where = m.location or f"[yellow]missing[/]: {m.problem}"
        if m.role == "clip" and not m.location:
            where = "[dim]not present (optional): vidsage models pull " + m.name + "[/]"
        t.add_row(m.role, m.name, where)
    out.print(t)


@models_app.command("pull")
def models_pull(name: str = typer.Argument(..., help="e.g. ViT-B-32/laion2b_s34b_b79k or whisper-small")) -> None:
    """Download hub weights into the models dir (needs internet). Nothing else ever downloads."""
    from .models import ModelNotFound, pull

    try:
        path = pull(name, _settings())
    except ModelNotFound as e:
        _fail(str(e), 1)
    out.print(f"pulled {name} -> {path}")


@app.command()
def doctor(db: Optional[str] = DbOpt,
           llm: Optional[str] = typer.Option(None, "--llm", help="also check this OpenAI-compatible endpoint"),
           device: Optional[str] = typer.Option(None, "--device", help="check this device setting: auto | cpu | cuda")) -> None:
    """What this machine offers: devices, libraries, models, store. The first thing to run when something is slow or missing.

    Exit code: 0 nothing failed (warnings allowed), 1 something failed.
    """
    from .doctor import print_report, report

    settings = _settings(db, llm_url=llm, device=device)
    raise typer.Exit(print_report(report(settings), out))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
