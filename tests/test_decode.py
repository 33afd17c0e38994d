"""probe, decode and keyframe selection on the real sample media (ground truth: MANIFEST.md)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import av
import numpy as np
import pytest

from vidsage.index.decode import decode_audio, frame_at, iter_frames
from vidsage.index.keyframes import select_keyframes
from vidsage.index.probe import probe
from vidsage.types import Frame, MediaError

UNICODE_NAME = "vidéo sans son – 七人の話者 (video only).mp4"


# -- probe ---------------------------------------------------------------------------------------

def test_probe_video_and_audio(media):
    info = probe(media / "friday_his_girl_friday.mp4")
    assert info.duration == pytest.approx(6.17, abs=0.05)
    v, a = info.video, info.audio
    assert v and (v.codec, v.width, v.height, v.rotation) == ("h264", 640, 480, 0)
    assert v.fps == pytest.approx(30, abs=0.1)
    assert a and a.codec == "aac" and a.sample_rate == 44100 and a.channels == 2
    assert info.size_bytes == (media / "friday_his_girl_friday.mp4").stat().st_size


def test_probe_video_only_unicode_name(media):
    info = probe(media / UNICODE_NAME)
    assert info.audio is None and info.video and info.video.width == 360 and info.video.height == 288
    assert info.duration == pytest.approx(21.0, abs=0.1)
    assert info.path.endswith(UNICODE_NAME)


def test_probe_audio_only(media):
    info = probe(media / "grid_seven_speakers_audio_only.m4a")
    assert info.video is None and info.audio and info.audio.sample_rate == 44100
    assert info.duration == pytest.approx(20.98, abs=0.1)
    jfk = probe(media / "jfk.flac")
    assert jfk.video is None and jfk.audio.codec == "flac" and jfk.duration == pytest.approx(11.0, abs=0.05)


def test_probe_mpeg_ps_and_webm(media):
    mpg = probe(media / "grid_swwp2s.mpg")
    assert mpg.video.codec == "mpeg1video" and mpg.video.fps == pytest.approx(25) and mpg.audio.codec == "mp2"
    assert mpg.duration == pytest.approx(3.0, abs=0.1)
    webm = probe(media / "big_buck_bunny_0_30.webm")
    assert (webm.video.codec, webm.video.width, webm.video.height) == ("vp8", 1280, 720)
    assert webm.audio.codec == "vorbis" and webm.duration == pytest.approx(30.0, abs=0.1)
    assert probe(media / "apollo11.mp3").audio.codec == "mp3"


def test_probe_truncated_trusts_the_header(media):
    # the moov atom is intact, so the header still says 30 s; decoding finds out the rest
    assert probe(media / "car-detection_truncated40.mp4").duration == pytest.approx(30.16, abs=0.1)


def _bad_files(tmp_path: Path, media: Path) -> dict[str, Path]:
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "notes.mp4").write_text("these are my notes, not a video\n" * 50)
    (tmp_path / "notes.txt").write_text((media / "MANIFEST.md").read_text())  # ffmpeg's 'tty' demuxer
    (tmp_path / "subs.vtt").write_text((media / "friday_his_girl_friday.vtt").read_text())
    (tmp_path / "folder.mp4").mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.mp4")  # opening a FIFO for reading would block forever
    return {
        "fifo": tmp_path / "pipe.mp4",
        "empty": tmp_path / "empty.mp4",
        "text": tmp_path / "notes.mp4",
        "txt": tmp_path / "notes.txt",
        "subtitles only": tmp_path / "subs.vtt",
        "folder": tmp_path / "folder.mp4",
        "missing": tmp_path / "no such file.mp4",
    }


@pytest.mark.parametrize("kind, words", [
    ("empty", "empty"), ("text", "not a media file"), ("txt", "not a media file"),
    ("subtitles only", "no audio or video"), ("folder", "folder"), ("missing", "not found"),
    ("fifo", "not a regular file"),
])
def test_probe_rejects_with_one_line_reason(tmp_path, media, kind, words):
    path = _bad_files(tmp_path, media)[kind]
    if kind == "fifo" and not path.exists():
        pytest.skip("no FIFOs on this OS")
    with pytest.raises(MediaError) as err:
        probe(path)
    assert words in err.value.reason
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_decoders_reject_non_media(tmp_path, media):
    path = _bad_files(tmp_path, media)["text"]
    with pytest.raises(MediaError):
        list(iter_frames(path, fps=4, max_side=320))
    with pytest.raises(MediaError):
        decode_audio(path)
    assert frame_at(path, 0.0, 320) is None


def test_cover_art_is_not_video(media, tmp_path):
    """Audio files often carry album art as a one-picture 'video' stream: it must not count."""
    path = tmp_path / "with cover.m4a"
    with av.open(str(media / "grid_seven_speakers_audio_only.m4a")) as src, \
            av.open(str(path), "w", format="mp4") as out:
        ins = src.streams.audio[0]
        audio = out.add_stream_from_template(ins)
        cover = out.add_stream("mjpeg", rate=1)
        cover.width, cover.height, cover.pix_fmt = 64, 64, "yuvj420p"
        cover.disposition = av.stream.Disposition.attached_pic
        picture = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 200, np.uint8), format="rgb24")
        for pkt in cover.encode(picture.reformat(format="yuvj420p")) + cover.encode(None):
            out.mux(pkt)
        for pkt in src.demux(ins):
            if pkt.dts is not None:
                pkt.stream = audio
                out.mux(pkt)
    with av.open(str(path)) as check:  # the file really has the picture stream
        assert [s.type for s in check.streams] == ["audio", "video"]
    info = probe(path)
    assert info.video is None and info.audio and [s.kind for s in info.streams] == ["audio"]
    assert list(iter_frames(path, fps=4, max_side=320)) == []
    assert decode_audio(path).size / 16000 == pytest.approx(20.98, abs=0.05)


def _rotated_copy(media: Path, tmp_path: Path) -> Path:
    """friday's video stream remuxed (not re-encoded) with a display matrix: 'turn 90° clockwise',
    as phones write portrait video."""
    out_path = tmp_path / "rotated.mp4"
    with av.open(str(media / "friday_his_girl_friday.mp4")) as src, av.open(str(out_path), "w") as out:
        ins = src.streams.video[0]
        ost = out.add_stream_from_template(ins)
        ost.set_display_rotation(-90)  # PyAV's angle is counter-clockwise
        for pkt in src.demux(ins):
            if pkt.dts is not None:
                pkt.stream = ost
                out.mux(pkt)
    return out_path


def test_rotation_is_probed_and_applied(media, tmp_path):
    path = _rotated_copy(media, tmp_path)
    info = probe(path)
    assert info.video.rotation == 90 and (info.video.width, info.video.height) == (640, 480)
    frames = list(iter_frames(path, fps=2, max_side=320))
    upright = next(iter_frames(media / "friday_his_girl_friday.mp4", fps=2, max_side=320)).image
    assert frames and frames[0].image.shape == (320, 240, 3)  # portrait, as a player shows it
    # the same picture, turned clockwise (np.rot90 with k=-1)
    assert np.abs(frames[0].image.astype(int) - np.rot90(upright, -1)).mean() < 2
    assert frame_at(path, 1.0, 160).shape == (160, 120, 3)


# -- frames --------------------------------------------------------------------------------------

def test_frames_respect_max_side_and_fps(media):
    frames = list(iter_frames(media / "big_buck_bunny_0_30.webm", fps=4, max_side=320))
    assert {f.image.shape for f in frames} == {(180, 320, 3)} and frames[0].image.dtype == np.uint8
    assert 115 <= len(frames) <= 122  # 30 s at 4 fps
    steps = np.diff([f.t for f in frames])
    assert steps.min() > 0.2 and steps.max() < 0.3
    small = list(iter_frames(media / "grid_seven_speakers.mp4", fps=1, max_side=100))
    assert 20 <= len(small) <= 22 and max(small[0].image.shape[:2]) == 100
    # sampling faster than the video's own rate yields every frame once
    every = list(iter_frames(media / "grid_swwp2s.mpg", fps=1000, max_side=64))
    assert 70 <= len(every) <= 76 and len({f.t for f in every}) == len(every)


def test_frames_are_rgb(media):
    # grid: blue/teal backdrop, so blue dominates red in the top corners of the first frame
    img = next(iter_frames(media / "grid_seven_speakers.mp4", fps=4, max_side=320)).image
    corner = img[:40, :40].reshape(-1, 3).mean(axis=0)
    assert corner[2] > corner[0] + 20


def test_truncated_file_ends_cleanly(media):
    frames = list(iter_frames(media / "car-detection_truncated40.mp4", fps=4, max_side=320))
    assert 11.2 <= frames[-1].t <= 11.8  # 147 of 377 frames (~0–11.7 s) are there
    assert len(frames) >= 44
    every = list(iter_frames(media / "car-detection_truncated40.mp4", fps=1000, max_side=64))
    assert 140 <= len(every) <= 147


def test_corrupted_file_yields_most_frames(media):
    clean = list(iter_frames(media / "friday_his_girl_friday.mp4", fps=1000, max_side=64))
    damaged = list(iter_frames(media / "friday_corrupted_middle.mp4", fps=1000, max_side=64))
    assert len(clean) == 185 and len(damaged) >= 0.8 * len(clean)
    assert damaged[-1].t > 6.0  # decoding carried on past the damage


def test_no_video_yields_nothing(media):
    assert list(iter_frames(media / "jfk.flac", fps=4, max_side=320)) == []


def test_frame_at_matches_the_scan(media):
    path = media / "big_buck_bunny_0_30.webm"
    scanned = {round(f.t, 2): f.image for f in iter_frames(path, fps=1, max_side=320)}
    for t in (5.0, 13.0, 24.0):
        t_scan = min(scanned, key=lambda s: abs(s - t))
        img = frame_at(path, t_scan, 320)
        assert img is not None and img.shape == (180, 320, 3)
        assert np.abs(img.astype(int) - scanned[t_scan]).mean() < 1.0
    assert frame_at(path, 100.0, 320) is None
    assert frame_at(media / "jfk.flac", 1.0, 320) is None


# -- audio ---------------------------------------------------------------------------------------

def test_decode_audio_16k_mono(media):
    audio = decode_audio(media / "jfk.flac")
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.size - 11.0 * 16000) < 160  # within 10 ms
    assert 0.1 < np.abs(audio).max() <= 2.0
    # speech 0.3–2.0 s, a pause ~2.3–3.0 s (MANIFEST's energy envelope)
    def rms(a: float, b: float) -> float:
        return float(np.sqrt(np.mean(audio[int(a * 16000):int(b * 16000)] ** 2)))

    assert rms(0.5, 1.8) > 5 * rms(2.4, 2.9)


def test_decode_audio_empty_without_audio(media):
    audio = decode_audio(media / UNICODE_NAME)
    assert audio.size == 0 and audio.dtype == np.float32


def test_decode_audio_damaged_and_other_containers(media):
    assert decode_audio(media / "car-detection_truncated40.mp4").size / 16000 == pytest.approx(11.2, abs=0.6)
    assert decode_audio(media / "friday_corrupted_middle.mp4").size / 16000 == pytest.approx(6.15, abs=0.1)
    assert decode_audio(media / "grid_swwp2s.mpg").size / 16000 == pytest.approx(3.0, abs=0.1)
    # the audio-only copy decodes to the same samples as the original's audio track
    a = decode_audio(media / "grid_seven_speakers_audio_only.m4a")
    b = decode_audio(media / "grid_seven_speakers.mp4")
    assert a.size == b.size and np.allclose(a, b)


def test_decode_audio_fills_lost_packets_with_silence(media, tmp_path):
    """Packets lost in the middle (damage) must not pull later speech earlier in time."""
    src_path, gap_path = media / "grid_seven_speakers_audio_only.m4a", tmp_path / "gap.mka"
    with av.open(str(src_path)) as src, av.open(str(gap_path), "w") as out:
        ins = src.streams.audio[0]
        ost = out.add_stream_from_template(ins)
        for pkt in src.demux(ins):
            if pkt.dts is None or 5.0 <= float(pkt.pts * pkt.time_base) < 6.0:
                continue  # drop one second of packets
            pkt.stream = ost
            out.mux(pkt)
    full, gap = decode_audio(src_path), decode_audio(gap_path)
    sr = 16000
    assert abs(gap.size - full.size) < 0.05 * sr
    assert np.abs(gap[int(5.1 * sr):int(5.9 * sr)]).max() == 0.0
    # speech after the gap sits where it was: best lag of a 0.5 s window within ±50 ms
    ref = full[10 * sr:int(10.5 * sr)]
    win = gap[10 * sr - 1600:int(10.5 * sr) + 1600]
    lag = int(np.argmax(np.correlate(win, ref, mode="valid"))) - 1600
    assert abs(lag) <= 0.05 * sr, lag


# -- keyframes and shots -------------------------------------------------------------------------

def _select(media: Path, name: str, settings, **kw):
    path = media / name
    frames = iter_frames(path, fps=settings.scan_fps, max_side=settings.decode_max_side)
    args = {"min_gap": settings.keyframe_min_gap, "max_gap": settings.keyframe_max_gap,
            "threshold": settings.shot_threshold, "duration": probe(path).duration}
    args.update(kw)
    return select_keyframes(frames, **args)


def _check_invariants(keyframes, shots, max_gap):
    assert shots and keyframes and shots[0].start == 0.0
    for a, b in itertools.pairwise(shots):
        assert a.end == b.start and a.start < a.end
    times = [k.t for k in keyframes]
    assert times == sorted(times)
    assert sum(len(s.keyframes) for s in shots) == len(keyframes)
    for s in shots:
        assert s.keyframes and all(s.start <= t < s.end for t in s.keyframes)
    for k in keyframes:
        assert shots[k.shot].start <= k.t < shots[k.shot].end and k.image.ndim == 3
    gaps = np.diff(times)
    assert gaps.size == 0 or gaps.max() <= max_gap + 1e-6


def _cut_times(shots):
    return [s.start for s in shots[1:]]


def test_cuts_big_buck_bunny(media, settings):
    keyframes, shots = _select(media, "big_buck_bunny_0_30.webm", settings)
    _check_invariants(keyframes, shots, settings.keyframe_max_gap)
    cuts = _cut_times(shots)
    for truth in (11.80, 15.67, 22.96):
        assert any(abs(c - truth) <= 0.5 for c in cuts), (truth, cuts)
    assert len(cuts) <= 5, cuts  # the fade-in, the bird flying off and the titles are not cuts
    assert shots[-1].end == pytest.approx(30.0, abs=0.1)
    # the video opens on black: the first keyframe is the first frame with something in it
    assert keyframes[0].image.mean() > 20


def test_cuts_grid_every_three_seconds(media, settings):
    keyframes, shots = _select(media, "grid_seven_speakers.mp4", settings)
    _check_invariants(keyframes, shots, settings.keyframe_max_gap)
    cuts = _cut_times(shots)
    for truth in (3, 6, 9, 12, 15, 18):
        assert any(abs(c - truth) <= 0.5 for c in cuts), (truth, cuts)
    assert len(cuts) <= 8, cuts
    # a speaker talking barely changes the picture: about one keyframe per speaker
    assert len(keyframes) <= 14


def test_static_camera_keyframes_follow_the_cars(media, settings):
    keyframes, shots = _select(media, "car-detection.mp4", settings)
    _check_invariants(keyframes, shots, settings.keyframe_max_gap)
    assert len(shots) <= 2  # fixed camera: cars passing are not cuts
    times = [k.t for k in keyframes]
    # MANIFEST: cars at ~4.5–8.8 s, ~14.8–19.0 s, ~25.3–29.0 s; the road is empty between
    for start, end in ((4.5, 8.8), (14.8, 19.0), (25.3, 29.0)):
        assert sum(start <= t <= end + 0.5 for t in times) >= 2, (start, end, times)
    assert sum(10.0 <= t <= 14.5 for t in times) <= 1, times
    assert len(keyframes) <= 0.6 * 30 * 2  # well under two keyframes a second


def test_static_camera_people_walking_is_one_shot(media, settings):
    keyframes, shots = _select(media, "one-by-one-person-detection.mp4", settings)
    _check_invariants(keyframes, shots, settings.keyframe_max_gap)
    assert len(shots) <= 2
    assert len(keyframes) <= 139.4 / 60 * 30  # at most 30 a minute


def test_single_shot_film_and_damaged_files(media, settings):
    for name in ("friday_his_girl_friday.mp4", "friday_corrupted_middle.mp4"):
        keyframes, shots = _select(media, name, settings)
        _check_invariants(keyframes, shots, settings.keyframe_max_gap)
        assert len(shots) == 1, (name, _cut_times(shots))
    keyframes, shots = _select(media, "car-detection_truncated40.mp4", settings)
    _check_invariants(keyframes, shots, settings.keyframe_max_gap)
    # the header says 30 s but frames stop at ~11.7 s: the last shot ends where the frames do
    assert 11.5 <= shots[-1].end <= 12.5


def test_max_gap_forces_keyframes(media, settings):
    keyframes, shots = _select(media, "one-by-one-person-detection.mp4", settings, max_gap=3.0)
    _check_invariants(keyframes, shots, 3.0)
    assert keyframes[-1].t >= 139.4 - 3.0 - 0.5


def _real_frames(media: Path, name: str, until: float) -> list[np.ndarray]:
    return [f.image for f in iter_frames(media / name, fps=4, max_side=320) if f.t < until]


def _as_stream(images: list[np.ndarray]) -> list[Frame]:
    return [Frame(t=i * 0.25, image=img) for i, img in enumerate(images)]


def test_flash_is_not_a_cut_and_dip_to_black_is(media, settings):
    road = _real_frames(media, "car-detection.mp4", 4.0)  # 16 frames of empty road, 320x180
    stream = [f.image for f in iter_frames(media / "big_buck_bunny_0_30.webm", fps=4, max_side=320)
              if 13.0 <= f.t < 15.0]  # the brook shot, also 320x180
    white = np.full_like(road[0], 255)
    black = np.zeros_like(road[0])
    kw = {"min_gap": settings.keyframe_min_gap, "max_gap": settings.keyframe_max_gap,
          "threshold": settings.shot_threshold}

    _, shots = select_keyframes(_as_stream(road[:8] + [white] + road[8:]), **kw)
    assert len(shots) == 1  # a camera flash: the picture comes back

    fade_out = [(road[-1] * a).astype(np.uint8) for a in (0.75, 0.5, 0.25)]
    fade_in = [(stream[0] * a).astype(np.uint8) for a in (0.25, 0.5, 0.75)]
    _, shots = select_keyframes(_as_stream(road + fade_out + [black] * 4 + fade_in + stream), **kw)
    assert len(shots) == 2 and 4.75 <= shots[1].start <= 6.0  # cut inside the dip (4.75–5.75 s)

    back_in = [(road[0] * a).astype(np.uint8) for a in (0.25, 0.5, 0.75)]
    _, shots = select_keyframes(_as_stream(road + fade_out + [black] * 4 + back_in + road), **kw)
    assert len(shots) == 1  # faded out and back into the same picture


def test_no_frames_no_shots():
    assert select_keyframes(iter([]), min_gap=1, max_gap=8, threshold=0.1) == ([], [])
