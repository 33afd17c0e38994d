"""Subtitles as transcript: sidecar .srt/.vtt files and text subtitle streams inside the container.

Subtitles, when a video has them, are better than ASR (written by people, right language), so the
pipeline prefers them. Each cue becomes one `TranscriptChunk` with no word times; `chunking.merge_cues`
groups cues into retrieval-sized chunks. No subtitle library is a dependency of vidsage, so this is a
small parser that reads both SRT and WebVTT the same way and tolerates what real files contain:
BOMs, CRLF, cue identifiers, cue settings, NOTE/STYLE/REGION blocks, tags (<i>, <c.x>, <v Bob>,
karaoke timestamps), ASS override codes ({\\an8}), HTML entities, multi-line cues, missing blank
lines, and the rolling duplicate lines of auto-generated captions.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from vidsage.types import TranscriptChunk

SUBTITLE_EXTS = (".srt", ".vtt")

# hh:mm:ss.mmm (hours optional in WebVTT; SRT uses a comma; some files use 1-2 fraction digits)
_TS = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}")
_TAG = re.compile(r"<[^>\n]*>")
_ASS_CODE = re.compile(r"\{\\[^}]*\}")
# a language-like tag between the stem and the extension: en, pt-BR, zh_Hans, eng, forced, sdh, cc
_LANG_PART = re.compile(r"^(?:[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*|forced|sdh|cc|hi|default)$", re.I)


def _seconds(h: str | None, m: str, s: str, frac: str | None) -> float:
    ms = int(frac.ljust(3, "0")) if frac else 0
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + ms / 1000.0


def clean_text(text: str) -> str:
    """Cue text as plain words: no markup, entities decoded, one line."""
    text = _ASS_CODE.sub("", text)
    text = text.replace("\\N", " ").replace("\\n", " ").replace("\\h", " ")
    text = _TAG.sub("", text)
    text = html.unescape(text)  # after removing tags, so "&lt;3" stays text, not a tag
    return " ".join(text.split())


def parse_subtitles(content: str) -> list[tuple[float, float, str]]:
    """(start, end, text) cues of an SRT or WebVTT document, in time order."""
    lines = content.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[tuple[float, float, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        m = _TIMING.match(line)
        if m:
            g = m.groups()
            # an SRT counter that was read as text because the blank line before it was missing
            if current and current[-1].strip().isdigit():
                current.pop()
            current = []
            cues.append((_seconds(*g[:4]), _seconds(*g[4:]), current))
        elif not line.strip():
            current = None  # a blank line ends a cue; text outside a cue (headers, NOTE) is skipped
        elif current is not None:
            current.append(line)

    out: list[tuple[float, float, str]] = []
    prev_lines: list[str] = []
    for start, end, raw in cues:
        cleaned = [t for t in (clean_text(x) for x in raw) if t]
        # auto captions repeat the previous cue's last line at the top of the next one
        while cleaned and prev_lines and cleaned[0] == prev_lines[-1] and len(cleaned) > 1:
            cleaned.pop(0)
        prev_lines = cleaned or prev_lines
        text = " ".join(cleaned)
        if text and end >= start:
            out.append((start, end, text))
    out.sort(key=lambda c: (c[0], c[1]))
    return out


def read_subtitle_file(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(enc)
            if enc == "utf-16" and "-->" not in text:
                continue
            return text
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")  # old SRTs are often Windows-1252


# ISO 639-2 codes (container metadata, "movie.eng.srt") -> the 639-1 codes Whisper reports
_ISO3 = {"eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es", "ita": "it",
         "por": "pt", "chi": "zh", "zho": "zh", "jpn": "ja", "kor": "ko", "rus": "ru", "dut": "nl",
         "nld": "nl", "ara": "ar", "hin": "hi", "pol": "pl", "tur": "tr", "swe": "sv"}


def _iso1(code: str | None) -> str | None:
    if not code:
        return None
    code = re.split(r"[-_]", code.strip().lower())[0]
    if code in ("", "und", "unk", "mul", "zxx"):
        return None
    return _ISO3.get(code, code)


def _language_of(sub: Path, stem: str) -> str | None:
    middle = sub.name[len(stem):-len(sub.suffix)].strip(".")
    for part in middle.split("."):
        if re.fullmatch(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*", part, re.I) and part.lower() not in ("sdh", "cc"):
            return _iso1(part)
    return None


def sidecar_files(video_path: str | Path) -> list[Path]:
    """`stem.srt`, `stem.vtt` and `stem.<lang>[.<tag>].srt|vtt` beside the video, by name."""
    video = Path(video_path)
    stem = video.stem
    found: list[Path] = []
    try:
        entries = list(video.parent.iterdir())
    except OSError:
        return []
    for p in entries:  # compare names, not glob: stems may contain [ ] * ? that glob would read
        if p.suffix.lower() not in SUBTITLE_EXTS or not p.name.startswith(stem + ".") or not p.is_file():
            continue
        middle = p.name[len(stem) + 1:-len(p.suffix)]
        if middle == "" or all(_LANG_PART.match(part) for part in middle.split(".")):
            found.append(p)
    return sorted(found)


def sidecar_subtitles(video_path: str | Path) -> list[TranscriptChunk]:
    """One chunk per cue of every sidecar subtitle file of `video_path` (source "subtitle:<file>")."""
    video = Path(video_path)
    out: list[TranscriptChunk] = []
    for sub in sidecar_files(video):
        lang = _language_of(sub, video.stem)
        try:
            content = read_subtitle_file(sub)
        except OSError:
            continue  # unreadable sidecar: index the video from its audio instead
        for start, end, text in parse_subtitles(content):
            out.append(TranscriptChunk(start, end, text, source=f"subtitle:{sub.name}", language=lang))
    return out


# text subtitle codecs FFmpeg decodes to ASS events; bitmap ones (dvd_subtitle, hdmv_pgs_subtitle,
# dvb_subtitle, xsub) would need OCR and are skipped
TEXT_SUB_CODECS = {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text", "microdvd",
                   "subviewer", "subviewer1", "sami", "realtext", "jacosub", "mpl2", "pjs",
                   "stl", "vplayer", "eia_608"}


def _ass_event_text(ass: str) -> str:
    """Text of an ASS event as FFmpeg gives it: "ReadOrder,Layer,Style,Name,ML,MR,MV,Effect,Text"
    (or, from old FFmpeg, a full "Dialogue: Layer,Start,End,Style,..." line)."""
    ass = ass.strip()
    if ass.startswith("Dialogue:"):
        parts = ass[len("Dialogue:"):].split(",", 9)
        return parts[9] if len(parts) == 10 else ""
    parts = ass.split(",", 8)
    return parts[8] if len(parts) == 9 else ass


def embedded_subtitles(video_path: str | Path) -> list[TranscriptChunk]:
    """One chunk per event of each text subtitle stream in the container (source
    "subtitle:stream<index>[:<lang>]"). A stream that fails to decode is skipped, not fatal:
    subtitles are a bonus, the video is still indexed from its audio."""
    import av

    try:
        container = av.open(str(video_path))
    except (av.FFmpegError, OSError):
        return []
    with container:
        streams = [s for s in container.streams.subtitles
                   if s.codec_context is not None and s.codec_context.name in TEXT_SUB_CODECS]
        if not streams:
            return []
        # read what we need while the container is open: PyAV streams are invalid after close
        info = [(st.index, _iso1(st.metadata.get("language"))) for st in streams]
        events: dict[int, list[list]] = {s.index: [] for s in streams}  # [start, end, text]
        broken: set[int] = set()
        try:
            for packet in container.demux(*streams):  # one pass over the file for all streams
                st = packet.stream
                if packet.pts is None or packet.size == 0 or st.index in broken:
                    continue
                try:
                    text = " ".join(t for t in (_subtitle_text(x) for x in st.decode(packet)) if t)
                except (av.FFmpegError, ValueError):
                    broken.add(st.index)
                    continue
                if text:
                    tb = float(st.time_base)
                    start = packet.pts * tb
                    events[st.index].append([start, start + (packet.duration or 0) * tb, text])
        except av.FFmpegError:
            pass  # a damaged file: keep the events read so far
    out: list[TranscriptChunk] = []
    for index, lang in info:
        source = f"subtitle:stream{index}" + (f":{lang}" if lang else "")
        evs = sorted(events[index])
        for k, (start, end, text) in enumerate(evs):
            if end <= start:  # no duration in the container: show until the next event (<= 7 s)
                end = min(evs[k + 1][0], start + 7.0) if k + 1 < len(evs) else start + 3.0
            out.append(TranscriptChunk(start, end, text, source=source, language=lang))
    return out


def _subtitle_text(sub) -> str:
    """Plain text of one decoded subtitle rectangle ("" for bitmaps). PyAV >= 14 decodes text
    subtitles to ASS events; `dialogue` is the event's text field (still with {\\override} codes)."""
    items = list(sub) if hasattr(sub, "start_display_time") else [sub]  # old PyAV: a SubtitleSet
    texts = []
    for rect in items:
        raw = getattr(rect, "dialogue", None)
        if raw is None:
            ass = getattr(rect, "ass", None)
            if ass is None:
                continue  # bitmap
            raw = _ass_event_text(ass.decode("utf-8", "replace") if isinstance(ass, bytes) else str(ass))
        elif isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        texts.append(clean_text(raw))
    return " ".join(t for t in texts if t)
