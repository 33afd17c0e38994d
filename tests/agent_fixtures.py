"""Fixtures for the agent tests and benchmark: a real store of the bundled media, and question sets.

`build_store` indexes the files with the real pipeline (`vidsage.index.pipeline.index_paths`).
TEMPORARY fallback while the pipeline is being finished: when it cannot run, the store is filled
directly with `Store.add`, using the real embedder and the reference transcripts of MANIFEST.md
(jfk.flac, the His Girl Friday clip's .vtt) with word times spread over each phrase, and a keyframe
text for the film clip written from MANIFEST's description. The fallback says so in its return
value, so a test run shows which store it used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vidsage.agent.llm import LLM
from vidsage.types import VideoRecord


class ScriptedLLM(LLM):
    """A model that replies with the given texts in turn: the loop is under test, not the model."""
    name = "scripted"

    def __init__(self, replies: list[str]):
        super().__init__()
        self.replies = list(replies)

    def _chat(self, messages, response_format, max_tokens, stream, temperature) -> Iterator[str]:
        yield self.replies.pop(0) if self.replies else '{"evidence": ["E1"], "answer": "done"}'

# (start, end, text) phrases from MANIFEST.md
JFK = [(0.3, 2.0, "And so my fellow Americans,"), (3.3, 4.3, "ask not"),
       (5.4, 7.5, "what your country can do for you,"), (8.2, 10.3, "ask what you can do for your country.")]
FRIDAY = [(0.0, 1.0, "Hildy!"), (1.0, 1.5, "How are you?"), (1.5, 3.0, "Tell me, is the lord of the universe in?"),
          (3.0, 4.3, "Yes, he's in - in a bad humor"), (4.3, 6.0, "Somebody must've stolen the crown jewels")]
FRIDAY_FRAMES = [(0.5, "tags: switchboard, desk, hat; 3 faces; colours: grey, black, white"),
                 (4.0, "tags: switchboard, wall clock, file cabinet; 3 faces; colours: grey, black, white")]


def build_store(db: str | Path, media: Path, settings, files: tuple[str, ...] = ("jfk.flac", "friday_his_girl_friday.mp4"),
                extra_chunks: list[tuple[str, float, float, str]] | None = None) -> str:
    """Index `files` into `db`; returns "pipeline" or "manifest" (the temporary direct fill)."""
    paths = [media / f for f in files]
    if extra_chunks is None:
        try:
            from vidsage.index.pipeline import index_paths

            summary = index_paths(paths, settings)
            if all(r.status in ("indexed", "unchanged", "alias") for r in summary.results):
                return "pipeline"
        except ImportError:  # a pipeline module not written yet
            pass
    fill_from_manifest(db, media, settings, files, extra_chunks or [])
    return "manifest"


def fill_from_manifest(db, media: Path, settings, files, extra_chunks: list[tuple[str, float, float, str]]) -> None:
    from vidsage.index.embed import get_embedder
    from vidsage.index.store import Store

    emb = get_embedder(settings)
    store = Store(str(db), models={c: emb.name for c in ("frames", "segments", "transcript")})
    known = {"jfk.flac": (JFK, [], 11.0, "audio flac"),
             "friday_his_girl_friday.mp4": (FRIDAY, FRIDAY_FRAMES, 6.17, "video h264 640x480, audio aac")}
    for i, name in enumerate(files):
        phrases, frames, duration, streams = known[name]
        path = str((media / name).absolute())
        vid = f"fixture{i:02d}{name.replace('.', '')[:20]}"
        words = [[round(s + (e - s) * j / len(p.split()), 2), round(s + (e - s) * (j + 1) / len(p.split()), 2), w]
                 for s, e, p in phrases for j, w in enumerate(p.split())]
        text = " ".join(p for _, _, p in phrases)
        chunks = [(phrases[0][0], phrases[-1][1], text, words)]
        chunks += [(s, e, t, None) for n, s, e, t in extra_chunks if n == name]
        vecs = emb.embed_passages([c[2] for c in chunks])
        store.add("transcript", vid, path, ((str(j), v, c[2], {"start": c[0], "end": c[1], "source": "manifest",
                                                                "language": "en", "words": c[3]})
                                            for j, (c, v) in enumerate(zip(chunks, vecs))))
        if frames:
            fv = emb.embed_passages([t for _, t in frames])
            store.add("frames", vid, path, ((str(j), v, t, {"t": ft, "start": ft, "end": ft, "shot": 0})
                                           for j, ((ft, t), v) in enumerate(zip(frames, fv))))
            seg = "shot 1; " + frames[0][1]
            store.add("segments", vid, path, [("shot0", emb.embed_passages([seg])[0], seg,
                                               {"kind": "shot", "start": 0.0, "end": duration, "shot": 0})])
        store.put_video(VideoRecord(video_id=vid, path=path, paths=[path], duration=duration, streams=streams,
                                    status="done", chunks=len(chunks), keyframes=len(frames), language="en",
                                    models={"embedder": emb.name}))


# -- routing eval: (question, acceptable first tools). "when" questions must take find_moments (the
# fast path); picture questions may use frames or segments. Varied wording on purpose, including
# questions that mention both speech and picture, and a clock question that is not a "when".
SEEN = ("search_frames", "search_segments")
# first / last / n-th / count / before-after: worked out over the event list, which find_moments consults
EVENTS = ("find_moments",) + SEEN
ROUTING_CASES: list[tuple[str, tuple[str, ...]]] = [
    ("When does he say ask not what your country can do for you?", ("find_moments",)),
    ("At what point does the woman mention the crown jewels?", ("find_moments",)),
    ("where in the video does the red car appear", ("find_moments",)),
    ("What time does the bird fly away?", ("find_moments",)),
    ("at which moment does the title Big Buck Bunny show up", ("find_moments",)),
    ("Find the moment the second person walks in", ("find_moments",)),
    ("How far into the clip does someone say Hildy?", ("find_moments",)),
    ("when do they talk about helmets", ("find_moments",)),
    ("When is the first white car visible?", ("find_moments",)),
    ("What does the speaker ask people to do?", ("search_transcript",)),
    ("What does he say about penguins?", ("search_transcript",)),
    ("what did Houston tell the crew about helmet bags", ("search_transcript",)),
    ("Who is asked about the lord of the universe?", ("search_transcript",)),
    ("Does anyone mention the crown jewels?", ("search_transcript",)),
    ("What words does the man in the grid clip speak?", ("search_transcript",)),
    ("what is the opening line of the JFK speech", ("search_transcript", "get_transcript")),
    ("Quote what she says after hello", ("search_transcript",)),
    ("What colour is the car that drives up?", SEEN),
    ("What is the woman at the counter wearing?", SEEN),
    ("How many people are in the room?", EVENTS),
    ("What text appears on screen at the start?", ("caption_frame",) + SEEN),
    ("What does the room look like?", SEEN),
    ("what is on the wall behind the operators", SEEN),
    ("What happens after the bird leaves?", EVENTS),
    ("What colour is the car that drives up first?", EVENTS),
    ("How many cars drive through in total?", EVENTS),
    ("Do any cars pass each other?", SEEN),
    ("Summarise the JFK clip", ("list_videos", "get_transcript")),
    ("give me an overview of what is discussed", ("list_videos", "get_transcript")),
    ("Which videos do I have?", ("list_videos",)),
    ("List my videos", ("list_videos",)),
    ("What time does the clock on the wall show?", SEEN),
    ("What is in the picture of the film clip?", ("caption_frame",) + SEEN),
    ("Describe what the video shows", ("caption_frame",) + SEEN),
    ("who is the lord of the universe", ("search_transcript",)),
    ("is the boss in a good mood", ("search_transcript",)),
    # written after the router, not tuned to it
    ("Is there any dialogue about the weather?", ("search_transcript",)),
    ("Which speaker uses the word 'now'?", ("search_transcript",)),
    ("what animals can be seen", SEEN),
    ("Is anyone wearing glasses?", SEEN),
    ("How does the film clip begin?", ("search_transcript", "get_transcript", "list_videos") + SEEN),
    ("When the white car drives past, what colour is the road?", SEEN),
    ("What is the first thing the astronaut says?", ("search_transcript", "get_transcript")),
    ("Tell me about the bird", SEEN),
    ("What happens in the car video?", ("list_videos", "get_transcript")),
    ("How long is the JFK recording?", ("list_videos",)),
    ("In which video does someone speak German?", ("list_videos", "find_moments")),
]

# -- benchmark questions over the bundled samples: (kind, question, expected video file or None)
BENCH_QUESTIONS: list[tuple[str, str, str | None]] = [
    ("said", "What does the speaker ask people to do?", "jfk.flac"),
    ("said", "What does the woman say about the crown jewels?", "friday_his_girl_friday.mp4"),
    ("said", "What does he say about penguins?", None),
    ("said", "Who does she ask about the lord of the universe?", "friday_his_girl_friday.mp4"),
    ("when", "When does he say ask not what your country can do for you?", "jfk.flac"),
    ("when", "At what point does someone say Hildy?", "friday_his_girl_friday.mp4"),
    ("when", "When does she mention the crown jewels?", "friday_his_girl_friday.mp4"),
    ("what", "What is in the picture of the film clip?", "friday_his_girl_friday.mp4"),
    ("what", "Summarise the JFK clip", "jfk.flac"),
    ("what", "who is the lord of the universe", "friday_his_girl_friday.mp4"),
]
