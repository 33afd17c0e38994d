"""Tools over the sample library (the session index of tests/conftest.py)."""

from vidsage.tools.extra import caption_frame


def test_caption_names_the_events_on_screen_at_that_time(toolbox):
    """Big Buck Bunny: the title "Big Buck Bunny" is on screen from about 25 s to the end (by eye).
    The description at 27 s names it from its text event, whichever keyframe is nearest."""
    d = caption_frame(toolbox, "big_buck_bunny_0_30.webm", 27.0)
    assert "on screen at 00:27" in d["description"] and "buck" in d["description"].lower(), d
    early = caption_frame(toolbox, "big_buck_bunny_0_30.webm", 5.0)
    assert "on screen at" not in early["description"], early  # nothing with bounds is on screen then
