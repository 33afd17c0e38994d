"""Tools over the sample library (the session index of tests/conftest.py)."""

from vidsage.tools.extra import caption_frame


def test_caption_names_the_events_on_screen_at_that_time(toolbox):
    """Big Buck Bunny: the title "Big Buck Bunny" is on screen from about 25 s to the end (by eye).
    The description at 27 s names it from its text event, whichever keyframe is nearest."""
    d = caption_frame(toolbox, "big_buck_bunny_0_30.webm", 27.0)
    assert "on screen at 00:27" in d["description"] and "buck" in d["description"].lower(), d
    early = caption_frame(toolbox, "big_buck_bunny_0_30.webm", 5.0)
    assert "on screen at" not in early["description"], early  # nothing with bounds is on screen then


def test_timeline_lists_what_is_seen_in_order(toolbox):
    """car-detection.mp4: four cars pass (by eye: 4.6-9.0, 14.5-19.0 two passing each other,
    25.3-27.8); the overview lists its object events in time order, with its shot."""
    items = toolbox.timeline("car-detection.mp4")
    assert [h.start for h in items] == sorted(h.start for h in items)
    cars = [h for h in items if h.kind == "segment:object"]
    assert len(cars) == 4 and all("car" in h.text for h in cars), [h.text[:80] for h in items]
    assert any(h.kind == "segment:shot" for h in items)
    assert len(toolbox.timeline("car-detection.mp4", k=2)) == 2


def test_a_long_transcript_is_given_from_its_start_to_its_end():
    """A summary must see the whole talk: chunks are spread over it, first and last kept."""
    from vidsage.tools.lc import spread

    items = list(range(100))
    picked = spread(items, 12)
    assert len(picked) == 12 and picked[0] == 0 and picked[-1] == 99 and picked == sorted(set(picked))
    assert spread(items[:5], 12) == items[:5]


def test_letter_digit_codes_are_two_words():
    """GRID's "bin red by K7 now" is said "K seven": the recogniser writes "K7", a user types "k seven"."""
    from vidsage.tools.lexical import tokens

    assert tokens("Bin red by K7 now.") == ["bin", "red", "k", "7", "now"]
    assert tokens("bin red by k seven now") == ["bin", "red", "k", "7", "now"]
    assert tokens("the 2nd take") == ["2nd", "take"]  # an ordinal stays one word


def test_an_ordinal_word_is_not_matched_against_the_picture(toolbox):
    """Event texts say "first of 4 cars"; "when do we first see grass?" is about the bunny clip's
    meadow (shot 2, 11.9-15.6 s, green and yellow), not car-detection's first car, which it had
    matched by the word "first"."""
    from vidsage.tools.lexical import without_ordinals

    assert without_ordinals("when do we first see the grass") == "when do we see the grass"
    top = toolbox.find_moments("When do we first see grass?")[0]
    assert top.video.endswith("big_buck_bunny_0_30.webm"), top
