"""Every command run through typer's CliRunner, on the real sample library."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from vidsage.cli import app

runner = CliRunner()


def test_videos_json(library):
    settings, _ = library
    res = runner.invoke(app, ["videos", "--db", settings.db, "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    names = {Path(r["video"]).name for r in rows}
    assert "jfk.flac" in names and "car-detection.mp4" in names
    for r in rows:
        assert {"video", "duration", "status", "keyframes", "chunks", "language", "models"} <= set(r)


def test_videos_table(library):
    settings, _ = library
    res = runner.invoke(app, ["videos", "--db", settings.db])
    assert res.exit_code == 0 and "jfk.flac" in res.stdout


def test_ask_json_fast(library):
    settings, _ = library
    res = runner.invoke(app, ["ask", "when does he say ask not what your country can do for you",
                              "--db", settings.db, "--json", "--mode", "fast"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert {"question", "answer", "citations", "moments", "tool_calls", "seconds"} <= set(obj)
    top = obj["moments"][0]
    assert top["video"].endswith("jfk.flac") and top["start"] < 7.5 and top["end"] > 3.3
    assert obj["citations"] and obj["citations"][0]["video"].endswith("jfk.flac")


def test_ask_prints_citation_line(library):
    settings, _ = library
    res = runner.invoke(app, ["ask", "when does he say ask not what your country can do for you",
                              "--db", settings.db, "--mode", "fast"])
    assert res.exit_code == 0, res.output
    assert "jfk.flac @ 00:0" in res.stdout


def test_ask_unknown_video_is_refused(library):
    settings, _ = library
    res = runner.invoke(app, ["ask", "what is said", "--db", settings.db, "--video", "/etc/passwd", "--mode", "fast"])
    assert res.exit_code == 2
    assert "not an indexed video" in res.output


def test_ask_before_anything_is_indexed_says_so(tmp_path):
    res = runner.invoke(app, ["ask", "what is said", "--db", str(tmp_path / "empty"), "--mode", "fast"])
    assert res.exit_code == 2 and "nothing indexed in" in res.output and "vidsage index PATH" in res.output


def test_index_reports_skipped_file(tmp_path):
    bad = tmp_path / "holiday.mp4"
    bad.write_text("not a video")
    res = runner.invoke(app, ["index", str(bad), "--db", str(tmp_path / "db"), "--quiet"])
    assert res.exit_code == 1
    assert "holiday.mp4" in res.output and "skipped" in res.output


def test_models_lists_roles():
    res = runner.invoke(app, ["models"])
    assert res.exit_code == 0, res.output
    for role in ("whisper", "embedder", "tagger", "clip", "llm"):
        assert role in res.stdout


def test_models_pull_offline_fails_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDSAGE_MODELS_DIR", str(tmp_path))
    res = runner.invoke(app, ["models", "pull", "whisper-small"])
    assert res.exit_code == 1
    lines = [l for l in res.output.splitlines() if l.strip()]
    assert len(lines) == 1 and "whisper-small" in lines[0]
    assert not any(tmp_path.rglob("model.bin"))


def test_forget_removes_a_video_and_keeps_the_rest(media, tmp_path):
    """Two real files indexed into a fresh store; forgetting one leaves the other answerable."""
    db = str(tmp_path / "db")
    res = runner.invoke(app, ["index", str(media / "jfk.flac"), str(media / "french.aiff"), "--db", db, "--quiet"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["forget", "french", "--db", db])
    assert res.exit_code == 0 and "forgot french.aiff" in res.stdout, res.output
    rows = json.loads(runner.invoke(app, ["videos", "--db", db, "--json"]).stdout)
    assert [Path(r["video"]).name for r in rows] == ["jfk.flac"]
    res = runner.invoke(app, ["ask", "what does the French speaker say?", "--db", db, "--json", "--mode", "fast"])
    assert res.exit_code == 0 and "french.aiff" not in res.stdout, res.output
    assert (media / "french.aiff").is_file()  # the file itself is untouched
    res = runner.invoke(app, ["forget", "no-such-video.mp4", "--db", db])
    assert res.exit_code == 2 and "not an indexed video" in res.output, res.output
