"""Languages of speech: each chunk labelled by its own text, and "when is it read in German?" answered
with the stretch in that language. multilingual.mp3 (MANIFEST.md) reads a licence in English, then in
German from about 31 s to the end (59.9 s); french.aiff is French throughout."""

from __future__ import annotations

import pytest

from vidsage.index.language import text_language
from vidsage.tools.spoken_language import languages_spoken


@pytest.fixture(scope="module")
def mixed(media, tmp_path_factory):
    from vidsage.agent.answer import get_toolbox
    from vidsage.config import load_settings
    from vidsage.index.pipeline import index_paths

    settings = load_settings(db=str(tmp_path_factory.mktemp("languages")))
    summary = index_paths([media / "multilingual.mp3", media / "french.aiff"], settings)
    assert all(r.status == "indexed" for r in summary.results), summary.results
    return get_toolbox(settings)


def test_text_language_is_confident_only_on_enough_text():
    assert text_language("Jeden, der diese Software und die dazugehörigen Dokumentationsdateien erhält")[0] == "de"
    assert text_language("Permission is hereby granted, free of charge, to any person")[0] == "en"
    assert text_language("ok")[0] is None


def test_languages_named_as_speech_not_as_topic():
    assert languages_spoken("When is the licence read in German?") == {"de"}
    assert languages_spoken("When does she switch to French?") == {"fr"}
    assert languages_spoken("When does he talk about the English Channel?") == set()
    assert languages_spoken("When is German spoken in the multilingual file?") == {"de"}
    assert languages_spoken("Is French heard anywhere?") == {"fr"}
    assert languages_spoken("When does the German begin?") == {"de"}
    assert languages_spoken("When does the English teacher start the lesson?") == set()


def test_chunks_carry_the_language_of_their_text(mixed):
    vid = mixed.store.resolve_video("multilingual.mp3").video_id
    chunks = sorted(mixed.store.get("transcript", video_ids=[vid]), key=lambda h: h.start)
    langs = [h.meta.get("language") for h in chunks]
    assert "en" in langs and "de" in langs, langs
    assert all(h.meta["language"] == "de" for h in chunks if h.start >= 32.0), [(h.start, h.meta["language"]) for h in chunks]
    assert all(h.meta["language"] == "en" for h in chunks if h.end <= 30.0)


def test_when_is_it_read_in_german(mixed):
    top = mixed.find_moments("When is the licence read in German?", k=3)[0]
    assert top.video.endswith("multilingual.mp3")
    assert 28.0 <= top.start <= 33.0 and top.end >= 55.0, top


def test_a_video_all_in_one_language_is_not_a_language_stretch(mixed):
    top = mixed.find_moments("When does she speak in French?", k=3)
    assert not top or not (top[0].video.endswith("french.aiff") and top[0].evidence[0].meta.get("chunks"))


def test_what_the_german_speaker_says_is_read_from_the_german_stretch(mixed, tmp_path):
    """"What does the German speaker say?" reads the German part (from ~31 s), not the whole file from
    its English start (the model then quoted the English licence)."""
    from agent_fixtures import ScriptedLLM

    from vidsage.agent.loop import run_agent

    result = run_agent("What does the German speaker say?", mixed.settings, mixed,
                       llm=ScriptedLLM(['{"evidence": ["E1"], "answer": "Jeden, der diese Software erhält"}']))
    read = [c for c in result["tool_calls"] if c["tool"] == "get_transcript"]
    assert read and 28.0 <= read[0]["args"]["start"] <= 33.0, read
    assert "Jeden" in read[0]["content"] and "Permission" not in read[0]["content"], read[0]["content"][:200]


def test_a_translation_asked_for_is_the_words_with_their_english(mixed):
    """french.aiff says (by ear) "et voici la première dictée". Asked to translate, the small model
    copied the words; the loop then asks it for their English, quoting the words it translates."""
    from agent_fixtures import ScriptedLLM

    from vidsage.agent.loop import run_agent

    copied = '{"evidence": ["E1"], "answer": "Et voici la première dictée."}'
    result = run_agent("Translate what the French speaker says", mixed.settings, mixed,
                       llm=ScriptedLLM([copied, "And here is the first dictation."]))
    words, _, english = result["answer"].partition(" in English: ")
    assert "dictée" in words.lower() and english == "And here is the first dictation.", result["answer"]
    assert [c["step"] for c in result["llm_calls"]][-1] == "translate"
    # an answer already in English is left as it is
    done = run_agent("Translate what the French speaker says", mixed.settings, mixed,
                     llm=ScriptedLLM(['{"evidence": ["E1"], "answer": "Here is the first dictation."}']))
    assert done["answer"] == "Here is the first dictation.", done["answer"]


def test_words_read_from_a_stretch_are_joined_as_written(mixed):
    """french.aiff (by ear) "et c'est la dictée numéro un": the recogniser splits "c" "'est", and the
    tool that reads a short stretch had joined its words with spaces ("c 'est"; "扎 自己 的 脚")."""
    from vidsage.tools.lc import EvidenceLog, make_tools, run_tool

    rec = run_tool(make_tools(mixed, EvidenceLog()), "get_transcript",
                   {"video": "french.aiff", "start": 0.0, "end": 2.5})
    assert rec["ok"] and "c'est" in rec["content"] and "c 'est" not in rec["content"], rec["content"]
