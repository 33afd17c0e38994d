"""The resumable indexing pipeline: files -> probe -> keyframes + frame text + CLIP, ASR + subtitles -> store.

One video at a time; inside a video, vision and speech run side by side (both spend their time in
native code that releases the GIL). A video's entries become visible only when its record turns
"done"; an interrupted video is cleaned and redone on the next run.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vidsage.config import Settings
from vidsage.labels import display
from vidsage.types import FrameText, MediaError, MediaInfo, Segment, Shot, TranscriptChunk, VideoRecord, Word, things_seen

VIDEO_EXTS = {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".mts", ".m2ts",
              ".wmv", ".flv", ".3gp", ".ogv", ".vob", ".asf", ".f4v"}
AUDIO_EXTS = {".mp3", ".m4a", ".flac", ".wav", ".ogg", ".opus", ".aac", ".aiff", ".aif", ".wma", ".mka", ".oga",
              ".m4b", ".weba"}
MEDIA_EXTS = VIDEO_EXTS | AUDIO_EXTS
_DESCRIBE_BATCH = 16  # keyframes described together: big enough for batched inference, small in memory


def iter_media_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Media files under the given files/folders, sorted, each path once (symlinks followed).

    Whatever in a folder has a media extension and is not a folder is yielded, so that a broken
    link or a pipe named like a video is reported as skipped, not silently left out."""
    seen: set[Path] = set()
    for p in paths:
        p = Path(p).expanduser()
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.suffix.lower() in MEDIA_EXTS and not q.is_dir())
        else:
            found = [p]  # an explicitly named file is tried whatever its extension
        for q in found:
            key = q.absolute()
            if key not in seen:
                seen.add(key)
                yield key


def content_hash(path: Path) -> str:
    """blake2b of the bytes: the video's identity (same content at two paths = one video)."""
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(4 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class FileResult:
    path: str
    status: str  # "indexed" | "skipped" | "unchanged" | "alias" | "failed"
    reason: str = ""
    seconds: float = 0.0
    duration: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)


@dataclass
class IndexSummary:
    results: list[FileResult] = field(default_factory=list)
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def exit_code(self) -> int:
        """0 all good; 1 some files skipped or failed (the rest indexed); 130 interrupted."""
        if self.interrupted:
            return 130
        return 1 if any(r.status in ("skipped", "failed") for r in self.results) else 0


class Indexer:
    """Holds the models (loaded once) and the store; `index_file` does one file."""

    def __init__(self, settings: Settings, store=None):
        from .embed import get_embedder
        from .store import Store

        self.settings = settings
        self.embedder = get_embedder(settings)
        self._describer = None
        self._transcriber = None
        self._clip = None
        self._clip_checked = False
        models = {"frames": self.embedder.name, "segments": self.embedder.name, "transcript": self.embedder.name}
        clip = self.clip
        if clip is not None:
            models["clip"] = clip.name
        self.store = store or Store(settings.db, models=models)
        self._lock = threading.Lock()

    # models load lazily so an audio-only library never loads the vision models, and vice versa
    @property
    def describer(self):
        with self._lock:
            if self._describer is None:
                from .vision import FrameDescriber

                self._describer = FrameDescriber(self._split_threads(vision=True))
            return self._describer

    @property
    def transcriber(self):
        with self._lock:
            if self._transcriber is None:
                from .asr import Transcriber

                self._transcriber = Transcriber(self._split_threads(vision=False))
            return self._transcriber

    def _split_threads(self, vision: bool) -> Settings:
        """Vision and speech run side by side: share the cores between them instead of each
        taking all of them (oversubscribed, torch ran 30x slower per frame on 2 cores)."""
        total = max(1, self.settings.threads)
        speech = max(1, total // 2)
        n = max(1, total - speech) if vision else speech
        return self.settings.model_copy(update={"threads": n})

    @property
    def clip(self):
        if not self._clip_checked:
            from .clip import ClipEmbedder

            self._clip = ClipEmbedder.from_settings(self.settings)
            self._clip_checked = True
        return self._clip

    def model_names(self, info: MediaInfo) -> dict[str, str]:
        names = {"embedder": self.embedder.name}
        if info.video:
            names["tagger"] = self.settings.tagger
            if self.clip is not None:
                names["clip"] = self.clip.name
        if info.audio:
            names["whisper"] = self.settings.whisper
        return names

    def options(self) -> dict[str, Any]:
        s = self.settings
        return {k: getattr(s, k) for k in ("decode_max_side", "scan_fps", "keyframe_min_gap", "keyframe_max_gap",
                                           "shot_threshold", "ocr", "faces", "chunk_words", "chunk_overlap_words",
                                           "language", "vad_threshold")}

    # -- one file ------------------------------------------------------------------------------
    def index_file(self, path: Path, on_stage: Callable[[str, float], None] | None = None) -> FileResult:
        from .probe import probe

        t0 = time.perf_counter()
        apath = str(path)
        try:
            if not path.exists():
                raise MediaError(apath, "broken symbolic link" if path.is_symlink() else "no such file")
            if not path.is_file():  # a FIFO or device would block (or never end) the hash below
                raise MediaError(apath, "not a regular file")
            apath.encode("utf-8")  # the store keeps paths as UTF-8 text
            vid = content_hash(path)
        except UnicodeEncodeError:
            return FileResult(apath, "skipped", "file name is not valid UTF-8 (rename it to index it)")
        except OSError as e:
            return FileResult(apath, "skipped", f"cannot read: {e.strerror or e}")
        except MediaError as e:
            return FileResult(apath, "skipped", e.reason)

        existing = self.store.get_video(vid)
        if existing is not None and existing.status == "done":
            if apath not in existing.paths:
                existing.paths.append(apath)
                self.store.put_video(existing)
                return FileResult(apath, "alias", f"same content as {existing.path}")
            return FileResult(apath, "unchanged")
        # a file that changed since it was indexed: its old entries go
        for old in self.store.videos():
            if apath in old.paths and old.video_id != vid:
                if len(old.paths) > 1:
                    old.paths.remove(apath)
                    if old.path == apath:
                        old.path = old.paths[0]
                    self.store.put_video(old)
                else:
                    self.store.delete_video(old.video_id)
        if existing is not None:  # interrupted earlier: start clean
            self.store.delete_video_entries(vid)

        try:
            info = probe(path)
        except MediaError as e:
            return FileResult(apath, "skipped", e.reason)

        rec = VideoRecord(video_id=vid, path=apath, paths=[apath], duration=info.duration,
                          streams=info.streams_summary(), status="indexing", models=self.model_names(info),
                          options=self.options(), indexed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.store.put_video(rec)

        stages: dict[str, float] = {}

        def stage(name: str, seconds: float) -> None:
            stages[name] = stages.get(name, 0.0) + seconds
            if on_stage:
                on_stage(name, seconds)

        pool = ThreadPoolExecutor(max_workers=2)
        abandon = False
        try:
            vision_f = pool.submit(self._vision, path, info, stage) if info.video else None
            speech_f = pool.submit(self._speech, path, info, stage)
            frames, shots, segments = vision_f.result() if vision_f else ([], [], [])
            chunks, language = speech_f.result()
        except KeyboardInterrupt:
            # Ctrl-C (a signal: it lands in the main thread): return now rather than sit out this file's
            # decoding and ASR (minutes on a long video). The video stays "indexing", invisible, and is
            # redone next run; the workers only compute, never write, and `vidsage index` exits without
            # waiting for them. A stop asked by the TUI (from its indexing thread) still waits for them.
            abandon = threading.current_thread() is threading.main_thread()
            raise
        finally:
            pool.shutdown(wait=not abandon, cancel_futures=abandon)

        if info.video and not frames:
            raise_reason = "no decodable video frames"
            if not chunks:
                self.store.delete_video(vid)
                return FileResult(apath, "skipped", raise_reason)

        t = time.perf_counter()
        self._write(rec, frames, shots, segments, chunks)
        stage("store", time.perf_counter() - t)
        rec.keyframes, rec.chunks, rec.segments, rec.language = len(frames), len(chunks), len(segments), language
        spoken = Counter(c.language for c in chunks if c.language)
        rec.languages = [code for code, _ in spoken.most_common()]
        rec.status = "done"
        self.store.put_video(rec)  # the one step that makes the video visible
        return FileResult(apath, "indexed", seconds=time.perf_counter() - t0, duration=info.duration, stages=stages)

    def _vision(self, path: Path, info: MediaInfo, stage) -> tuple[list[FrameText], list[Shot], list[Segment]]:
        """Scan frames, pick keyframes as they become final, describe them in small batches.

        Describing as we go keeps memory bounded (only a batch of keyframe images is ever held),
        whatever the length of the video.
        """
        from .appearance import black_and_white
        from .decode import iter_frames
        from .keyframes import KeyframeSelector

        s = self.settings
        sel = KeyframeSelector(min_gap=s.keyframe_min_gap, max_gap=s.keyframe_max_gap, threshold=s.shot_threshold)
        texts: list[FrameText] = []
        pending: list = []
        shots_looked: set[int] = set()
        scan = 0.0

        def flush() -> None:
            if not pending:
                return
            images = [k.image for k in pending]
            # small things are looked for once per shot, in its first keyframe (see FrameDescriber.objects)
            look = []
            for k in pending:
                look.append(k.shot not in shots_looked)
                shots_looked.add(k.shot)
            t = time.perf_counter()
            batch = self.describer.describe(images, [k.t for k in pending], look_for_objects=look)
            stage("describe", time.perf_counter() - t)
            if self.clip is not None:
                t = time.perf_counter()
                for ft, v in zip(batch, self.clip.embed_images(images)):
                    ft.clip = [float(x) for x in v]
                stage("clip", time.perf_counter() - t)
            texts.extend(batch)
            for k in pending:
                k.image = None
            pending.clear()

        t = time.perf_counter()
        for frame in iter_frames(path, fps=s.scan_fps, max_side=s.describe_max_side):
            pending += sel.push(frame)
            if len(pending) >= _DESCRIBE_BATCH:
                scan += time.perf_counter() - t
                flush()
                t = time.perf_counter()
        pending += sel.finish(info.duration)
        scan += time.perf_counter() - t
        stage("decode+keyframes", scan)
        flush()
        texts.sort(key=lambda f: f.t)
        shots = sel.shots
        if not texts:
            return [], shots, []
        if black_and_white([f.chroma for f in texts]):  # decided over the whole video, not per frame
            for f in texts:
                f.mono = True
        segments = shot_segments(shots, texts)
        try:  # richer events (text on screen, objects) when the visual-moments module is present
            from .events import detect_events
        except ImportError:
            detect_events = None
        if detect_events is not None:
            t = time.perf_counter()
            segments += detect_events(path, info, texts, shots, s, describer=self.describer)
            stage("events", time.perf_counter() - t)
        return texts, shots, segments

    def _speech(self, path: Path, info: MediaInfo, stage) -> tuple[list[TranscriptChunk], str | None]:
        from .chunking import chunk_words, merge_cues
        from .subtitles import embedded_subtitles, sidecar_subtitles

        s = self.settings
        chunks: list[TranscriptChunk] = []
        language = None
        t = time.perf_counter()
        cues = sidecar_subtitles(path) + embedded_subtitles(path)
        if cues:
            for c in cues:  # cue times stand in for word times, so answers can narrow to a cue
                if not c.words:
                    c.words = [Word(c.start, c.end, c.text)]
            chunks += merge_cues(cues, s.chunk_words, s.chunk_overlap_words)
        stage("subtitles", time.perf_counter() - t)
        if info.audio:
            from .decode import decode_audio

            t = time.perf_counter()
            audio = decode_audio(path, sr=16000)
            stage("decode audio", time.perf_counter() - t)
            if audio.size >= 1600:  # under 0.1 s there is nothing to hear
                t = time.perf_counter()
                tr = self.transcriber.transcribe(audio, language=s.language)
                stage("asr", time.perf_counter() - t)
                language = tr.language
                chunks += chunk_words(tr.words, s.chunk_words, s.chunk_overlap_words, language=tr.language)
        if language is None and cues:
            language = cues[0].language
        from .language import label_languages

        return label_languages(chunks), language

    def _write(self, rec: VideoRecord, frames: list[FrameText], shots: list[Shot], segments: list[Segment],
               chunks: list[TranscriptChunk]) -> None:
        vid, vpath = rec.video_id, rec.path
        st = self.store
        if frames:
            vecs = self.embedder.embed_passages([f.text() for f in frames])
            st.add("frames", vid, vpath, (
                (f"{i}", v, f.text(), {"t": f.t, "start": f.t, "end": f.t, "shot": _shot_of(shots, f.t),
                                       "faces": f.faces, "tags": [l for l, _ in f.tags], "ocr": " | ".join(f.ocr),
                                       "colours": ",".join(f.colours), "people": " | ".join(p for p in f.people if p),
                                       "background": ",".join(f.background),
                                       "objects": [label for label, _, _ in f.objects] or None,
                                       "mono": f.mono})
                for i, (f, v) in enumerate(zip(frames, vecs))))
            if self.clip is not None:
                st.add("clip", vid, vpath, ((f"{i}", f.clip, f.text(), {"t": f.t, "start": f.t, "end": f.t})
                                            for i, f in enumerate(frames) if f.clip is not None))
        if segments:
            vecs = self.embedder.embed_passages([g.text for g in segments])
            st.add("segments", vid, vpath, ((f"{g.kind}{i}", v, g.text, {**g.meta, "kind": g.kind, "start": g.start,
                                                                         "end": g.end})
                                            for i, (g, v) in enumerate(zip(segments, vecs))))
        if chunks:
            vecs = self.embedder.embed_passages([c.text for c in chunks])
            st.add("transcript", vid, vpath, ((f"{i}", v, c.text, {"start": c.start, "end": c.end, "source": c.source,
                                                                   "language": c.language, "words": _word_list(c)})
                                              for i, (c, v) in enumerate(zip(chunks, vecs))))


def _word_list(c: TranscriptChunk) -> list[list] | None:
    """Word (or cue) times of a chunk, compact, so answers can be narrowed to the matching words."""
    if not c.words:
        return None
    return [[round(w.start, 2), round(w.end, 2), w.word.strip()] for w in c.words]


def _shot_of(shots: list[Shot], t: float) -> int:
    for sh in shots:
        if sh.start <= t < sh.end:
            return sh.index
    return shots[-1].index if shots else 0


def shot_segments(shots: list[Shot], frames: list[FrameText]) -> list[Segment]:
    """One segment per shot, described by what its keyframes show (tags ranked by how often they recur)."""
    out = []
    for sh in shots:
        inside = [f for f in frames if sh.start <= f.t < sh.end] or [
            min(frames, key=lambda f: abs(f.t - sh.start))] if frames else []
        tags: Counter[str] = Counter()
        for f in inside:
            for label, p in f.tags:
                tags[label] += p
        ocr: list[str] = []
        for f in inside:
            for line in f.ocr:
                if line not in ocr:
                    ocr.append(line)
        colours: Counter[str] = Counter(c for f in inside for c in f.colours)
        faces = max((f.faces for f in inside), default=0)
        looks: Counter[str] = Counter(p for f in inside for p in f.people if p)
        behind: Counter[str] = Counter(c for f in inside for c in f.background)
        things = list({o[0]: o for f in inside for o in f.objects}.values())
        parts = [f"shot {sh.index + 1}"]
        if tags:
            parts.append("tags: " + ", ".join(display(t) for t, _ in tags.most_common(6)))
        if ocr:
            parts.append("on-screen text: " + " | ".join(ocr[:6]))
        if faces:
            parts.append(f"{faces} face{'s' if faces != 1 else ''}"
                         + (" (" + "; ".join(p for p, _ in looks.most_common(max(faces, 1))) + ")" if looks else ""))
        if behind:
            parts.append("background behind them: " + "/".join(c for c, _ in behind.most_common(2)))
        if inside and all(f.mono for f in inside):
            parts.append("black-and-white picture (no colour)")
        if things:  # after the surer facts: a search result's line is cut short
            parts.append(things_seen(things))
        if colours:
            parts.append("colours: " + ", ".join(c for c, _ in colours.most_common(3)))
        out.append(Segment("shot", sh.start, sh.end, "; ".join(parts),
                           {"shot": sh.index, "faces": faces, "keyframes": len(inside),
                            "things": [[label, where] for label, _, where in things] or None}))
    return out


def index_paths(paths: Iterable[str | Path], settings: Settings, indexer: Indexer | None = None,
                reporter: "Reporter | None" = None) -> IndexSummary:
    """Index every media file under `paths`. Ctrl-C stops after cleaning nothing: the next run resumes."""
    from .lock import writer_lock

    summary = IndexSummary()
    files = list(iter_media_files(paths))
    reporter = reporter or Reporter()
    with writer_lock(settings.db):
        indexer = indexer or Indexer(settings)
        reporter.start(files)
        try:
            for path in files:
                reporter.begin_file(path)
                try:
                    res = indexer.index_file(path, on_stage=reporter.stage)
                except MediaError as e:
                    res = FileResult(str(path), "skipped", e.reason)
                except KeyboardInterrupt:
                    raise
                except Exception as e:  # one bad file never stops the folder
                    res = FileResult(str(path), "failed", f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}")
                summary.results.append(res)
                reporter.end_file(res)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            reporter.stop()
    return summary


class Reporter:
    """Progress callbacks; the base class is silent (used by tests and library callers)."""

    def start(self, files: list[Path]) -> None: ...
    def begin_file(self, path: Path) -> None: ...
    def stage(self, name: str, seconds: float) -> None: ...
    def end_file(self, res: FileResult) -> None: ...
    def stop(self) -> None: ...


def _escape(text: str) -> str:
    """Text for rich markup: brackets escaped, control characters and undecodable bytes shown as escapes."""
    from rich.markup import escape

    return escape("".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text)))


class RichReporter(Reporter):
    """A rich progress bar: overall files and the current file's stage, with the real-time factor."""

    def __init__(self, console=None):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.progress = None

    def start(self, files: list[Path]) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self.console, transient=False)
        self.progress.start()
        self.overall = self.progress.add_task("videos", total=len(files))
        self.current = self.progress.add_task("", total=None, visible=False)
        self._media = 0.0
        self._wall = 0.0

    def begin_file(self, path: Path) -> None:
        if self.progress:
            self._name = _escape(path.name)
            self.progress.update(self.current, description=f"  {self._name}: starting", visible=True)

    def stage(self, name: str, seconds: float) -> None:
        if self.progress:
            self.progress.update(self.current, description=f"  {self._name}: {name} done ({seconds:.1f}s)")

    def end_file(self, res: FileResult) -> None:
        if not self.progress:
            return
        self.progress.advance(self.overall)
        path, reason = _escape(res.path), _escape(res.reason)  # a file name is not markup: "a [/] b.mp4"
        if res.status == "indexed":
            self._media += res.duration
            self._wall += res.seconds
            rtf = res.duration / res.seconds if res.seconds else 0
            msg = f"[green]indexed[/] {path} ({res.duration:.1f}s of media in {res.seconds:.1f}s, {rtf:.1f}x real time)"
        elif res.status in ("unchanged", "alias"):
            msg = f"[dim]{res.status}[/] {path}" + (f" ({reason})" if reason else "")
        else:
            msg = f"[yellow]{res.status}[/] {path}: {reason}"
        self.progress.console.print(msg, highlight=False)
        if self._wall:
            self.progress.update(self.overall, description=f"videos ({self._media / self._wall:.1f}x real time)")

    def stop(self) -> None:
        if self.progress:
            self.progress.update(self.current, visible=False)
            self.progress.stop()
