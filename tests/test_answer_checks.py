"""Checks on the model's answers (a scripted model stands in for it), over the real sample library."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from agent_fixtures import ScriptedLLM  # noqa: E402

from vidsage.agent.loop import run_agent  # noqa: E402


def test_a_when_answer_keeps_the_best_ranked_moment_unless_the_model_sees_why(library, toolbox):
    """car-detection (by eye): the red car passes 15-19 s, and it is the best-ranked moment. A model
    that answers with another car names none of the asked words in it: the best-ranked moment is the
    answer, and the answer and the listed moments agree."""
    settings, _ = library
    other = '{"evidence": ["E2"], "answer": "00:05"}'
    result = run_agent("When does the red car appear?", settings, toolbox, llm=ScriptedLLM([other]),
                       mode="auto")
    (cited,) = result["citations"]
    assert Path(cited["video"]).name == "car-detection.mp4" and 14.5 <= cited["start"] <= 15.5, result
    assert "red car" in result["answer"] and result["streamed"] is False, result["answer"]
    first = result["moments"][0]
    assert (first["video"], first["start"], first["end"]) == (cited["video"], cited["start"], cited["end"])


def test_a_count_the_model_misreads_is_replaced_by_the_count(library, toolbox):
    """car-detection (by eye): four cars pass. A model that answers "one" from the line that counts
    four is overruled by the count; one that says four is kept."""
    from vidsage.agent.loop import numbers_in

    settings, _ = library
    wrong = '{"evidence": ["E1"], "answer": "There is one car."}'
    result = run_agent("How many cars drive through the car video?", settings, toolbox, llm=ScriptedLLM([wrong]))
    assert result["answer"].startswith("4 cars") and result["streamed"] is False, result["answer"]
    right = '{"evidence": ["E1"], "answer": "Four cars drive through."}'
    result = run_agent("How many cars drive through the car video?", settings, toolbox, llm=ScriptedLLM([right]))
    assert result["answer"] == "Four cars drive through.", result["answer"]
    assert numbers_in("There are 6 people, not seven.") == {6, 7}


def test_what_a_text_on_screen_says_is_read_from_the_screen(library, toolbox):
    """Big Buck Bunny (by eye): "THE PEACH OPEN MOVIE PROJECT PRESENTS" shows beside the bird on the
    branch (20.4-23 s). A model that answers with a tag of that shot is overruled by the text read
    there; one that quotes the text is kept."""
    settings, _ = library
    tag = '{"evidence": ["E1"], "answer": "king penguin (bird)"}'
    q = "What does the text next to the bird on the branch say?"
    result = run_agent(q, settings, toolbox, llm=ScriptedLLM([tag]))
    assert "PEACH OPEN MOVIE PROJECT" in result["answer"], result["answer"]
    (cited,) = result["citations"]
    assert cited["video"].endswith("big_buck_bunny_0_30.webm") and 19.5 <= cited["start"] <= 23.0, cited
    quoted = '{"evidence": ["E1"], "answer": "It says The Peach Open Movie Project presents."}'
    result = run_agent(q, settings, toolbox, llm=ScriptedLLM([quoted]))
    assert not result["answer"].startswith("The text on screen reads"), result["answer"]  # not this check's to replace
    # one frame read only part of it; the text event, read over its frames, has it whole
    part = '{"evidence": ["E1"], "answer": "The Peach Ope is written."}'
    result = run_agent("What's written at 0:21 in the bunny video?", settings, toolbox, llm=ScriptedLLM([part]))
    assert "THE PEACH OPEN MOVIE PROJECT PRESENTS" in result["answer"], result["answer"]


def test_screen_texts_of_evidence_lines():
    from vidsage.agent.loop import screen_texts
    from vidsage.tools.lc import Evidence

    event = Evidence("E1", "/m/b.webm", 25.0, 30.0, "moment",
                     'text: on-screen title in large letters "Big Buck BUNNY" (also read as: Bio Buck BUNNY) appears')
    frame = Evidence("E2", "/m/b.webm", 26.0, 26.0, "frame tags", "tags: castle; on-screen text: Big Buck | BUNNY; colours: green")
    assert screen_texts(event) == ["Big Buck BUNNY"]
    assert screen_texts(frame) == ["Big Buck"]
    assert screen_texts(Evidence("E3", "/m/b.webm", 1.0, 1.0, "frame tags", "colours: green")) == []


def test_race_and_ethnicity_are_not_judged(library, toolbox):
    """No shipped model sees race or ethnicity, and none should guess it from a face: such a question
    is declined without a search or a model call; "the race" as a contest is not such a question."""
    from vidsage.agent.loop import _TRAITS

    settings, _ = library
    result = run_agent("What race is the man in the red shirt?", settings, toolbox, llm=ScriptedLLM([]))
    assert "does not judge" in result["answer"] and not result["citations"] and not result["tool_calls"]
    assert result["route"]["kind"] == "declined"
    for q in ("What is the ethnicity of the first speaker?", "What colour is her skin?"):
        assert _TRAITS.search(q), q
    for q in ("Who wins the race?", "When does the race start?", "What colour is his shirt?"):
        assert not _TRAITS.search(q), q


def test_the_wall_behind_people_is_the_colour_most_moments_read(library, toolbox):
    """grid_seven_speakers (by eye): seven speakers in front of a blue-cyan studio wall, some in green
    or red tops. A model that names one moment's other colour (green) is overruled by the colour the
    background reads in most moments shown; one that says cyan is kept."""
    settings, _ = library
    question = "What colour is the wall behind the speakers?"
    green = '{"evidence": ["E1"], "answer": "The wall is green."}'
    result = run_agent(question, settings, toolbox, llm=ScriptedLLM([green]))
    assert "reads cyan" in result["answer"] or "reads blue" in result["answer"], result["answer"]
    assert result["citations"] and all("grid_seven_speakers" in c["video"] for c in result["citations"]), result
    cyan = '{"evidence": ["E1"], "answer": "The wall behind them is cyan."}'
    result = run_agent(question, settings, toolbox, llm=ScriptedLLM([cyan]))
    assert result["answer"] == "The wall behind them is cyan.", result["answer"]


def test_black_and_white_or_colour_is_read_from_the_index(library, toolbox):
    """friday is a 1940 black-and-white film; Big Buck Bunny is a colour cartoon (both by eye). A
    model that guesses "yes" for the cartoon is overruled by what indexing decided."""
    settings, _ = library
    guess = '{"evidence": ["E1"], "answer": "Yes, it is in black and white."}'
    result = run_agent("Is the bunny video in black and white?", settings, toolbox, llm=ScriptedLLM([guess]))
    assert result["answer"].startswith("In colour: big_buck_bunny_0_30.webm"), result["answer"]
    result = run_agent("Is the friday clip in colour or black and white?", settings, toolbox, llm=ScriptedLLM([guess]))
    assert result["answer"].startswith("Black and white: friday_his_girl_friday.mp4"), result["answer"]


def test_a_video_length_is_read_from_the_listing(library, toolbox):
    """jfk.flac is 11 s long (its file says so). Whatever the model makes of the listing, the length
    is the listing's, for the video the question names."""
    settings, _ = library
    wrong = '{"evidence": ["E1"], "answer": "The clip is 2 minutes long."}'
    result = run_agent("How long is the jfk clip?", settings, toolbox, llm=ScriptedLLM([wrong, wrong]))
    assert result["answer"] == "jfk.flac is 00:11 long.", result["answer"]
    from vidsage.agent.router import route

    assert route("How long is the red car on screen?").kind != "list"  # an event's length, not a video's
    (cited,) = result["citations"]
    assert cited["video"].endswith("jfk.flac"), cited
    # all together: the sum, with each (the library's seven files, by their lengths, come to 140.4 s)
    total = run_agent("What's the total length of all my videos?", settings, toolbox, llm=ScriptedLLM([wrong, wrong]))
    assert total["answer"].startswith("7 videos, 02:20 long in all") and "jfk.flac is 00:11 long" in total["answer"], total["answer"]
    assert route("What video files do I have?").kind == "list"
    # the video named and nothing else after "how long is"
    named = run_agent("How long is car-detection?", settings, toolbox, llm=ScriptedLLM([wrong, wrong]))
    assert named["answer"] == "car-detection.mp4 is 00:30 long.", named["answer"]


def test_which_videos_are_silent_is_read_from_the_listing(library, toolbox):
    """The library's "vidéo sans son" copy of GRID has no audio track (made so, see MANIFEST.md);
    Big Buck Bunny's opening and car-detection have sound but no speech (by ear)."""
    from vidsage.agent.router import route

    settings, _ = library
    assert route("Are any of my videos silent?").kind == "list"
    assert route("When is there no sound in the car video?").kind != "list"
    wrong = '{"evidence": ["E1"], "answer": "jfk.flac has no sound."}'
    result = run_agent("Which videos have no sound?", settings, toolbox, llm=ScriptedLLM([wrong, wrong]))
    mute, _, quiet = result["answer"].partition("Sound but no speech found:")
    assert mute.startswith("No audio track:") and "sans son" in mute and "jfk" not in mute, result["answer"]
    assert "big_buck_bunny_0_30.webm" in quiet and "car-detection.mp4" in quiet, result["answer"]


def test_when_answers_say_times_as_mm_ss():
    """Seen in eval answers: "shown at 00:00:12" for 12 s, and "at 01:23:19 s" for a moment at 01:23
    lasting 19 s. Times in mm:ss are left alone, another moment's too."""
    from vidsage.agent.loop import plain_times

    assert plain_times("The bird is shown at 00:00:12.", {"start": 0.0, "end": 11.9}) == "The bird is shown at 00:12."
    assert plain_times("at 01:23:19 s", {"start": 82.8, "end": 105.0}) == "at 01:23"
    kept = "00:15–00:19, after the white car at 00:05"
    assert plain_times(kept, {"start": 15.0, "end": 19.3}) == kept
    assert plain_times("at 1:05:00", {"start": 3900.0, "end": 3905.0}) == "at 1:05:00"


def test_questions_over_the_video_list_are_answered_from_it(library, toolbox):
    """By the files: friday is the shortest (6 s); jfk, friday and GRID (and its audio-only copy)
    speak English; faces are seen in friday, GRID and its silent copy, cars only in car-detection
    (by eye). Whatever the model says, these come from the list and what indexing found."""
    from vidsage.agent.router import route

    settings, _ = library
    wrong = '{"evidence": ["E1"], "answer": "jfk.flac."}'

    def ask(q: str) -> dict:
        return run_agent(q, settings, toolbox, llm=ScriptedLLM([wrong, wrong]))

    assert ask("What is the shortest clip?")["answer"].startswith("friday_his_girl_friday.mp4 is the shortest")
    english = ask("List the videos with English speech.")
    names = {Path(c["video"]).name for c in english["citations"]}
    assert {"jfk.flac", "friday_his_girl_friday.mp4", "grid_seven_speakers.mp4"} <= names, english["answer"]
    assert not names & {"car-detection.mp4", "big_buck_bunny_0_30.webm"}, english["answer"]
    people = ask("In which videos does a person appear?")
    names = {Path(c["video"]).name for c in people["citations"]}
    assert {"friday_his_girl_friday.mp4", "grid_seven_speakers.mp4"} <= names, people["answer"]
    assert not names & {"car-detection.mp4", "big_buck_bunny_0_30.webm", "jfk.flac"}, people["answer"]
    cars = ask("Which videos have cars in them?")
    assert [Path(c["video"]).name for c in cars["citations"]] == ["car-detection.mp4"], cars["answer"]
    assert "4 cars" in cars["answer"]
    # languages as the transcriber found them: only English is spoken here (jfk, friday, GRID, its audio)
    langs = ask("How many different languages are spoken across my videos?")
    assert langs["answer"].startswith("1 language spoken in 7 videos: English"), langs["answer"]
    assert {Path(c["video"]).name for c in langs["citations"]} == {
        "jfk.flac", "friday_his_girl_friday.mp4", "grid_seven_speakers.mp4", "grid_seven_speakers_audio_only.m4a"}
    assert ask("What languages are spoken in the bunny video?")["answer"].startswith(
        "No speech found in big_buck_bunny_0_30.webm"), "the bunny clip has no speech"
    # filtered by length (whole seconds), by picture, by speech; "how many" says how many it names
    long = ask("Which videos are longer than 25 seconds?")  # car-detection 30.2 s, the bunny 30.0 s
    assert {Path(c["video"]).name for c in long["citations"]} == {"car-detection.mp4", "big_buck_bunny_0_30.webm"}
    assert not ask("Which videos are longer than 30 seconds?")["answer"].startswith("Longer"), "30.0 s is not longer"
    audio = ask("Which files are audio only?")
    assert {Path(c["video"]).name for c in audio["citations"]} == {"jfk.flac", "grid_seven_speakers_audio_only.m4a"}
    grey = ask("Which videos are in black and white?")
    assert [Path(c["video"]).name for c in grey["citations"]] == ["friday_his_girl_friday.mp4"], grey["answer"]
    assert ask("How many videos have speech?")["answer"].startswith("4 of 7 videos."), "jfk, friday, GRID, its audio"
    least = ask("Which video has the least speech?")  # friday: 6 s
    assert [Path(c["video"]).name for c in least["citations"]] == ["friday_his_girl_friday.mp4"], least["answer"]
    listing = ask("What videos are there?")
    assert listing["answer"].startswith(f"{len(toolbox.list_videos())} videos:"), listing["answer"]
    # a question about what is said in them is a search of speech, not of the list
    assert route("Which videos mention the president?").kind == "said"
    assert route("Which video is the longest?").kind == "list"
    # one that asks more than the list knows is the model's
    hat = ask("Which videos have a man in a hat?")
    assert not hat["answer"].startswith("People found in"), hat["answer"]


def test_a_picture_question_that_names_no_video_looks_at_each_that_fits(library, toolbox):
    """Of the library's videos with a picture only car-detection (30.2 s) and Big Buck Bunny (30 s)
    last past 0:25 (by their files): both are looked at, then the model answers."""
    settings, _ = library
    reply = '{"evidence": ["E2"], "answer": "The title Big Buck Bunny."}'
    result = run_agent("What is on screen at 0:25?", settings, toolbox, llm=ScriptedLLM([reply, reply]))
    looked = [(c["tool"], Path(c["args"]["video"]).name) for c in result["tool_calls"]]
    assert sorted(looked) == [("caption_frame", "big_buck_bunny_0_30.webm"), ("caption_frame", "car-detection.mp4")], looked


def test_a_summary_that_names_no_video_overviews_each(library, toolbox):
    """Seven videos are indexed and the question names none: the model finds nothing to summarise,
    and the answer is what indexing found in the videos, each cited whole."""
    settings, _ = library
    result = run_agent("What is this video about?", settings, toolbox,
                       llm=ScriptedLLM(['{"evidence": ["E1"], "answer": "Not found."}'] * 4))
    n = len(toolbox.list_videos())
    assert result["answer"].startswith(f"Which video? You have {n}; what was found in 5 of them: "), result["answer"]
    assert len(result["citations"]) == 5 and all(c["start"] == 0.0 for c in result["citations"])


def test_what_comes_after_an_event_is_said_as_worked_out(library, toolbox):
    """car-detection (by eye): the white sedan (25.2-27.8 s) is the car after the red one (15-18.9 s).
    A model that gives the red car's name with the white car's times is overruled."""
    settings, _ = library
    muddled = '{"evidence": ["E1"], "answer": "The red car drives past at 00:25."}'
    result = run_agent("Which car drives past after the red car?", settings, toolbox, llm=ScriptedLLM([muddled] * 2))
    assert result["answer"].startswith("White car") and "(after red car" in result["answer"], result["answer"]
    (cited,) = result["citations"]
    assert abs(cited["start"] - 25.2) <= 1.0, cited


def test_a_letter_asked_for_is_the_letter_said(library, toolbox):
    """GRID's second speaker says "Bin blue F2 now." (its .align file: f, two). Asked what letter he
    says, the model gave "B", the first letter of "Bin"."""
    settings, _ = library
    wrong = '{"evidence": ["E1"], "answer": "He says B."}'
    result = run_agent("What letter does the man in the denim shirt say?", settings, toolbox,
                       llm=ScriptedLLM([wrong] * 2))
    assert result["answer"].startswith("F (“"), result["answer"]
    from vidsage.agent.loop import letter_answer
    from vidsage.tools.lc import Evidence

    said = [Evidence("E1", "/m/grid.mp4", 3.7, 5.1, "said", "Bin blue F2 now.")]
    assert letter_answer("What number does he say?", "He says seven.", said)[0].startswith("2 (")
    assert letter_answer("What number is on his shirt?", "7", said) is None  # seen, not said


def test_speakers_are_not_counted_where_no_face_tells_them_apart(library, toolbox):
    """jfk.flac has no picture; "country" is said twice (by ear, by one man). A model that counts two
    speakers is overruled by what the index can tell."""
    settings, _ = library
    wrong = '{"evidence": ["E1"], "answer": "2 speakers say country."}'
    result = run_agent("How many speakers say country?", settings, toolbox, video="jfk.flac", llm=ScriptedLLM([wrong] * 2))
    assert result["answer"].startswith("Speakers are not counted in jfk.flac"), result["answer"]


def test_a_time_past_the_end_of_the_video_named_is_said_to_be(library, toolbox):
    """friday lasts 6.2 s and jfk 11 s (by their files): 0:40 in friday is past its end, and said so
    with no model asked; 0:09 in jfk is not."""
    settings, _ = library
    past = run_agent("What's happening around 0:40 in his girl friday?", settings, toolbox, llm=ScriptedLLM([]))
    assert past["route"]["kind"] == "past_end", past["route"]
    assert past["answer"] == "friday_his_girl_friday.mp4 is only 00:06 long: 00:40 is past its end.", past["answer"]
    assert [Path(c["video"]).name for c in past["citations"]] == ["friday_his_girl_friday.mp4"]
    inside = run_agent("What is said at 0:09 in jfk.flac?", settings, toolbox,
                       llm=ScriptedLLM(['{"evidence": ["E1"], "answer": "ask what you can do for your country"}']))
    assert inside["route"]["kind"] != "past_end", inside["answer"]


def test_a_speaker_numbered_is_the_nth_speaker(library, toolbox):
    """"Speaker 2" is the second speaker: in GRID (by ear) the second says "bin blue F2 now" at
    3.7-5.1 s. The result keeps the question as asked."""
    from vidsage.tools.lexical import numbered_as_ordinal

    assert numbered_as_ordinal("What is person #3 wearing?") == "What is the third person wearing?"
    assert numbered_as_ordinal("what does the speaker say at 5 seconds?") == "what does the speaker say at 5 seconds?"
    settings, _ = library
    q = "What does speaker 2 say in the grid video?"
    result = run_agent(q, settings, toolbox, llm=ScriptedLLM(['{"evidence": ["E1"], "answer": "Bin blue F2 now."}']))
    assert result["question"] == q
    first = result["tool_calls"][0]
    assert first["tool"] == "find_moments" and "bin blue" in first["content"].lower(), first["content"][:300]
    top = result["citations"][0]
    assert Path(top["video"]).name == "grid_seven_speakers.mp4" and 3.0 <= top["start"] <= 4.5, top


def test_music_is_not_denied_where_vidsage_cannot_hear_it(library, toolbox):
    """The bunny clip has a sound track with no speech (by ear, a score); the silent GRID copy has no
    audio track (by its streams). The model said "no music" of the bunny clip."""
    settings, _ = library
    no = '{"evidence": ["E1"], "answer": "No, there is no music."}'
    bunny = run_agent("Is there music in the bunny video?", settings, toolbox, llm=ScriptedLLM([no, no]))
    assert "cannot tell whether that sound is music" in bunny["answer"], bunny["answer"]
    assert bunny["answer"].startswith("big_buck_bunny_0_30.webm has sound"), bunny["answer"]
    silent = run_agent("Is there any music in vidéo sans son – 七人の話者 (video only).mp4?", settings, toolbox,
                       llm=ScriptedLLM([no, no]))
    assert silent["answer"].endswith("has no audio track, so no music."), silent["answer"]
    # with speech: a song may be in its words, but "no music" is not something vidsage heard
    jfk = run_agent("Is there music in the jfk clip?", settings, toolbox, llm=ScriptedLLM([no, no]))
    assert jfk["answer"] == "vidsage hears speech only, so it cannot tell whether there is music in jfk.flac.", jfk["answer"]


def test_how_long_something_stays_is_its_events_length(library, toolbox):
    """By eye the red car is on screen 15.04-18.8 s: about 4 s. The model gave the time a visitor
    stood still for the length of their visit; a length its answer does not state is the event's."""
    from vidsage.agent.router import route

    settings, _ = library
    q = "How many seconds is the red car on screen?"
    assert route(q).tool == "find_moments" and route("How long is the grid video?").kind == "list"
    result = run_agent(q, settings, toolbox, llm=ScriptedLLM(['{"evidence": ["E1"], "answer": "About 9 seconds."}']))
    said = re.match(r"About (\d+) seconds: 00:1[45]", result["answer"])
    assert said and abs(int(said.group(1)) - 3.8) <= 1.0, result["answer"]


def test_a_count_by_sex_says_that_vidsage_cannot_tell(library, toolbox):
    """GRID shows seven speakers, faces per shot (by eye: four men, three women). Nothing here tells
    women from men: "how many women?" gives the count of everyone and says so."""
    settings, _ = library
    said = '{"evidence": ["E1"], "answer": "There are 7 women."}'
    women = run_agent("How many women are in the grid video?", settings, toolbox, llm=ScriptedLLM([said, said]))
    assert women["answer"].startswith("vidsage does not tell women from men, so how many are women is not known"), women
    assert "7 people in grid_seven_speakers.mp4" in women["answer"], women["answer"]
    people = run_agent("How many people are in the grid video?", settings, toolbox,
                       llm=ScriptedLLM(['{"evidence": ["E1"], "answer": "7 people."}']))
    assert "women" not in people["answer"], people["answer"]


def test_a_stretch_named_is_told_from_what_was_found_in_it(library, toolbox):
    """car-detection (by eye): between 0:10 and 0:20 a silver car drives top->bottom (14.8-19.0 s)
    and a red one bottom->top (15-19 s); nothing else passes then, and nothing is said. jfk (by ear)
    says "And so my fellow Americans, ask not ..." in its first 5 seconds. No model is asked."""
    from vidsage.tools.lexical import time_range_in

    assert time_range_in("what happens between 10 and 20 seconds?") == (10.0, 20.0)
    assert time_range_in("from 1:00 to 1:30") == (60.0, 90.0) and time_range_in("between 0:20 and 0:10") == (10.0, 20.0)
    assert time_range_in("in the first 30 seconds") == (0.0, 30.0)
    assert time_range_in("lay blue at x four now") is None and time_range_in("2 to 3 seconds long") is None
    settings, _ = library
    cars = run_agent("What happens between 10 and 20 seconds in car-detection?", settings, toolbox, llm=ScriptedLLM([]))
    assert cars["route"]["kind"] == "span", cars["route"]
    answer = cars["answer"]
    assert "red car" in answer and answer.count(" car ") + answer.count(" car (") >= 2, answer
    assert "enters from the top" in answer and "enters from the bottom" in answer, answer  # both ways across
    assert "00:05" not in answer and "00:25" not in answer, answer  # the cars outside the stretch are not in it
    assert "nothing is said" in answer, answer
    c = cars["citations"][0]
    assert Path(c["video"]).name == "car-detection.mp4" and (c["start"], c["end"]) == (10.0, 20.0), c
    said = run_agent("What does jfk say in the first 5 seconds?", settings, toolbox, llm=ScriptedLLM([]))
    assert said["route"]["kind"] == "span" and "fellow Americans" in said["answer"], said["answer"]
    assert "can do for you" not in said["answer"], said["answer"]  # said after 5 s
    last = run_agent("What is said in the last 3 seconds of jfk?", settings, toolbox, llm=ScriptedLLM([]))
    assert last["route"]["kind"] == "span" and "do for your country" in last["answer"], last["answer"]
    assert "fellow Americans" not in last["answer"], last["answer"]  # said at the start
    # a stretch where a static camera saw nothing: said so, with what it shows at other times
    empty = run_agent("What happens between 0:00 and 0:04 in car-detection?", settings, toolbox, llm=ScriptedLLM([]))
    assert "nothing is on screen then (it shows 4 cars" in empty["answer"], empty["answer"]
    past = run_agent("What happens between 5:00 and 6:00 in car-detection?", settings, toolbox, llm=ScriptedLLM([]))
    assert past["answer"] == "car-detection.mp4 is only 00:30 long: 05:00 is past its end.", past["answer"]
    assert past["citations"][0]["end"] <= 30.3, past["citations"]
    # no video named, and none lasts that long: said so, with the longest (car-detection, 30.2 s)
    none = run_agent("What happens between 10 and 20 minutes?", settings, toolbox, llm=ScriptedLLM([]))
    assert none["answer"] == "No video lasts past 10:00: the longest, car-detection.mp4, is 00:30 long.", none["answer"]
    # no video named: each of the few that last into the stretch (the bunny clip and car-detection;
    # the rest of the library ends by 0:21)
    both = run_agent("What happens between 0:22 and 0:25?", settings, toolbox, llm=ScriptedLLM([]))
    assert sorted(Path(c["video"]).name for c in both["citations"]) == ["big_buck_bunny_0_30.webm", "car-detection.mp4"]
    assert "car-detection.mp4, 00:22–00:25: nothing is on screen then" in both["answer"], both["answer"]


def test_a_language_asked_of_a_video_is_yes_or_no_from_what_was_heard(library, toolbox):
    """jfk.flac is in English (by ear); the GRID copy too. No model is asked."""
    settings, _ = library
    no = run_agent("Is jfk speaking French?", settings, toolbox, llm=ScriptedLLM([]))
    assert no["answer"] == "No: jfk.flac is spoken in English.", no["answer"]
    yes = run_agent("Is the grid video in English?", settings, toolbox, llm=ScriptedLLM([]))
    assert yes["answer"].startswith("Yes: grid_seven_speakers"), yes["answer"]
    silent = run_agent("Does the car-detection video have English speech?", settings, toolbox, llm=ScriptedLLM([]))
    assert silent["answer"] == "No: no speech was found in car-detection.mp4.", silent["answer"]


def test_words_and_sentences_said_are_counted(library, toolbox):
    """By ear: jfk says 22 words ("And so my fellow Americans, ask not what your country can do for
    you, ask what you can do for your country"); friday's subtitles hold 5 sentences (one a cue with
    no full stop: "Yes, he's in - in a bad humor")."""
    settings, _ = library
    words = run_agent("How many words does jfk say?", settings, toolbox, llm=ScriptedLLM([]))
    assert words["answer"] == "22 words said in jfk.flac.", words["answer"]
    sentences = run_agent("How many sentences are said in the friday clip?", settings, toolbox, llm=ScriptedLLM([]))
    assert sentences["answer"] == "5 sentences said in friday_his_girl_friday.mp4.", sentences["answer"]


def test_a_yes_no_question_over_the_events_is_answered_by_their_count(library, toolbox):
    """car-detection (by eye): cars 1 and 3 come in at the bottom, 2 and 4 at the top; none from the
    left. The model's "yes" is overruled by the count; at 0:16 the red car is on the road."""
    settings, _ = library
    yes = '{"evidence": ["E1"], "answer": "Yes, a car drives in from the left."}'
    no = run_agent("Does any car come in from the left in the car-detection video?", settings, toolbox,
                   llm=ScriptedLLM([yes, yes]))
    assert no["answer"].startswith("No: 0 cars in car-detection.mp4"), no["answer"]
    wrong = '{"evidence": ["E1"], "answer": "No, there is no red car then."}'
    there = run_agent("Is there a red car on the road at 0:16 in the car-detection video?", settings, toolbox,
                      llm=ScriptedLLM([wrong, wrong]))
    assert there["answer"].startswith("Yes: 1 red car in car-detection.mp4 at 00:16"), there["answer"]


def test_the_nth_sentence_said_is_read_from_the_transcript(library, toolbox):
    """GRID (by ear) says seven sentences, the fifth "lay red with P9 again" at about 12-14 s; friday's
    subtitles put "How are you?" second. No model is asked."""
    settings, _ = library
    fifth = run_agent("What's the fifth sentence in grid?", settings, toolbox, llm=ScriptedLLM([]))
    assert fifth["answer"].lower().startswith("«lay red with p9 again.»"), fifth["answer"]
    c = fifth["citations"][0]
    assert Path(c["video"]).name == "grid_seven_speakers.mp4" and 11.5 <= c["start"] <= 13.0 and c["end"] <= 15.0, c
    second = run_agent("What is the second thing said in the friday clip?", settings, toolbox, llm=ScriptedLLM([]))
    assert second["answer"].startswith("«How are you?»"), second["answer"]
    none = run_agent("What's the tenth sentence in grid?", settings, toolbox, llm=ScriptedLLM([]))
    assert none["answer"].endswith("has 7 sentences said, so no tenth one."), none["answer"]
    third = run_agent("What's the 3rd sentence in grid?", settings, toolbox, llm=ScriptedLLM([]))
    assert third["answer"].lower().startswith("«bin red by k7 now.»"), third["answer"]


def test_whether_someone_is_a_man_or_a_woman_is_not_guessed(library, toolbox):
    """No model here tells women from men: the third GRID speaker is a woman (by eye), and the
    model's "a man" is replaced by what vidsage can say."""
    settings, _ = library
    man = '{"evidence": ["E1"], "answer": "The third speaker is a man."}'
    result = run_agent("Is the third speaker a man or a woman?", settings, toolbox, llm=ScriptedLLM([man, man]))
    assert result["answer"].startswith("vidsage does not tell women from men"), result["answer"]


def test_a_hair_colour_is_the_one_read_around_the_face(library, toolbox):
    """GRID (by eye): the last speaker is bald, and no hair colour is read around his face; the
    model's "red hair" came from his red shirt."""
    settings, _ = library
    red = '{"evidence": ["E1"], "answer": "The last speaker has red hair."}'
    result = run_agent("What colour hair does the last speaker have?", settings, toolbox, llm=ScriptedLLM([red, red]))
    assert result["answer"].startswith("No hair colour was read for them (grid_seven_speakers.mp4"), result["answer"]


def test_a_list_asked_for_is_the_list_worked_out(library, toolbox):
    """car-detection (by eye) has four cars; asked to list them, the answer is the whole list with
    times, not the model's pick of two."""
    settings, _ = library
    two = '{"evidence": ["E1"], "answer": "A white car at 00:05 and a red car at 00:15."}'
    result = run_agent("List the cars in the car-detection video", settings, toolbox, llm=ScriptedLLM([two, two]))
    answer = result["answer"]
    assert answer.startswith("4 cars in car-detection.mp4: first ") and "fourth " in answer, answer
    # "who is in it?" lists the people seen: GRID's seven speakers, one face a shot
    who = run_agent("Who is in the grid video?", settings, toolbox, llm=ScriptedLLM([two, two]))
    assert who["answer"].startswith("7 people in grid_seven_speakers.mp4, counted as faces per shot"), who["answer"]


def test_writing_on_screen_is_there_or_not_by_the_texts_read(library, toolbox):
    """friday's picture has no text on it (by eye); the bunny clip shows two (its credits and title)."""
    from vidsage.agent.router import route

    settings, _ = library
    yes = '{"evidence": ["E1"], "answer": "Yes."}'
    none = run_agent("Is there any writing in the friday clip?", settings, toolbox, llm=ScriptedLLM([yes, yes]))
    assert none["answer"].startswith("No: 0 on-screen texts in friday_his_girl_friday.mp4"), none["answer"]
    two = run_agent("Is there any text on screen in the bunny video?", settings, toolbox, llm=ScriptedLLM([yes, yes]))
    assert two["answer"].startswith("Yes: 2 on-screen texts in big_buck_bunny_0_30.webm"), two["answer"]
    assert route("What does the on-screen text say at 0:21?").kind != "said_at"  # written, not said
    # with nothing more asked ("is there any writing?", no video named), the video that shows some
    bare = run_agent("Is there any writing?", settings, toolbox, llm=ScriptedLLM([yes, yes]))
    assert bare["answer"].startswith("Yes: 2 on-screen texts in big_buck_bunny_0_30.webm"), bare["answer"]


def test_sound_and_speech_of_a_video_are_read_from_its_streams_and_transcript(library, toolbox):
    """The silent GRID copy has no audio track; car-detection has one with no speech (digital
    silence, by ear); jfk speaks English. Asked what is said or whether there is sound, no model is
    asked; a summary of a video with no speech is what indexing found in its picture."""
    settings, _ = library
    silent = run_agent("Is there any sound in the video only grid copy (vidéo sans son)?", settings, toolbox,
                       video="vidéo sans son – 七人の話者 (video only).mp4", llm=ScriptedLLM([]))
    assert silent["answer"].startswith("No: ") and "has no audio track" in silent["answer"], silent["answer"]
    said = run_agent("What is said in the car-detection video?", settings, toolbox, llm=ScriptedLLM([]))
    assert said["answer"] == "car-detection.mp4 has an audio track, but no speech was found in it.", said["answer"]
    jfk = run_agent("Is there speech in jfk?", settings, toolbox, llm=ScriptedLLM([]))
    assert jfk["answer"] == "Yes: jfk.flac has speech in English.", jfk["answer"]
    overview = run_agent("Summarize the car-detection video", settings, toolbox, llm=ScriptedLLM([]))
    assert overview["answer"].startswith("car-detection.mp4 (00:30 long") and "4 cars" in overview["answer"], overview


def test_speakers_of_a_recording_with_no_picture_are_not_counted(library, toolbox):
    """jfk.flac has no picture: vidsage tells speakers apart only by faces, and says so."""
    settings, _ = library
    result = run_agent("How many speakers are there in jfk?", settings, toolbox, llm=ScriptedLLM([]))
    assert result["answer"].startswith("Speakers are not counted in jfk.flac: it has no picture"), result["answer"]


def test_a_thing_asked_of_a_time_when_none_is_tracked_is_said_to_be_absent(library, toolbox):
    """car-detection (by eye): the red car leaves at 19.0 s and the last car comes at 25.3 s; at 0:20
    the road is empty. The model had described the empty road as a car."""
    settings, _ = library
    made_up = '{"evidence": ["E1"], "answer": "The car is on the left side of the frame."}'
    result = run_agent("What is the car at 0:20 doing in car-detection?", settings, toolbox,
                       llm=ScriptedLLM([made_up, made_up]))
    answer = result["answer"]
    assert answer.startswith("Nothing tracked is on screen at 00:20 in car-detection.mp4; the nearest before: red car"), answer
    assert "after: white car" in answer and "00:25" in answer, answer


def test_nothing_before_the_first_event_is_said_to_be_nothing(library, toolbox):
    """car-detection (by eye): the road is empty until the first car at 4.5 s and after the last
    leaves at 29.0 s."""
    settings, _ = library
    made_up = '{"evidence": ["E1"], "answer": "The first car enters at 00:05."}'
    before = run_agent("What happens before the first car in car-detection?", settings, toolbox,
                       llm=ScriptedLLM([made_up, made_up]))
    assert before["answer"].startswith("Nothing tracked is on screen before "), before["answer"]
    c = before["citations"][0]
    assert c["start"] == 0.0 and 4.0 <= c["end"] <= 5.5, c


def test_things_seen_in_parts_of_the_picture_answer_what_is_on_the_wall(library, toolbox):
    """friday's wall clock is found by the window scan at indexing (no whole-frame tag names it), and
    "what hangs on the wall?" is answered from it, though similarity search scores it under the
    not-found floor. Where it is is only "top left": the answer does not claim a wall. No model is asked."""
    settings, _ = library
    friday = next(h for r in toolbox.store.done_videos().values() if "friday" in r.path
                  for h in toolbox.store.segments_of(r.video_id) if h.kind == "segment:shot")
    assert "analog clock" in friday.meta["things"], friday.meta
    wall = run_agent("What hangs on the wall of the newspaper office?", settings, toolbox, llm=ScriptedLLM([]))
    assert wall["answer"].startswith("Seen by the tagger in parts of the picture: analog clock (clock) at the top left"), \
        wall["answer"]
    assert [Path(c["video"]).name for c in wall["citations"]] == ["friday_his_girl_friday.mp4"], wall["citations"]
    # nothing else in the library was seen this way, so a video with no such things is not answered so
    car = run_agent("What objects are in the car video?", settings, toolbox, llm=ScriptedLLM([]))
    assert "Seen by the tagger" not in car["answer"], car["answer"]


def test_which_one_is_the_longest_or_fastest_is_said_from_the_events(library, toolbox):
    """By eye the first car (grey/white, 00:05-00:09) is on screen the longest and the fourth (white,
    00:25-00:28) crosses fastest. The model had said "the car on screen is the longest, lasting 4.5
    seconds", not which car; the line worked out over the events is the answer. No model is asked."""
    settings, _ = library
    longest = run_agent("Which car is on screen the longest?", settings, toolbox, llm=ScriptedLLM([]))
    assert longest["answer"].startswith("The car on screen the longest (4.5 s on screen): the first of 4, grey/white car"), \
        longest["answer"]
    fastest = run_agent("What is the fastest car?", settings, toolbox, llm=ScriptedLLM([]))
    assert fastest["answer"].startswith("The fastest car (2.5 s to cross): the fourth of 4, white car"), fastest["answer"]
    assert Path(fastest["citations"][0]["video"]).name == "car-detection.mp4" and 24.5 <= fastest["citations"][0]["start"] <= 26


def test_the_language_of_a_video_and_of_what_is_said_at_a_point(library, toolbox):
    """jfk.flac is in English (by ear). Asked which language, of a video named, the answer is read
    from what the transcriber found, at a point from the words said then. No model is asked."""
    settings, _ = library
    whole = run_agent("What language is the jfk recording in?", settings, toolbox, llm=ScriptedLLM([]))
    assert whole["answer"] == "jfk.flac is spoken in English.", whole["answer"]
    end = run_agent("Which language is spoken at the end of jfk?", settings, toolbox, llm=ScriptedLLM([]))
    assert end["answer"].startswith("English: «") and "your country" in end["answer"], end["answer"]
    assert Path(end["citations"][0]["video"]).name == "jfk.flac"


def test_who_is_seen_wearing_or_with_hair_of_a_colour(library, toolbox):
    """GRID by eye: the seventh speaker wears a red shirt, the sixth has grey hair; no one there or
    in friday has blonde hair. The transcript's "lay red with P9 again" had been the answer to "which
    speaker wears red?" (speech matched "red"), and the model gave someone "blonde hair" whose hair
    was never read. No model is asked."""
    settings, _ = library
    for question, answer in [
        ("Which speaker wears red?", "The seventh person seen (grid_seven_speakers.mp4, 00:18–00:21): 1 face (wearing red "
                                     "on top), says «"),
        ("Which speaker has grey hair?", "The sixth person seen (grid_seven_speakers.mp4, 00:15–00:18): 1 face (grey"),
        # no one in GRID or friday is read as wearing a hat (friday's woman does wear one: the head's
        # tags miss it, and the answer says they can); the model had said "the one in the first moment"
        ("Which speaker wears a hat?", "No one seen is read as wearing a hat (in "),
        ("Does anyone wear a hat?", "No: no one seen is read as wearing a hat"),
        # nothing here reads ordinary glasses (the fourth GRID speaker wears some): said, not guessed
        ("Which speaker wears glasses?", "vidsage does not read glasses off faces"),
        # friday is black-and-white film: no one there is read in red (the model had answered from its tags)
        ("Who is in red in the friday clip?", "No one seen is read as wearing red on top (read on top: grey in "
                                              "friday_his_girl_friday.mp4)"),
        ("Who has blonde hair?", "No one seen is read as having blonde hair (read around faces: dark in "),
    ]:
        got = run_agent(question, settings, toolbox, llm=ScriptedLLM([]))["answer"]
        assert got.startswith(answer), (question, got)
        assert "can miss one" in got or "hat" not in question, got
