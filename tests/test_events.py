"""Events with bounds (index/events.py) and temporal questions over them (tools/temporal.py), on real media.

Ground truth established by looking at frames (PyAV -> PNG contact sheets at 4 fps, and single
frames at 12.5 fps around each edge; times are media seconds):

car-detection.mp4 (static top-down camera, 12.5 fps):
  1. white hatchback, bottom -> top: first visible 4.48 (not at 4.40), body gone at the top edge after
     8.56; its shadow stays at the top edge until ~9.0
  2. silver car, top -> bottom (left lane): dark front at the top edge at 14.32, gone after 18.0
  3. red sedan, bottom -> top: red at the bottom edge at 15.04, gone at the top after 18.8
  4. white sedan, top -> bottom: first at 25.28 (nothing at 25.04), rear lights last seen 27.76
one-by-one-person-detection.mp4 (static camera, 1 fps sheets): six people, one at a time, enter at
  the bottom, stand at the table with their back to the camera, leave to the right; in the frame
  ~6-19.5, 23-44.5, 50.5-69.5, 74.5-86.5, 92.5-119.5, 123.5-136 s; a shadow on the floor lingers
  ~1 s after each exit.
big_buck_bunny_0_30.webm: "THE PEACH OPEN MOVIE PROJECT PRESENTS" ~20.4-22.9 (cut at 22.96);
  the title "Big Buck Bunny" fades in ~25 s and stays to the end (30 s).

Events are computed once per module; the temporal tests put them in a real store (with the real
text embedder) and ask through the real Toolbox.
"""

from __future__ import annotations

import pytest

CARS = [(4.48, 8.6), (14.32, 18.1), (15.0, 18.85), (25.2, 27.8)]
PEOPLE = [(6.0, 19.5), (23.0, 44.5), (50.5, 69.5), (74.5, 86.5), (92.5, 119.5), (123.5, 136.0)]


def _keyframes(path, settings):
    """(info, keyframes, shots) of a file as the pipeline selects them."""
    from vidsage.index.decode import iter_frames
    from vidsage.index.keyframes import select_keyframes
    from vidsage.index.probe import probe

    info = probe(path)
    s = settings
    kfs, shots = select_keyframes(iter_frames(path, fps=s.scan_fps, max_side=s.describe_max_side),
                                  min_gap=s.keyframe_min_gap, max_gap=s.keyframe_max_gap,
                                  threshold=s.shot_threshold, duration=info.duration)
    return info, kfs, shots


def _shots(path, settings):
    """The pipeline's shots for a file (keyframe selection only; no describing needed)."""
    info, _, shots = _keyframes(path, settings)
    return info, shots


def _keyframe_texts(path, settings):
    """Shots and described keyframes, as the pipeline makes them."""
    from vidsage.index.events import _describer_for

    info, kfs, shots = _keyframes(path, settings)
    texts = _describer_for(settings).describe([k.image for k in kfs], [k.t for k in kfs])
    return info, sorted(texts, key=lambda f: f.t), shots


@pytest.fixture(scope="module")
def car_events(media, settings):
    from vidsage.index.events import detect_events

    path = media / "car-detection.mp4"
    info, shots = _shots(path, settings)
    return detect_events(path, info, [], shots, settings)


@pytest.fixture(scope="module")
def people_events(media, settings):
    from vidsage.index.events import detect_events

    path = media / "one-by-one-person-detection.mp4"
    info, shots = _shots(path, settings)
    return detect_events(path, info, [], shots, settings)


@pytest.fixture(scope="module")
def bunny_events(media, settings):
    from vidsage.index.events import detect_events

    path = media / "big_buck_bunny_0_30.webm"
    info, texts, shots = _keyframe_texts(path, settings)
    return detect_events(path, info, texts, shots, settings)


def _objects(segs):
    return sorted((s for s in segs if s.kind == "object"), key=lambda s: s.start)


def test_one_event_per_car_with_bounds(car_events):
    cars = _objects(car_events)
    assert len(cars) == len(CARS), [s.text for s in cars]
    for seg, (start, end) in zip(cars, CARS):
        assert abs(seg.start - start) <= 1.0 and abs(seg.end - end) <= 1.0, (seg.start, seg.end, start, end)
        assert seg.meta["class"] == "car", seg.text


def test_car_directions_and_colours(car_events):
    cars = _objects(car_events)
    assert [c.meta["direction"] for c in cars] == ["bottom to top", "top to bottom", "bottom to top", "top to bottom"]
    assert [c.meta["entry"] for c in cars] == ["bottom", "top", "bottom", "top"]
    assert cars[2].meta["colours"][0] == "red"
    assert "white" in cars[0].meta["colours"] and "white" in cars[3].meta["colours"]
    # the red car and the silver car pass each other: each says it happens with the other
    assert "at the same time as event 3" in cars[1].text and "at the same time as event 2" in cars[2].text


def test_descriptions_carry_counts(car_events):
    cars = _objects(car_events)
    for i, c in enumerate(cars, 1):
        assert f"object event {i} of 4" in c.text
        assert "all object events in this video: 4 cars" in c.text


def test_six_people_one_at_a_time(people_events):
    people = _objects(people_events)
    assert len(people) == len(PEOPLE), [s.text for s in people]
    for seg, (start, end) in zip(people, PEOPLE):
        assert abs(seg.start - start) <= 1.5 and abs(seg.end - end) <= 1.5, (seg.start, seg.end, start, end)
        assert seg.meta["class"] == "person", seg.text
        assert seg.meta["entry"] == "bottom" and seg.meta["exit"] == "right"
    assert all("6 people" in s.text for s in people)
    for seg in people:  # described by what they wear, never by a colour put on the person
        assert "person dressed in" in seg.text and not any(f"a {c} person" in seg.text
                                                            for c in ("black", "white", "grey", "brown")), seg.text


def test_what_people_wear_is_said_by_part(people_events):
    """By eye (frames at 10, 35, 80 and 128 s): person 1 wears a long grey knitted cardigan, persons
    2-4 black tops, person 4 a black T-shirt, person 6 a grey shirt over dark blue jeans. The jeans'
    dark pixels are navy (V 20-45, S >= 150), not black; the black tops' stay black."""
    people = _objects(people_events)
    assert people[0].meta.get("top") == "a cardigan or sweater", people[0].text
    assert people[3].meta.get("top") == "a T-shirt", people[3].text
    assert "(a T-shirt, by its tags)" in people[3].text
    assert "blue" in people[5].meta["lower_colours"], people[5].text
    for seg in people[1:4]:
        assert "black" in seg.meta["upper_colours"] and "blue" not in seg.meta["lower_colours"], seg.text


def test_the_colour_of_a_persons_trousers_is_told_apart_from_their_top(event_toolbox):
    top = event_toolbox.find_moments("What colour are the trousers of the last person?",
                                     video="one-by-one-person-detection.mp4")[0]
    assert abs(top.start - PEOPLE[5][0]) <= 1.5, top
    assert "on top" in top.evidence[0].text and "blue" in top.evidence[0].text.split("on top")[1], top.evidence[0].text


def test_people_are_counted_by_what_they_wear_on_top(event_toolbox):
    """Persons 4 and 6 are the two whose upper-body tags name a T-shirt (see above; person 6's grey
    shirt reads as one): a T-shirt count keeps to them, where it had counted all six."""
    res = event_toolbox.count_events("How many people wear a T-shirt?", video="one-by-one-person-detection.mp4")
    assert res["count"] == 2, res
    assert all(abs(e["start"] - PEOPLE[i][0]) <= 1.5 for e, i in zip(res["events"], (3, 5))), res


def test_title_text_events(bunny_events):
    texts = [s for s in bunny_events if s.kind == "text"]
    title = [s for s in texts if "buck" in s.meta["ocr"].lower()]
    assert len(title) == 1, [s.text for s in texts]
    assert abs(title[0].start - 25.0) <= 1.0 and title[0].end >= 29.0
    peach = [s for s in texts if "peach" in s.meta["ocr"].lower()]
    assert len(peach) == 1
    assert abs(peach[0].start - 20.4) <= 1.0 and abs(peach[0].end - 22.9) <= 1.0
    # the film's title is set in large letters; the credit before it is not (letters 0.21 vs 0.07 of
    # the picture's height, measured on the frames)
    assert title[0].text.startswith("on-screen title in large letters") and title[0].meta["letter_height"] >= 0.15
    assert "title in large letters" not in peach[0].text and 0.04 <= peach[0].meta["letter_height"] < 0.12
    assert not [s for s in bunny_events if s.kind == "object"]  # an animated film is no static camera


def test_no_object_events_without_an_empty_scene(media, settings):
    """A static shot that is never empty (people at a switchboard) has no background to compare with."""
    from vidsage.index.events import detect_events

    path = media / "friday_his_girl_friday.mp4"
    info, shots = _shots(path, settings)
    assert [s for s in detect_events(path, info, [], shots, settings) if s.kind == "object"] == []


# -- temporal language over the event list ------------------------------------------------------------

def test_parse_temporal():
    from vidsage.tools.temporal import parse_temporal as p

    assert (p("When does the first car drive through?").op, p("When does the first car drive through?").n) == ("nth", 1)
    assert p("When does the last person leave?").n == -1 and p("When does the last person leave?").cls == "person"
    assert p("When does the second-to-last car pass?").n == -2
    assert p("What colour is the car that drives up first?").cls == "car"
    q = p("How many different people appear?")
    assert q.op == "count" and q.cls == "person" and q.distinct
    q = p("Which car comes after the red car?")
    assert q.op == "after" and q.cls == "car" and q.anchor == "the red car"
    assert p("When does the man in the black jacket appear?") is None  # no ordinal: similarity's job
    assert p("When does the first speaker say soon?") is None  # speech, not events
    assert p("How many videos do I have?") is None


@pytest.fixture(scope="module")
def event_toolbox(media, car_events, people_events, tmp_path_factory):
    """A real store holding the two static-camera videos' events (as the pipeline writes them)."""
    from vidsage.config import load_settings
    from vidsage.index.embed import get_embedder
    from vidsage.index.pipeline import content_hash
    from vidsage.index.store import Store
    from vidsage.tools.toolbox import Toolbox
    from vidsage.types import VideoRecord

    settings = load_settings(db=str(tmp_path_factory.mktemp("events-db")))
    emb = get_embedder(settings)
    store = Store(settings.db, models={"frames": emb.name, "segments": emb.name, "transcript": emb.name})
    for name, segs in (("car-detection.mp4", car_events), ("one-by-one-person-detection.mp4", people_events)):
        path = media / name
        vid = content_hash(path)
        rec = VideoRecord(video_id=vid, path=str(path), paths=[str(path)], duration=0.0, streams="video",
                          status="indexing")
        store.put_video(rec)
        vecs = emb.embed_passages([g.text for g in segs])
        store.add("segments", vid, str(path), ((f"{g.kind}{i}", v, g.text, {**g.meta, "kind": g.kind, "start": g.start,
                                                                           "end": g.end})
                                               for i, (g, v) in enumerate(zip(segs, vecs))))
        rec.status = "done"
        store.put_video(rec)
    return Toolbox(settings, store=store, embedder=emb)


def test_a_face_in_a_static_shot_is_bounded_by_its_persons_event(media, event_toolbox):
    """one-by-one: one shot is the whole video. A keyframe with a face (here at 130 s, person 6 is in
    the room 123.5-136 s by eye) stands for that person's visit, not for the whole shot."""
    from vidsage.index.pipeline import content_hash
    from vidsage.tools.moments import candidate
    from vidsage.types import Hit

    vid = content_hash(media / "one-by-one-person-detection.mp4")
    face = Hit("v", 130.0, 130.0, 0.5, "1 face (dark hair)", "frame", {"video_id": vid, "faces": 1})
    (start, end), precision = candidate(face, [], event_toolbox.store, {})
    assert 122.5 <= start <= 124.5 and 135.5 <= end <= 137.5 and precision == 2, (start, end)
    wall = Hit("v", 130.0, 130.0, 0.5, "colours: white", "frame", {"video_id": vid, "faces": 0})
    assert candidate(wall, [], event_toolbox.store, {})[1] < 2  # no face: not the person's event


def test_when_something_leaves_is_the_end_of_its_event(event_toolbox):
    """car-detection (by eye): the red car is on screen 15.0-19.0 s; asked when it leaves, the answer
    is its last moments, not its whole passage. Asked when it appears, the whole passage."""
    leaves = event_toolbox.find_moments("When does the red car leave?")[0]
    assert abs(leaves.end - 19.0) <= 1.0 and leaves.end - leaves.start <= 1.6, leaves
    appears = event_toolbox.find_moments("When does the red car appear?")[0]
    assert abs(appears.start - 15.0) <= 1.0 and abs(appears.end - 19.0) <= 1.0, appears
    at_time = event_toolbox.find_moments("What time does the red car leave?")[0]
    assert abs(at_time.end - 19.0) <= 1.0 and at_time.end - at_time.start <= 1.6, at_time
    both = event_toolbox.find_moments("When does the red car enter and when does it leave?")[0]
    assert abs(both.start - 15.0) <= 1.0 and abs(both.end - 19.0) <= 1.0, both  # asked both: the whole passage


def test_when_nobody_is_there_is_between_the_events(event_toolbox):
    """By eye: the road of car-detection is empty from ~19.0 s (the red car gone) to ~25.3 s (the last
    car), its longest empty stretch; one-by-one's room is empty between visitors (and before the first,
    0-6 s). "When does nobody say anything" is about speech, not this."""
    from vidsage.tools.temporal import parse_temporal

    road = event_toolbox.find_moments("When is the road empty?")[0]
    assert road.video.endswith("car-detection.mp4") and 18.5 <= road.start <= 19.8 and 24.8 <= road.end <= 25.8, road
    room = event_toolbox.find_moments("When is nobody in the room?")[0]
    assert room.video.endswith("one-by-one-person-detection.mp4") and room.end - room.start >= 1.0, room
    assert all(min(room.end, b) - max(room.start, a) <= 0.6 for a, b in PEOPLE), room
    assert "nobody in one-by-one-person-detection.mp4 at:" in room.evidence[0].text
    assert parse_temporal("When does nobody say anything?") is None
    # "how long is the road empty at the start?": the first empty stretch, before the first car (~4.6 s)
    start = event_toolbox.find_moments("How long is the road empty at the start?")[0]
    assert start.video.endswith("car-detection.mp4") and start.start <= 0.5 and 4.0 <= start.end <= 5.2, start


def test_fastest_slowest_and_longest_pick_by_a_measure(event_toolbox):
    """By eye (CARS, PEOPLE above): every car crosses the whole road; the fourth takes ~2.6 s, the
    first ~4.1 s. The fifth visitor stays longest (92.5-119.5 s)."""
    from vidsage.tools.temporal import answer_temporal, parse_temporal

    fast = answer_temporal(event_toolbox, "Which car is the fastest?")
    assert fast is not None and abs(fast.moment.start - CARS[3][0]) <= 1.0, fast.text
    slow = answer_temporal(event_toolbox, "Which car drives the slowest?")
    assert slow is not None and abs(slow.moment.start - CARS[0][0]) <= 1.0, slow.text
    stays = answer_temporal(event_toolbox, "Who stays the longest in the room?")
    assert stays is not None and abs(stays.moment.start - PEOPLE[4][0]) <= 1.5, stays.text
    assert stays.text.startswith("the person on screen the longest (") and "): the fifth of 6, person " in stays.text, \
        stays.text  # which one it is, said: the model had left it out
    still = answer_temporal(event_toolbox, "Who stands still the longest?")  # the fifth, ~23 s at the table
    assert still is not None and abs(still.moment.start - PEOPLE[4][0]) <= 1.5 and "s still" in still.text, still.text
    assert parse_temporal("What is the longest title?") is None or parse_temporal("What is the longest title?").op != "most"


def test_first_and_last_pick_the_right_event(event_toolbox):
    top = event_toolbox.find_moments("When does the first car drive through?")[0]
    assert top.video.endswith("car-detection.mp4") and abs(top.start - CARS[0][0]) <= 1.0
    top = event_toolbox.find_moments("When does the last car drive past?")[0]
    assert top.video.endswith("car-detection.mp4") and abs(top.start - CARS[3][0]) <= 1.0
    top = event_toolbox.find_moments("When does the last person leave the room?")[0]  # as they leave (136 s)
    assert top.video.endswith("one-by-one-person-detection.mp4") and abs(top.end - PEOPLE[5][1]) <= 1.5
    assert top.start >= PEOPLE[5][0], top
    top = event_toolbox.find_moments("When is the second person in the room?")[0]
    assert abs(top.start - PEOPLE[1][0]) <= 1.5 and abs(top.end - PEOPLE[1][1]) <= 1.5


def test_before_after_over_events(event_toolbox):
    top = event_toolbox.find_moments("Which car drives past after the red car?", video="car-detection.mp4")[0]
    assert abs(top.start - CARS[3][0]) <= 1.0
    top = event_toolbox.find_moments("Which car comes before the red car?", video="car-detection.mp4")[0]
    assert abs(top.start - CARS[1][0]) <= 1.0  # the silver car starts just before the red one


def test_while_picks_the_anchor_that_is_on_screen_with_the_subject(event_toolbox):
    """Of the white cars, only the one that passes the red car (14.5-19 s, by eye) is on screen with
    it; "where is the red car when the white car passes it?" is answered with the red car then."""
    from vidsage.tools.temporal import parse_temporal

    q = "Where is the red car when the white car passes it?"
    assert parse_temporal(q).op == "while" and parse_temporal("What is on screen when he says ask not?") is None
    top = event_toolbox.find_moments(q, video="car-detection.mp4")[0]
    assert abs(top.start - CARS[2][0]) <= 1.5 and "red car" in top.evidence[0].text, top.evidence[0].text


def test_counting(event_toolbox):
    res = event_toolbox.count_events("How many people walk in?")
    assert res["count"] == 6 and res["video"].endswith("one-by-one-person-detection.mp4")
    assert event_toolbox.count_events("How many different people appear?")["count"] == 6
    res = event_toolbox.count_events("How many cars drive through?", video="car-detection.mp4")
    assert res["count"] == 4 and len(res["events"]) == 4
    assert event_toolbox.count_events("How many red cars are there?", video="car-detection.mp4")["count"] == 1
    # by eye: cars 1 and 3 drive up from the bottom, cars 2 and 4 down from the top; everyone
    # in one-by-one walks in at the bottom and leaves at the right
    assert event_toolbox.count_events("How many cars drive from top to bottom?", video="car-detection.mp4")["count"] == 2
    assert event_toolbox.count_events("How many cars enter from the bottom?", video="car-detection.mp4")["count"] == 2
    assert event_toolbox.count_events("How many people leave at the right?")["count"] == 6
    assert event_toolbox.count_events("How many people leave at the top?")["count"] != 6  # none does
    # jeans are blue below: only the last visitor (by eye, blue jeans) wears them
    assert event_toolbox.count_events("How many people wear jeans?")["count"] == 1
    # the side something heads to: cars 2 and 4 drive down the picture
    assert event_toolbox.count_events("How many cars drive downwards?", video="car-detection.mp4")["count"] == 2
    assert event_toolbox.count_events("How many cars go down the road?", video="car-detection.mp4")["count"] == 2
    # those there at a time (by eye: the third visitor stands in the room 50.5-69.5 s; nobody at 21 s;
    # at 16 s the silver and the red car are both on the road)
    assert event_toolbox.count_events("How many people are in the room at 1:00?")["count"] == 1
    assert event_toolbox.count_events("How many people are in the room at 0:21?")["count"] == 0
    assert event_toolbox.count_events("How many cars are on screen at 0:16?", video="car-detection.mp4")["count"] == 2
    # yes or no is a count: no one walks in from the right (all come in at the bottom)
    from vidsage.tools.temporal import parse_temporal

    assert parse_temporal("Does anyone walk in from the right?").op == "count"
    assert parse_temporal("Is anyone in the room at 0:21?").within == (21.0, 21.0)
    assert parse_temporal("Is anyone wearing a hat at 0:03?") is None  # a hat is not counted over events
    assert event_toolbox.count_events("Does anyone walk in from the right?",
                                      video="one-by-one-person-detection.mp4")["count"] == 0
    # in a stretch: the second and third visitors (23-44.5 s, 50.5-69.5 s); the first leaves at 19.5 s
    assert event_toolbox.count_events("How many people visit the room between 0:20 and 1:00?")["count"] == 2
    # there at all: nobody walks the road of car-detection
    res = event_toolbox.count_events("Is there anyone in the car video?", video="car-detection.mp4")
    assert res["count"] == 0 and "4 cars" in res["text"], res
    # no black car passes: the answer says none, with the cars there are
    top = event_toolbox.find_moments("How many black cars are there?")[0]
    assert top.evidence[0].text.startswith("0 black cars in car-detection.mp4; it has 4 cars"), top.evidence[0].text
    # "at the same time": the most together. By eye the visitors come one at a time; the silver and
    # the red car are both on screen 15.04-18.0 s
    res = event_toolbox.count_events("How many people are in the room at the same time?")
    assert res["count"] == 1 and "6 people in all" in res["text"], res["text"]
    res = event_toolbox.count_events("What is the maximum number of cars on screen at once?", video="car-detection.mp4")
    assert res["count"] == 2 and len(res["events"]) == 2, res["text"]
    assert abs(res["events"][0]["start"] - 14.3) <= 1.0 and abs(res["events"][1]["start"] - 15.04) <= 1.0, res["text"]
    # the fast path's answer for a counting question quotes the count
    top = event_toolbox.find_moments("How many people walk in?")[0]
    assert top.evidence[0].text.startswith("6 people")


def test_people_count_falls_back_on_faces_per_shot(toolbox):
    """An edited video with one speaker per shot has no person events (no static scene to subtract);
    its people are counted as faces per shot, and the answer says that is what was counted."""
    res = toolbox.count_events("How many different people take turns speaking to the camera?",
                               video="grid_seven_speakers.mp4")
    assert res["count"] == 7, res["text"]
    assert "faces per shot" in res["text"]


def test_people_counted_by_faces_are_counted_by_their_colours_too(toolbox):
    """By eye: of GRID's seven speakers one wears red (the last) and one has grey hair (the sixth);
    none wears purple."""
    red = toolbox.count_events("How many speakers wear red?", video="grid_seven_speakers.mp4")
    assert red["count"] == 1 and red["events"][0]["start"] >= 17.5, red["text"]
    grey = toolbox.count_events("How many speakers have grey hair?", video="grid_seven_speakers.mp4")
    assert grey["count"] == 1 and "with grey hair" in grey["text"], grey["text"]
    purple = toolbox.count_events("How many speakers wear purple?", video="grid_seven_speakers.mp4")
    assert purple["count"] == 0 and "it shows 7 people" in purple["text"], purple["text"]


def test_shots_are_counted_and_picked_by_order(toolbox):
    """By eye: GRID has seven shots, one per speaker; Big Buck Bunny's opening has four, the third
    (about 15.6-22.9 s) the bird on its branch beside "THE PEACH OPEN MOVIE PROJECT"."""
    from vidsage.tools.temporal import answer_temporal

    res = toolbox.count_events("How many shots are in the grid video?", video="grid_seven_speakers.mp4")
    assert res["count"] == 7 and "6 cuts" in res["text"], res["text"]
    res = toolbox.count_events("How many scenes does it have?", video="big_buck_bunny_0_30.webm")
    assert res["count"] == 4, res["text"]
    # its cuts, by eye at 11.80, 15.67 and 22.96 s: scene changes are cuts, not shots
    res = toolbox.count_events("How many scene changes are in the bunny clip?", video="big_buck_bunny_0_30.webm")
    assert res["count"] == 3 and res["text"].startswith("3 cuts in big_buck_bunny_0_30.webm, at 00:12, 00:16, 00:23"), res
    when = answer_temporal(toolbox, "When does the camera cut?", video="big_buck_bunny_0_30.webm")
    assert when is not None and abs(when.moment.start + 0.5 - 11.8) <= 0.5, when
    # "the first thing on screen" where nothing is tracked is its first shot, not its first title (20.4 s)
    first = answer_temporal(toolbox, "What is the first thing on screen?", video="big_buck_bunny_0_30.webm")
    assert first is not None and first.moment.start <= 0.5 and abs(first.moment.end - 11.8) <= 0.5, first
    third = answer_temporal(toolbox, "What is in the third scene?", video="big_buck_bunny_0_30.webm")
    assert third is not None and abs(third.moment.start - 15.6) <= 0.7 and abs(third.moment.end - 22.9) <= 0.7
    assert "PEACH" in third.text, third.text


def test_what_is_said_in_a_moment_found_by_sight(toolbox):
    """"What does the man in the red shirt say?": the shot with the red top (the last speaker, 18-21 s,
    seen by eye) is found by its description, and the answer quotes the speech inside that shot."""
    from vidsage.types import Moment

    shots = [h for h in toolbox.search_segments("face wearing red on top", video="grid_seven_speakers.mp4", k=7)
             if h.kind == "segment:shot"]
    red = [h for h in shots if "wearing red" in h.text]
    assert len(red) == 1 and 17.5 <= red[0].start <= 18.5, [h.text for h in shots]
    speech = toolbox.speech_in(Moment(red[0].video, red[0].start, red[0].end, red[0].score, [red[0]]))
    assert speech is not None and "white" in speech.text.lower(), speech  # GRID sentence: "set white in z3 now"


@pytest.mark.parametrize("question, asked", [
    ("What is the name of the animated film?", True), ("What is this cartoon called?", True),
    ("What is the title of the bunny video?", True), ("What is the name of the man?", False),
    ("What does the title say?", False),  # which title: the text evidence answers it
])
def test_title_asked(question, asked):
    from vidsage.tools.temporal import title_asked

    assert title_asked(question) is asked


def test_the_name_of_a_film_is_its_largest_text(toolbox):
    """Big Buck Bunny (by eye): "THE PEACH OPEN MOVIE PROJECT PRESENTS" in small capitals (20.4-23 s),
    then the title "Big Buck Bunny" in large letters (25-30 s). The film's name is the title."""
    from vidsage.agent.router import route

    top = toolbox.find_moments("What is the name of the animated film?", k=3)[0]
    assert top.video.endswith("big_buck_bunny_0_30.webm") and top.start >= 24.5, top
    assert "Big Buck" in top.evidence[0].text
    assert route("What is this cartoon called?").tool == "find_moments"


def test_an_overview_of_a_video_says_what_was_found_in_order(toolbox):
    """By eye: Big Buck Bunny's opening (4 shots) shows "THE PEACH OPEN MOVIE PROJECT PRESENTS" at
    ~20 s and the title at ~25 s; car-detection's road (1 shot) carries 4 cars."""
    from vidsage.tools.temporal import video_overview

    bunny = video_overview(toolbox, "big_buck_bunny_0_30.webm")
    assert bunny.startswith("big_buck_bunny_0_30.webm (00:30 long, 4 shots)"), bunny
    assert bunny.index("PEACH") < bunny.index("Big Buck"), bunny
    assert "4 cars tracked" in video_overview(toolbox, "car-detection.mp4")
    assert "black and white" in video_overview(toolbox, "friday_his_girl_friday.mp4")

