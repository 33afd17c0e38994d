"""Frame description (tags, OCR, faces, colours) and CLIP plumbing, on real frames and photos.

Frames are decoded here with PyAV directly so these tests do not depend on vidsage's decoder.
Each model is loaded once per session (the describer fixture).
"""

from __future__ import annotations

import copy
import json
from difflib import SequenceMatcher
from pathlib import Path

import av
import numpy as np
import pytest

from vidsage.config import Settings
from vidsage.index.clip import ClipEmbedder
from vidsage.index.vision import FrameDescriber, colour_names, fit_side


def frame_at(path: Path, t: float) -> np.ndarray:
    """The first decoded frame at or after `t` seconds, RGB uint8."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        c.seek(int(t / stream.time_base), stream=stream, backward=True)
        last = None
        for frame in c.decode(stream):
            last = frame
            if frame.time is not None and frame.time >= t - 1e-3:
                break
        assert last is not None, f"no frame in {path}"
        return last.to_ndarray(format="rgb24")


@pytest.fixture(scope="session")
def describer() -> FrameDescriber:
    return FrameDescriber(Settings(threads=2, describe_max_side=640))


@pytest.fixture(scope="session")
def frames(media: Path) -> dict[str, np.ndarray]:
    """Real frames, shrunk as `describe` does; names say what the MANIFEST says is in them."""
    picks = {
        "bunny_title": ("big_buck_bunny_0_30.webm", 27.0),  # "Big Buck Bunny" title
        "bunny_presents": ("big_buck_bunny_0_30.webm", 21.5),  # "THE PEACH OPEN MOVIE PROJECT PRESENTS"
        "bunny_hills": ("big_buck_bunny_0_30.webm", 5.0),  # clouds, trees, hills; no text
        "road_empty": ("car-detection.mp4", 2.0),  # empty asphalt
        "road_cars": ("car-detection.mp4", 16.5),  # silver car and red sedan
        "speaker": ("grid_seven_speakers.mp4", 1.5),  # one face
        "speaker_woman": ("grid_seven_speakers.mp4", 7.5),  # one face
    }
    return {k: fit_side(frame_at(media / f, t), 640) for k, (f, t) in picks.items()}


def fuzzy_in(needle: str, lines: list[str]) -> float:
    """Best similarity of `needle` to the OCR lines joined (case-insensitive)."""
    hay = " ".join(lines).lower()
    return SequenceMatcher(None, needle.lower(), hay).ratio()


# --- tags ---------------------------------------------------------------------------------------

def test_tagger_names_a_cat_and_an_espresso(describer: FrameDescriber) -> None:
    skdata = pytest.importorskip("skimage.data")
    cat, coffee = describer.tags([skdata.chelsea(), skdata.coffee()])
    assert cat and any("cat" in label or label == "tabby" for label, _ in cat), cat
    assert coffee and coffee[0][0] in ("espresso", "cup", "coffee mug"), coffee
    for tags in (cat, coffee):
        probs = [p for _, p in tags]
        assert probs == sorted(probs, reverse=True) and all(0.1 <= p <= 1 for p in probs)

def test_frame_text_says_what_kind_of_thing_each_tag_is(describer: FrameDescriber) -> None:
    """A user asks for "a cat"; the tagger says "tabby" or "Egyptian cat". The frame's text carries
    the kind, so search finds it; stored labels stay as the tagger gave them."""
    from vidsage.labels import display
    from vidsage.types import FrameText

    skdata = pytest.importorskip("skimage.data")
    (cat,) = describer.tags([skdata.chelsea()])
    text = FrameText(t=0.0, tags=cat).text()
    assert "cat" in text and "(animal)" in text and all(label in text for label, _ in cat), text
    assert display("king penguin") == "king penguin (bird, animal)"
    assert display("jersey") == "jersey (T-shirt)" and display("cab") == "cab (taxi, car, vehicle)"
    assert display("Persian cat") == "Persian cat (animal)" and display("television") == "television"


def test_tagger_on_video_frames_gives_few_confident_labels(describer: FrameDescriber, frames) -> None:
    out = describer.tags([frames["road_empty"], frames["bunny_hills"]])
    assert len(out) == 2 and all(len(tags) <= 5 for tags in out)


# --- OCR ----------------------------------------------------------------------------------------

def test_ocr_reads_the_title(describer: FrameDescriber, frames) -> None:
    assert describer.text_likely(frames["bunny_title"])
    lines = describer.read_text(frames["bunny_title"])
    joined = " ".join(lines).lower()
    assert "big" in joined and "bunny" in joined, lines
    assert fuzzy_in("big buck bunny", lines) > 0.8, lines


def test_ocr_reads_the_presents_card(describer: FrameDescriber, frames) -> None:
    lines = describer.read_text(frames["bunny_presents"])
    assert fuzzy_in("the peach open movie project presents", lines) > 0.85, lines


@pytest.mark.parametrize("name", ["road_empty", "bunny_hills", "speaker"])
def test_ocr_gate_skips_frames_without_text(describer: FrameDescriber, frames, name: str) -> None:
    assert not describer.text_likely(frames[name])


def test_describe_runs_full_ocr_only_where_the_gate_passes(describer: FrameDescriber, frames) -> None:
    gate0, ocr0, n0 = describer.ocr_gate_calls, describer.ocr_calls, describer.frames
    out = describer.describe([frames["road_empty"], frames["bunny_title"], frames["bunny_hills"]], [2.0, 27.0, 5.0])
    assert (describer.ocr_gate_calls - gate0, describer.ocr_calls - ocr0, describer.frames - n0) == (3, 1, 3)
    assert [ft.t for ft in out] == [2.0, 27.0, 5.0]
    assert out[0].ocr == [] and out[2].ocr == [] and "bunny" in " ".join(out[1].ocr).lower()
    assert "on-screen text" in out[1].text()


def test_ocr_and_faces_can_be_switched_off(describer: FrameDescriber, frames) -> None:
    off = copy.copy(describer)  # shares the loaded models: each loads once per session
    off.settings = describer.settings.model_copy(update={"ocr": False, "faces": False})
    gate0 = off.ocr_gate_calls
    (ft,) = off.describe([frames["bunny_title"]], [27.0])
    assert ft.ocr == [] and ft.faces == 0 and off.ocr_gate_calls == gate0
    assert set(off.model_names()) == {"tagger", "objects", "colours"}  # the window scan is the tagger's


def test_a_describer_loads_nothing_until_used() -> None:
    d = FrameDescriber(Settings(threads=2))
    assert d._tagger is None and d._ocr is None and d._mtcnn is None
    assert d.describe([], []) == []
    with pytest.raises(ValueError):
        d.describe([np.zeros((8, 8, 3), np.uint8)], [])


# --- faces --------------------------------------------------------------------------------------

def test_faces_counts_one_speaker_and_no_face_on_a_road(describer: FrameDescriber, frames) -> None:
    found = describer.faces([frames["speaker"], frames["speaker_woman"], frames["road_cars"], frames["road_empty"]])
    counts = [len(boxes) for boxes in found]
    assert counts[0] == 1 and counts[1] == 1, counts
    assert counts[2] == 0 and counts[3] == 0, counts


def test_faces_in_a_film_frame(describer: FrameDescriber, media: Path) -> None:
    (boxes,) = describer.faces([frame_at(media / "friday_his_girl_friday.mp4", 3.0)])
    assert len(boxes) >= 1


# --- things in parts of the picture -------------------------------------------------------------

def test_objects_finds_the_wall_clock_in_the_film_frame(describer: FrameDescriber, media: Path) -> None:
    # friday's clock is ~95 px of a 640 px frame: the whole-frame tags say "television"
    frame = fit_side(frame_at(media / "friday_his_girl_friday.mp4", 0.0), 640)
    found = describer.objects(frame, describer.faces([frame])[0])
    assert [(label, where) for label, _, where in found] == [("analog clock", "top left")], found
    assert "clock" not in " ".join(label for label, _ in describer.tags([frame])[0])


def test_objects_finds_nothing_on_a_speaker_or_an_empty_road(describer: FrameDescriber, frames) -> None:
    # the head's edge of a GRID speaker read as "matchstick" before windows on a person were skipped
    for name in ("speaker", "speaker_woman", "road_empty", "bunny_hills"):
        image = frames[name]
        assert describer.objects(image, describer.faces([image])[0]) == [], name


def test_objects_only_where_asked_and_said_in_the_frame_text(describer: FrameDescriber, media: Path) -> None:
    frame = fit_side(frame_at(media / "friday_his_girl_friday.mp4", 0.0), 640)
    looked, skipped = describer.describe([frame, frame], [0.0, 1.0], look_for_objects=[True, False])
    assert looked.objects and not skipped.objects
    # said after the surer facts, before the colours: a search result's line is cut short
    *_, things, colours = looked.text().split("; ")
    assert things == "things seen in parts of the picture: analog clock (clock) at the top left", looked.text()
    assert colours.startswith("colours: ")


# --- colours ------------------------------------------------------------------------------------

def test_colours_of_a_red_sedan_and_a_grey_road(frames) -> None:
    road = frames["road_cars"]  # 640x360; the red sedan is right of centre (by eye, from the frame)
    h, w = road.shape[:2]
    sedan = road[int(0.33 * h):int(0.95 * h), int(0.42 * w):int(0.62 * w)]
    assert colour_names(sedan)[0] == "red", colour_names(sedan)
    silver = road[int(0.18 * h):int(0.85 * h), int(0.13 * w):int(0.31 * w)]
    assert "red" not in colour_names(silver) and colour_names(silver)[0] in ("grey", "white")
    assert colour_names(frames["road_empty"]) == ["grey"]


def test_navy_jeans_are_blue_and_a_black_top_stays_black(media: Path) -> None:
    """one-by-one at 128 s: the last visitor's dark blue jeans (by eye; their dark pixels are about
    RGB 3, 4, 26); at 80 s: the fourth visitor's black T-shirt. Dark pixels keep a strong hue."""
    from vidsage.index.vision import colour_fractions

    path = media / "one-by-one-person-detection.mp4"
    jeans = frame_at(path, 128.0)[270:360, 400:490]
    assert colour_fractions(jeans).get("blue", 0.0) >= 0.15, colour_fractions(jeans)
    shirt = frame_at(path, 80.0)[110:170, 400:470]
    assert colour_names(shirt)[0] == "black" and "blue" not in colour_names(shirt), colour_fractions(shirt)


def test_colours_of_grass_and_sky(frames) -> None:
    assert colour_names(frames["bunny_title"])[0] == "green"
    sky = frames["bunny_presents"][: frames["bunny_presents"].shape[0] // 3, 200:]
    assert colour_names(sky)[0] in ("blue", "purple")


def test_describe_fills_every_field(describer: FrameDescriber, frames) -> None:
    (ft,) = describer.describe([frames["speaker"]], [1.5])
    assert ft.faces == 1 and ft.colours and ft.ocr == [] and ft.t == 1.5
    names = describer.model_names()
    assert {"tagger", "ocr", "faces", "colours"} <= set(names)
    assert "1 face" in ft.text()


# --- CLIP ---------------------------------------------------------------------------------------

TINY = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "head_width": 32, "patch_size": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}


@pytest.fixture(scope="session")
def tiny_clip_checkpoint(tmp_path_factory) -> tuple[str, Path]:
    """A random-init ~3.3M-parameter open_clip model, registered and saved like a real checkpoint."""
    import open_clip
    import torch

    folder = tmp_path_factory.mktemp("clip")
    arch = "vidsage-test-tiny-clip"
    (folder / f"{arch}.json").write_text(json.dumps(TINY))
    open_clip.add_model_config(folder / f"{arch}.json")
    torch.manual_seed(0)
    model = open_clip.create_model(arch, pretrained=None)
    ckpt = folder / "weights" / f"{arch}.pt"
    ckpt.parent.mkdir()
    torch.save(model.state_dict(), ckpt)
    return arch, ckpt


@pytest.mark.parametrize("form", ["arch=path", "path"])
def test_clip_plumbing_with_a_tiny_random_model(tiny_clip_checkpoint, tmp_path, form: str) -> None:
    """Checks plumbing only (config, resolver, loading, preprocessing, shapes, normalisation), not
    semantics: the model is random, so its similarities mean nothing."""
    arch, ckpt = tiny_clip_checkpoint
    spec = f"{arch}={ckpt}" if form == "arch=path" else str(ckpt)  # bare path: arch from the file name
    clip = ClipEmbedder.from_settings(Settings(clip=spec, models_dir=str(tmp_path), threads=2))
    assert clip is not None
    assert arch in clip.name and clip.dim == 32
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (120, 200, 3), dtype=np.uint8), rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)]
    iv = clip.embed_images(images)
    tv = clip.embed_texts(["a red car", "a title card", "a face"])
    assert iv.shape == (2, 32) and tv.shape == (3, 32) and iv.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(iv, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(tv, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(iv[0], iv[1])  # different images, different vectors
    np.testing.assert_allclose(clip.embed_images(images[:1]), iv[:1], atol=1e-5)  # deterministic
    assert clip.embed_images([]).shape == (0, 32)


def test_clip_is_off_when_the_default_weights_are_absent(tmp_path) -> None:
    s = Settings(models_dir=str(tmp_path))  # an empty models dir: nothing was pulled
    assert s.clip == "ViT-B-32/laion2b_s34b_b79k"
    assert ClipEmbedder.from_settings(s) is None


def test_clip_user_path_that_does_not_exist_is_off(tmp_path) -> None:
    s = Settings(clip=f"ViT-B-32={tmp_path / 'missing.pt'}", models_dir=str(tmp_path))
    assert ClipEmbedder.from_settings(s) is None


def test_clip_path_with_unknown_arch_says_how_to_fix(tmp_path) -> None:
    ckpt = tmp_path / "weights.pt"
    ckpt.write_bytes(b"not used")
    with pytest.raises(ValueError, match="ARCH="):
        ClipEmbedder.from_settings(Settings(clip=str(ckpt), models_dir=str(tmp_path)))
