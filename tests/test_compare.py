"""Comparisons worked out over the sample library's events and lengths (tools/compare.py).

Established by looking at the media: car-detection.mp4 shows four cars, two driving up the
frame (grey/white, red) and two down (both white); GRID shows seven speakers one by one, friday
one face; jfk.flac lasts 11.0 s, friday 6.2 s, the bunny clip 30.0 s and the car video 30.2 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from agent_fixtures import ScriptedLLM  # noqa: E402

from vidsage.agent.loop import run_agent  # noqa: E402
from vidsage.tools.compare import compare, countable  # noqa: E402


@pytest.mark.parametrize("question, answer", [
    ("Which has more speakers, grid or friday?",
     "grid_seven_speakers.mp4 has more: 7 people in grid_seven_speakers.mp4, counted as faces per shot"),
    ("Which has fewer faces, grid or friday?", "friday_his_girl_friday.mp4 has fewer: 7 people"),
    ("Do more cars drive up or down in the car video?",
     "Neither: the same number: 2 cars drive upwards in car-detection.mp4 against 2 cars drive downwards in car-detection.mp4."),
    ("Are there more red cars or white cars?", "More white cars: 1 red car in car-detection.mp4 against 3 white cars"),
    ("Are there fewer cars than people in the car video?", "No: 4 cars in car-detection.mp4 against 0 people"),
    ("Is jfk longer than the friday clip?", "Yes: jfk.flac is 00:11 long, friday_his_girl_friday.mp4 00:06."),
    # 00:30 and 00:30 would not say which: the seconds are given
    ("Which is longer, the bunny video or the car video?",
     "car-detection.mp4 is longer: big_buck_bunny_0_30.webm is 30.0 s long, car-detection.mp4 30.2 s."),
])
def test_comparisons_are_worked_out(toolbox, question, answer):
    got = compare(toolbox, question)
    assert got is not None and got.answer.startswith(answer), got


def test_more_people_or_cars_over_the_library_sums_each_video(toolbox):
    got = compare(toolbox, "Are there more cars or people in my videos?")
    cars, people = got.sides
    # GRID's 7 faces, its video-only copy's 7 (another file: counted as its own video) and friday's 1;
    # the car video has no one
    assert (cars.n, people.n) == (4, 15), got
    assert got.answer.startswith("More people: 4 cars in car-detection.mp4 against 15 people (1 person in friday"), \
        got.answer


@pytest.mark.parametrize("question", [
    "Are there more trees or cars?",  # no class for trees: the search answers
    "Are there more men or women?",  # nothing here tells women from men
    "Which is longer, the red car or the white car?",  # not videos
    "What is longer than the car video?",
])
def test_what_is_not_a_comparison_it_can_work_out(toolbox, question):
    assert compare(toolbox, question) is None


def test_countable():
    assert countable("people") and countable("red cars") and countable("titles")
    assert not countable("birds") and not countable("trees") and not countable("women")


def test_a_comparison_is_answered_before_any_model_call(library, toolbox):
    settings, _ = library
    result = run_agent("Which has more speakers, grid or friday?", settings, toolbox, llm=ScriptedLLM([]))
    assert result["route"]["kind"] == "compare", result["route"]
    assert result["answer"].startswith("grid_seven_speakers.mp4 has more"), result["answer"]
    assert {Path(c["video"]).name for c in result["citations"]} == {"grid_seven_speakers.mp4",
                                                                   "friday_his_girl_friday.mp4"}


def test_which_video_has_the_most_or_fewest(toolbox):
    # GRID and its video-only copy show the same seven faces: a tie, said as one
    people = compare(toolbox, "Which video has the most people?")
    assert people.answer.startswith("grid_seven_speakers.mp4 and vidéo sans son – 七人の話者 (video only).mp4 have the "
                                    "most people: 7 people in grid_seven_speakers.mp4"), people.answer
    assert "then 1 person in friday_his_girl_friday.mp4" in people.answer, people.answer
    shots = compare(toolbox, "Which video has the fewest shots?")  # the audio files have none to count
    assert shots.answer.startswith("car-detection.mp4 and friday_his_girl_friday.mp4 have the fewest shots: "
                                   "1 shot in car-detection.mp4; 1 shot in friday_his_girl_friday.mp4; then 4 shots in "
                                   "big_buck_bunny_0_30.webm"), shots.answer
    cars = compare(toolbox, "Which clip has the most cars?")
    assert cars.answer == "car-detection.mp4 has the most cars: 4 cars in car-detection.mp4.", cars.answer
    assert compare(toolbox, "Which video has the most trees?") is None


def test_more_or_fewer_than_a_number(toolbox):
    assert compare(toolbox, "Are there fewer than 3 cars?").answer == "No: 4 cars in car-detection.mp4."
    assert compare(toolbox, "Are there more than five people?").answer.startswith("Yes: 15 people (")
    # "in grey" is people in grey: the noun is the other side's
    assert countable("people in grey") and not countable("in grey")


def test_the_colours_things_are_read_in(toolbox):
    """By eye: the second and fourth cars are white, the third red, the first silver (read grey/white)."""
    most = compare(toolbox, "What is the most common car colour?")
    assert most.answer == ("White: white 2 (second, fourth); grey/white 1 (first); red 1 (third), "
                           "of 4 cars in car-detection.mp4."), most.answer
    assert compare(toolbox, "How many different colours of cars are there?").answer.startswith("3 colours: white 2")
    assert compare(toolbox, "What is the most common colour of the trees?") is None


def test_nothing_is_compared_where_nothing_is_seen(toolbox, tmp_path):
    """A library of audio alone has no people or cars to count: the search answers, not "0 against 0"."""
    from vidsage.tools.compare import _counted_in

    audio = {p: r for p, r in ((r.path, r) for r in toolbox.store.done_videos().values()) if not r.keyframes}
    assert audio and _counted_in(toolbox, "people", None, audio) is None
