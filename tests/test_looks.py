"""Matching how someone is described (hair, clothes) against what the index says they look like."""

import pytest


@pytest.mark.parametrize("question, hair, top, lower", [
    ("When does the woman with curly grey hair appear?", "grey", [], []),
    ("When is the woman with long dark hair and a grey cardigan in the room?", "dark", ["grey"], []),
    ("When does the man in the black T-shirt appear?", None, ["black"], []),
    ("When does the woman in the green striped top appear?", None, ["green"], []),
    ("a grey-haired man", "grey", [], []),
    ("the blonde woman in blue jeans", "blonde", [], ["blue"]),
    ("the man in red", None, ["red"], []),
    ("the man in the denim shirt", None, ["blue", "cyan"], []),  # faded denim reads cyan
    ("When does the man in jeans leave?", None, [], ["blue"]),  # jeans with no colour given are blue
    ("the man in black jeans", None, [], ["black"]),
    ("When does the red car pass?", None, [], []),  # a car: no one described
    ("the young man with glasses", None, [], []),
])
def test_asked_looks(question, hair, top, lower):
    from vidsage.tools.looks import asked_looks

    looks = asked_looks(question)
    assert (looks.hair, looks.top, looks.lower) == (hair, top, lower)


def test_agreement_reads_the_indexers_own_phrases():
    """The phrases are the ones index/appearance.py (faces) and index/events.py (object events) write."""
    from vidsage.tools.looks import AGREE, DISAGREE, agreement, asked_looks
    from vidsage.types import Hit

    def hit(text, kind="frame"):
        return Hit("/m/v.mp4", 0.0, 1.0, 0.5, text, kind, {})

    grey = asked_looks("the woman with grey hair")
    assert agreement(grey, hit("1 face (grey (white) hair, wearing brown/grey on top); colours: cyan")) == AGREE
    # the frame's own colours ("colours: grey") are not her hair
    assert agreement(grey, hit("1 face (dark (black or dark brown) hair); colours: white, brown, grey")) == DISAGREE
    assert agreement(grey, hit("colours: grey")) == 1.0  # says nothing about hair
    assert agreement(asked_looks("the woman with dark hair"), hit("1 face (brown hair)")) == 1.0  # a soft boundary
    black_top = asked_looks("the man in the black T-shirt")
    event = ("object event 6 of 6 in this video: a person dressed in grey enters from the bottom; "
             "wears grey on top and grey/black below")
    assert agreement(black_top, hit(event, "segment:object")) == DISAGREE
    assert agreement(black_top, hit("a person dressed in black (by its shape) enters", "segment:object")) == AGREE
    assert agreement(asked_looks("someone in grey trousers"), hit(event, "segment:object")) == AGREE
    assert agreement(grey, hit("said: grey hair", "transcript")) == 1.0


def test_a_described_person_is_found_by_their_looks(toolbox):
    """GRID (by eye): the woman with curly grey hair is the sixth speaker, 14.9-17.9 s. The frames of
    others say "dark hair" or "brown hair", and some say "colours: grey" for the wall."""
    top = toolbox.find_moments("When does the woman with curly grey hair appear?", k=3)[0]
    assert 14.5 <= top.start <= 15.3 and 17.5 <= top.end <= 18.3, top
    assert "grey (white) hair" in top.evidence[0].text


def test_frames_of_a_described_person_agree_with_their_looks(toolbox):
    """The same speaker, asked about as a frame ("what is the woman with grey hair wearing?"): the
    frame search ranks the frame that says grey hair first, not His Girl Friday's "dark hair" woman."""
    top = toolbox.search_frames("What is the woman with grey hair wearing?", k=3)[0]
    assert "grey (white) hair" in top.text and 14.5 <= top.start <= 18.0, (top.video, top.start, top.text)


def test_a_question_about_someone_looks_where_someone_is_seen(toolbox):
    """car-detection's keyframes read "colours: grey" (the road; its cars are events) and show no one:
    asked about "the person in the grey shirt", frames with faces (GRID, His Girl Friday) come first."""
    from vidsage.tools.looks import asks_someone

    assert asks_someone("What is the person in the grey shirt doing?") and not asks_someone("What colour is the sky?")
    hits = toolbox.search_frames("person in the grey shirt doing", k=3)
    assert hits and not any(h.video.endswith("car-detection.mp4") for h in hits), [(h.video, h.text) for h in hits]
    assert all("face" in h.text for h in hits), [h.text for h in hits]


def test_a_thing_asked_by_kind_is_found_as_its_event(toolbox):
    """car-detection (by eye): the red sedan drives up 15.0-18.9 s. Its keyframes read "cab" or only
    the road's grey; its event says "a red car": the frame search gives the event."""
    top = toolbox.search_frames("find the red car", k=3)[0]
    assert top.kind == "segment:object" and "red car" in top.text and abs(top.start - 15.0) <= 1.0, (top.kind, top.text)


@pytest.mark.parametrize("question, things", [
    ("When does the blue car appear?", {"car": ["blue"]}),
    ("When does the silver car pass?", {"car": ["grey", "white"]}),  # silver reads as either
    ("When does the red car pass the white car?", {"car": ["red", "white"]}),
    ("a red sports car", {"car": ["red"]}),
    ("the man in the red shirt", {}),  # a person: their clothes, not a thing
])
def test_asked_thing_colours(question, things):
    from vidsage.tools.looks import asked_looks

    assert asked_looks(question).things == things


def test_a_thing_of_another_colour_is_another_thing():
    """Object events name their colour and class ("a red car"), as index/events.py writes them."""
    from vidsage.tools.looks import AGREE, DISAGREE_THING, agreement, asked_looks
    from vidsage.types import Hit

    red = Hit("/m/car.mp4", 15.0, 19.3, 0.6, "object event 3 of 4 in this video: a red car enters from the bottom",
              "segment:object", {})
    silver = Hit("/m/car.mp4", 14.3, 18.0, 0.6, "object event 2 of 4 in this video: a white car enters from the top",
                 "segment:object", {})
    assert agreement(asked_looks("When does the blue car appear?"), red) == DISAGREE_THING
    assert agreement(asked_looks("When does the red car appear?"), red) == AGREE
    assert agreement(asked_looks("When does the silver car appear?"), silver) == AGREE
    assert agreement(asked_looks("When does the blue bus appear?"), red) == 1.0  # not asked about cars
