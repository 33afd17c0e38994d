"""What a media file holds: duration and streams, read with PyAV (no external ffprobe).

`probe` is the gate in front of indexing: anything it accepts has a known, positive duration and
at least one audio or video stream; anything else raises `MediaError` with a one-line reason.
"""

from __future__ import annotations

import os
import stat
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from vidsage.types import MediaError, MediaInfo, StreamInfo

# Demuxers that "succeed" on files that are not audio/video: ffmpeg reads any .txt/.ans file as
# ANSI art (format "tty"), and still images as one-frame pipes. Neither is something to index.
_TEXT_FORMATS = {"tty"}
_IMAGE_FORMATS = {"image2", "image2pipe"}
# Decoder names that differ from the codec's common name.
_DECODER_ALIASES = {"mp3float": "mp3", "mp2float": "mp2", "libdav1d": "av1", "libopus": "opus"}
# How many packets probe reads to find the first frame (for rotation); bounded so probe stays fast.
_PROBE_PACKETS = 256


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Read the container header of `path` and describe it.

    Raises `MediaError` for a missing, empty, unreadable or non-media file, a file with neither
    audio nor video, or one whose duration is unknown or zero. `StreamInfo.rotation` is the
    clockwise angle (0/90/180/270) a player turns the picture by (the classic `rotate` tag);
    `width`/`height` are the stored (coded) size, before rotation.
    """
    p = Path(path)
    _check_file(p)
    size = p.stat().st_size
    try:
        container = av.open(str(p), metadata_errors="ignore")
    except av.error.FileNotFoundError:
        raise MediaError(str(p), "file not found") from None
    except av.error.PermissionError:
        raise MediaError(str(p), "permission denied") from None
    except (av.error.FFmpegError, OSError, UnicodeError, ValueError) as e:
        raise MediaError(str(p), f"not a media file ({_short(e)})") from None
    try:
        fmt = container.format.name.split(",")[0]
        if fmt in _TEXT_FORMATS:
            raise MediaError(str(p), "not a media file (text)")
        if fmt in _IMAGE_FORMATS or fmt.endswith("_pipe"):
            raise MediaError(str(p), "a still image, not a video")
        streams = [info for s in container.streams if (info := _stream_info(s)) is not None]
        if not any(s.kind in ("audio", "video") for s in streams):
            raise MediaError(str(p), "no audio or video stream")
        duration = _duration(container)
        if duration is None:  # a header guessed from the file name, and not one packet behind it
            raise MediaError(str(p), f"not a media file (no {fmt} data in it)")
        if duration <= 0:
            raise MediaError(str(p), "duration unknown or zero")
        video = next((s for s in container.streams.video if not _is_cover_art(s) and s.codec_context), None)
        if video is not None:
            info = next(i for i in streams if i.index == video.index)
            if not info.rotation:
                info.rotation = _first_frame_rotation(container, video)
        return MediaInfo(path=str(p), duration=duration, streams=streams, size_bytes=size)
    finally:
        container.close()


def _check_file(p: Path) -> None:
    """Reject what av.open would fail on slowly or hang on (FIFOs, devices) before opening it."""
    try:
        st = p.stat()
    except FileNotFoundError:
        raise MediaError(str(p), "file not found") from None
    except PermissionError:
        raise MediaError(str(p), "permission denied") from None
    except OSError as e:
        raise MediaError(str(p), f"cannot read ({_short(e)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise MediaError(str(p), "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(str(p), "not a regular file")
    if st.st_size == 0:
        raise MediaError(str(p), "empty file (0 bytes)")
    if not os.access(p, os.R_OK):
        raise MediaError(str(p), "permission denied")


def _short(e: BaseException) -> str:
    """An exception as a short phrase: PyAV's messages repeat the file name; drop it."""
    msg = getattr(e, "strerror", None) or str(e) or type(e).__name__
    return msg.split(":")[0].strip()


def _is_cover_art(s: av.stream.Stream) -> bool:
    """Album art in .m4a/.mp3 shows up as a one-frame video stream; it is not video."""
    return bool(int(s.disposition) & int(av.stream.Disposition.attached_pic))


def _codec_name(s: av.stream.Stream) -> str:
    try:
        cc = s.codec_context
        if cc is not None and cc.name:
            return _DECODER_ALIASES.get(cc.name, cc.name)
    except (AttributeError, TypeError, ValueError, av.error.FFmpegError):
        pass  # some data/attachment streams have no usable codec context
    return "unknown"


def _language(s: av.stream.Stream) -> str | None:
    lang = (s.metadata or {}).get("language")
    return None if not lang or lang.lower() in ("und", "unk", "") else lang


def _rate(s: av.stream.Stream) -> float | None:
    for r in (s.average_rate, s.guessed_rate, s.base_rate):
        if r and 0 < float(r) < 1000:  # 90000 etc. are time bases, not frame rates
            return round(float(r), 3)
    return None


def _stream_info(s: av.stream.Stream) -> StreamInfo | None:
    """One stream as a StreamInfo; None for streams we never index (data, attachments, cover art)."""
    cc: Any = s.codec_context  # typed per stream kind only at run time
    if cc is None:  # no decoder for its codec (a damaged header names none): nothing we could read
        return None
    if s.type == "video" and not _is_cover_art(s):
        rot = 0
        tag = (s.metadata or {}).get("rotate")  # older muxers/ffmpeg builds expose it as a tag
        if tag and tag.lstrip("-").isdigit():
            rot = int(tag) % 360
        return StreamInfo(index=s.index, kind="video", codec=_codec_name(s), width=cc.width or None,
                          height=cc.height or None, fps=_rate(s), language=_language(s), rotation=rot)
    if s.type == "audio":
        return StreamInfo(index=s.index, kind="audio", codec=_codec_name(s),
                          sample_rate=cc.sample_rate or None, channels=cc.channels or None,
                          language=_language(s))
    if s.type == "subtitle":
        return StreamInfo(index=s.index, kind="subtitle", codec=_codec_name(s), language=_language(s))
    return None


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def _duration(container: av.container.InputContainer) -> float | None:
    """Container duration, else the longest stream, else the last packet's end time.

    The last fallback demuxes (no decoding) the whole file: unfinished recordings (an OBS .mkv
    after a crash) have no duration in their header but are perfectly good video.
    """
    if container.duration and container.duration > 0:
        return container.duration / av.time_base
    spans = [d for s in container.streams if s.type in ("audio", "video")
             if (d := _seconds(s.duration, s.time_base)) and d > 0]
    if spans:
        return max(spans)
    start: float | None = None
    end = 0.0
    try:
        for pkt in container.demux():
            if pkt.pts is None or pkt.time_base is None:
                continue
            t = float(pkt.pts * pkt.time_base)
            start = t if start is None else min(start, t)
            end = max(end, t + float((pkt.duration or 0) * pkt.time_base))
    except (av.error.FFmpegError, OSError):
        pass  # a damaged tail: what was read so far is the duration
    if start is None:
        return None
    return end - start


def _first_frame_rotation(container: av.container.InputContainer, stream: av.video.VideoStream) -> int:
    """Clockwise display rotation from the first frame's display matrix (0 if none or undecodable).

    FFmpeg 7 keeps the rotation as stream side data that PyAV exposes only on decoded frames, so
    decode one frame. `VideoFrame.rotation` is counter-clockwise; negate it.
    """
    try:
        container.seek(0)
    except (av.error.FFmpegError, OSError):
        pass
    try:
        for i, pkt in enumerate(container.demux(stream)):
            if i >= _PROBE_PACKETS:
                break
            try:
                frames = stream.decode(pkt)
            except av.error.FFmpegError:
                continue
            for frame in frames:
                return (-round(frame.rotation / 90.0) * 90) % 360
    except (av.error.FFmpegError, OSError):
        pass
    return 0
