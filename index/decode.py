"""Decoding with PyAV: sampled, downscaled RGB frames; 16 kHz mono audio; one frame at a time.

Everything here tolerates damaged input: a corrupted packet is skipped, a truncated file ends the
stream early, and neither raises. Only a file that cannot be opened at all raises `MediaError`.
Times are seconds from the start of the file as a player shows it (container start time = 0).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import av
import numpy as np

from vidsage.types import Frame, MediaError

T = TypeVar("T")

# Consecutive demux errors after which we give up on a file (each retry resumes after the error).
_MAX_DEMUX_ERRORS = 8
# Frame threading keeps about one full-resolution frame per thread in flight; cap threads so that
# stays under this many bytes even for 8K video.
_THREAD_MEMORY = 512 * 1024 * 1024
# Audio gaps (skipped corrupt packets, stream starting late) longer than this are filled with
# silence so that sample positions stay aligned with media time.
_AUDIO_GAP_S = 0.05


def _open(path: str | os.PathLike[str]) -> Any:
    """Open `path` for reading; anything PyAV cannot open becomes a one-line MediaError."""
    if os.path.exists(path) and not os.path.isfile(path):
        raise MediaError(str(path), "not a regular file")  # a FIFO or device would block av.open
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.FileNotFoundError:
        raise MediaError(str(path), "file not found") from None
    except (av.error.FFmpegError, OSError, UnicodeError, ValueError) as e:
        reason = (getattr(e, "strerror", None) or str(e)).split(":")[0]
        raise MediaError(str(path), f"cannot open ({reason})") from None


def _origin(container: Any) -> float:
    """The container's start time: subtracted so that the first frame/sample is near t = 0."""
    return (container.start_time or 0) / av.time_base


def _video_stream(container: Any) -> Any | None:
    """The first real video stream (album art in audio files is a 'video' stream too: skip it)."""
    cover = int(av.stream.Disposition.attached_pic)
    # a stream whose codec has no decoder (a damaged header names none) has no codec context: skip it
    return next((s for s in container.streams.video if not int(s.disposition) & cover and s.codec_context), None)


def _packets_decoded(container: Any, stream: Any) -> Iterator[Any]:
    """Decoded frames of `stream`, skipping packets the decoder rejects and stopping at a damaged
    or truncated end of file instead of raising."""
    errors = 0
    while errors < _MAX_DEMUX_ERRORS:
        packets = container.demux(stream)
        try:
            for packet in packets:
                errors = 0
                try:
                    frames = stream.decode(packet)
                except (av.error.FFmpegError, ValueError):
                    continue  # corrupt packet: the decoder resynchronises on a later one
                yield from frames
            return  # clean end of file (the demuxer also flushed the decoder)
        except (av.error.FFmpegError, OSError):
            errors += 1  # damaged container data: resume demuxing after it, a few times at most


def _scaled_size(width: int, height: int, sar: float, max_side: int) -> tuple[int, int]:
    """Output size: square pixels (apply the sample aspect ratio), longest side <= max_side."""
    disp_w = width * sar if 0.2 < sar < 5 else width
    scale = min(1.0, max_side / max(disp_w, height))
    return max(1, round(disp_w * scale)), max(1, round(height * scale))


def _rot_k(frame: Any) -> int:
    """np.rot90 turns for display: VideoFrame.rotation is counter-clockwise, as is np.rot90."""
    try:
        return round(frame.rotation / 90.0) % 4
    except (AttributeError, TypeError, ValueError):  # no display matrix or an odd angle
        return 0


def _to_rgb(frame: Any, size: tuple[int, int], k: int) -> np.ndarray:
    """One frame as an RGB uint8 (H, W, 3) array at `size`, turned upright.

    swscale does the downscale and the colour conversion in one pass on the decoder's planes, so
    no full-resolution RGB copy is ever made.
    """
    img = frame.reformat(width=size[0], height=size[1], format="rgb24", interpolation="AREA").to_ndarray()
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


def _configure_threads(stream: Any) -> None:
    """Let FFmpeg decode with frame and slice threads, bounded by memory for huge pictures."""
    cc = stream.codec_context
    frame_bytes = max(1, (cc.width or 1920) * (cc.height or 1080) * 3 // 2)
    cc.thread_count = max(1, min(os.cpu_count() or 1, 16, _THREAD_MEMORY // frame_bytes))
    stream.thread_type = "AUTO"


def sampled_frames(path: str | os.PathLike[str], fps: float,
                   convert: Callable[[Any, float], T | None]) -> Iterator[tuple[float, T]]:
    """`(media time, convert(frame, sample aspect ratio))` for frames of the first video stream,
    about `fps` per second (every frame when `fps` is 0). The one sampling loop behind `iter_frames`
    and the events pass: for each time k/fps the first frame at or after it; corrupt frames are
    skipped; a frame `convert` cannot convert (returns None) is skipped without using up its slot;
    a truncated file just ends early; a file with no video yields nothing."""
    container = _open(path)
    try:
        stream = _video_stream(container)
        if stream is None:
            return
        _configure_threads(stream)
        origin = _origin(container)
        rate = float(stream.average_rate or stream.guessed_rate or 25)
        sar = float(stream.sample_aspect_ratio or 1)
        step = 1.0 / fps if fps and fps > 0 else 0.0
        next_t = float("-inf")
        last_t: float | None = None
        for frame in _packets_decoded(container, stream):
            if frame.is_corrupt:
                continue  # grey/smeared blocks would read as a picture change
            if frame.time is not None:
                t = frame.time - origin
            else:  # no timestamp (some raw streams): assume constant frame rate
                t = (last_t + 1.0 / rate) if last_t is not None else 0.0
            last_t = t
            if t < next_t - 1e-3:  # 1 ms: timestamp rounding in coarse time bases
                continue
            out = convert(frame, sar)
            if out is None:
                continue
            yield max(0.0, t), out
            if step:
                # the next point of the k/fps grid after t: a grid, not t + step, so sampling
                # does not drift or bunch up when frame times are irregular
                next_t = (math.floor(t / step + 1e-6) + 1) * step
    finally:
        container.close()


def iter_frames(path: str | os.PathLike[str], fps: float, max_side: int) -> Iterator[Frame]:
    """Frames of the first video stream, about `fps` per second of media time (`sampled_frames`).
    Images are RGB uint8, upright, with the longest side at most `max_side`; the first frame fixes
    size and rotation (later size changes are scaled to it)."""
    fixed: list[tuple[tuple[int, int], int]] = []

    def rgb(frame: Any, sar: float) -> np.ndarray | None:
        if not fixed:
            fixed.append((_scaled_size(frame.width, frame.height, sar, max_side), _rot_k(frame)))
        try:
            return _to_rgb(frame, *fixed[0])
        except (av.error.FFmpegError, ValueError):
            return None

    for t, img in sampled_frames(path, fps, rgb):
        yield Frame(t=t, image=img)


def decode_audio(path: str | os.PathLike[str], sr: int = 16000) -> np.ndarray:
    """The first audio stream as float32 mono at `sr` Hz, sample 0 at media time 0.

    Gaps (skipped corrupt packets, a stream that starts late) are filled with silence so sample
    positions stay aligned with media time; a truncated file gives a shorter array. A file with
    no audio gives an empty array.
    """
    container = _open(path)
    try:
        stream = next((s for s in container.streams.audio if s.codec_context), None)
        if stream is None:
            return np.zeros(0, dtype=np.float32)
        stream.thread_type = "AUTO"
        origin = _origin(container)
        # one buffer sized from the header (grown if it lies): no list of chunks to concatenate,
        # so a 2-hour file peaks at ~0.5 GB instead of twice that
        est = (container.duration or 0) / av.time_base
        buf = np.zeros(int((est + 1.0) * sr), dtype=np.float32)
        n = 0

        def put(arr: np.ndarray) -> None:
            nonlocal buf, n
            if n + arr.size > buf.size:
                buf = np.concatenate([buf[:n], np.zeros(max(arr.size, buf.size // 2, sr), np.float32)])
            buf[n:n + arr.size] = arr
            n += arr.size

        def emit(frames: list[Any]) -> None:
            for out in frames:
                put(out.to_ndarray().reshape(-1))

        resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
        for frame in _packets_decoded(container, stream):
            if frame.time is not None:
                expected = round((frame.time - origin) * sr)
                if expected - n > _AUDIO_GAP_S * sr:
                    put(np.zeros(expected - n, dtype=np.float32))
            frame.pts = None  # we align by hand; the resampler must not reject odd timestamps
            try:
                emit(resampler.resample(frame))
            except ValueError:
                # the input format changed mid-stream (channel layout, rate): start a new resampler
                with contextlib.suppress(av.error.FFmpegError, ValueError):
                    emit(resampler.resample(None))
                resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
                with contextlib.suppress(av.error.FFmpegError, ValueError):
                    emit(resampler.resample(frame))
            except av.error.FFmpegError:
                continue
        with contextlib.suppress(av.error.FFmpegError, ValueError):
            emit(resampler.resample(None))  # flush the resampler's buffered tail
        # a header that promised more than was decoded (truncation): don't keep the spare buffer
        return buf[:n] if n >= 0.9 * buf.size else buf[:n].copy()
    finally:
        container.close()


def frame_at(path: str | os.PathLike[str], t: float, max_side: int) -> np.ndarray | None:
    """The decoded frame nearest media time `t`, RGB upright, longest side <= max_side.

    Seeks to the keyframe before `t` and decodes forward. None when the file has no video or no
    frame lies within a second of `t` (past the end, or an undecodable stretch).
    """
    try:
        container = _open(path)
    except MediaError:
        return None
    try:
        stream = _video_stream(container)
        if stream is None:
            return None
        _configure_threads(stream)
        origin = _origin(container)
        try:
            # frame.time = pts * time_base and t = frame.time - origin, so pts = (t + origin) / tb
            target = int((max(0.0, t) + origin) / stream.time_base)
            container.seek(target, stream=stream, backward=True, any_frame=False)
        except (av.error.FFmpegError, OSError, OverflowError, ZeroDivisionError, TypeError):
            pass  # unseekable: decode from where we are (the start)
        best: tuple[float, Any] | None = None
        for frame in _packets_decoded(container, stream):
            if frame.time is None or frame.is_corrupt:
                continue
            ft = frame.time - origin
            if best is None or abs(ft - t) < abs(best[0] - t):
                best = (ft, frame)
            if ft >= t:
                break  # frames only get further from t from here on
        if best is None or abs(best[0] - t) > 1.0:
            return None
        frame = best[1]
        sar = float(stream.sample_aspect_ratio or 1)
        return _to_rgb(frame, _scaled_size(frame.width, frame.height, sar, max_side), _rot_k(frame))
    finally:
        container.close()
