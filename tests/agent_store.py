"""A real store of the bundled media for the agent's tests and benchmark.

`build_store` indexes the files with the real pipeline (`vidsage.index.pipeline.index_paths`).
TEMPORARY fallback while the pipeline is being finished: when it cannot run, the store is filled
directly with `Store.add`, using the real embedder and the reference transcripts of MANIFEST.md
(jfk.flac, the His Girl Friday clip's .vtt) with word times spread over each phrase, and a keyframe
text for the film clip written from MANIFEST's description. The fallback says so in its return
value, so a test run shows which store it used.
"""

from __future__ import annotations

from pathlib import Path

from vidsage.types import VideoRecord

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
