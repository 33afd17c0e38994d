"""Hair, clothes and black-and-white from pixels, on real frames whose content was checked by eye
(frames of grid_seven_speakers.mp4 at 1.5 s steps of 3 s; friday is a 1940 black-and-white film)."""

from pathlib import Path

import numpy as np
import pytest

from index.appearance import background_colours, black_and_white, chroma, face_look, hair_word, picture_layout
from index.decode import frame_at
from index.vision import FrameDescriber, fit_side
from vidsage.config import Settings

GRID = "grid_seven_speakers.mp4"


@pytest.fixture(scope="module")
def describer() -> FrameDescriber:
    return FrameDescriber(Settings())


def look_at(describer: FrameDescriber, path: Path, t: float) -> list[str]:
    frame = fit_side(frame_at(path, t, 640), 640)
    (boxes,) = describer.faces([frame])
    return [face_look(frame, b) for b in boxes]


@pytest.mark.parametrize("t, hair", [
    (16.5, "grey"),  # the woman with curly grey hair
    (7.5, "brown"),  # the young woman with long brown hair
    (4.5, "dark"),  # the man with dark, tousled hair
])
def test_hair_of_a_speaker(describer, media: Path, t: float, hair: str) -> None:
    (look,) = look_at(describer, media / GRID, t)
    assert look.startswith(f"{hair} ") and "hair" in look, look


def test_a_shaved_head_has_no_hair_colour(describer, media: Path) -> None:
    (look,) = look_at(describer, media / GRID, 19.5)  # the last speaker's head is shaved: skin, not hair
    assert "hair" not in look, look


@pytest.mark.parametrize("t, colour", [(19.5, "red"), (13.5, "green")])  # a red T-shirt; a green top
def test_clothes_below_the_face(describer, media: Path, t: float, colour: str) -> None:
    (look,) = look_at(describer, media / GRID, t)
    assert f"wearing {colour}" in look, look


@pytest.mark.parametrize("t", [1.5, 16.5, 19.5])  # close-ups against the GRID studio's blue wall
def test_the_wall_behind_a_speaker(describer, media: Path, t: float) -> None:
    frame = fit_side(frame_at(media / GRID, t, 640), 640)
    (boxes,) = describer.faces([frame])
    behind = background_colours(frame, boxes)
    # the wall (blue-cyan, teal behind the last speaker), not a red top nor skin and hair
    assert behind and set(behind) <= {"cyan", "blue", "green"} and {"cyan", "blue"} & set(behind), behind


def test_what_is_worn_on_the_head_is_read_from_a_crop_of_it(describer, media: Path) -> None:
    """By eye: at 1 s of His Girl Friday the woman at the counter wears a tall hat; no GRID speaker
    wears a hat, glasses of the sun or a tie."""
    frame = fit_side(frame_at(media / "friday_his_girl_friday.mp4", 1.0, 640), 640)
    (boxes,) = describer.faces([frame])
    assert ["a hat"] in describer.worn(frame, boxes), describer.worn(frame, boxes)
    for t in (1.5, 7.5, 16.5, 19.5):
        frame = fit_side(frame_at(media / GRID, t, 640), 640)
        (boxes,) = describer.faces([frame])
        assert describer.worn(frame, boxes) == [[]], (t, describer.worn(frame, boxes))


def test_no_background_without_people_or_when_a_face_fills_the_picture() -> None:
    wall = np.full((100, 100, 3), (40, 150, 210), np.uint8)
    assert background_colours(wall, []) == []
    assert background_colours(wall, [(5.0, 10.0, 95.0, 90.0)]) == []  # a close-up: no wall left to read


def test_hair_word_refuses_background_colours() -> None:
    blue_wall = np.tile(np.array([[40, 150, 210]], np.uint8), (200, 1))
    assert hair_word(blue_wall) is None
    black = np.tile(np.array([[20, 18, 16]], np.uint8), (200, 1))
    assert hair_word(black) == "dark"


@pytest.mark.parametrize("name, mono", [
    ("friday_his_girl_friday.mp4", True),  # black-and-white film
    ("car-detection.mp4", False),  # a grey road, but a red car drives through: colour footage
    ("big_buck_bunny_0_30.webm", False),
    ("one-by-one-person-detection.mp4", False),
])
def test_black_and_white_is_decided_over_a_whole_video(media: Path, name: str, mono: bool) -> None:
    from index.probe import probe

    dur = probe(media / name).duration
    chromas = [chroma(frame_at(media / name, t, 640)) for t in np.linspace(0.5, dur - 0.5, 12)]
    assert black_and_white(chromas) is mono, chromas


def test_a_black_frame_decides_nothing() -> None:
    assert chroma(np.zeros((90, 160, 3), np.uint8)) < 0
    assert black_and_white([-1.0, -1.0]) is False


def test_colours_by_area(media: Path) -> None:
    """By eye: one-by-one's wooden floor fills the bottom of the picture (brown/orange) under a white
    wall; GRID's speakers sit in front of a cyan-blue backdrop that fills the top of the picture."""
    room = picture_layout(frame_at(str(media / "one-by-one-person-detection.mp4"), 60.0, 640))
    top, _, bottom = room.split("; ")
    assert "white" in top and ("brown" in bottom or "orange" in bottom), room
    grid = picture_layout(frame_at(str(media / "grid_seven_speakers.mp4"), 4.0, 640))
    assert grid.startswith("top: cyan") or grid.startswith("top: blue"), grid
