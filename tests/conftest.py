"""Shared fixtures: the real sample media in ../shared/media and settings for tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MEDIA = Path(os.environ.get("VIDSAGE_TEST_MEDIA", ROOT.parent / "shared" / "media"))

# Tests run offline: a library that tries the hub fails fast instead of hanging.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def media() -> Path:
    if not (MEDIA / "MANIFEST.md").is_file():
        pytest.fail(f"sample media not found at {MEDIA} (set VIDSAGE_TEST_MEDIA)")
    return MEDIA


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    """Settings for tests: a temp db; the models cache is the user's (assembling weights is slow)."""
    from vidsage.config import load_settings

    return load_settings(db=str(tmp_path_factory.mktemp("db")))


# The sample library: the real media, indexed once per test session into a temp store. Every test
# that needs an index uses this (indexing is the slow part; models load once per process).
LIBRARY_FILES = [
    "jfk.flac",
    "friday_his_girl_friday.mp4",  # + its .vtt sidecar
    "grid_seven_speakers.mp4",
    "car-detection.mp4",
    "big_buck_bunny_0_30.webm",
    "vidéo sans son – 七人の話者 (video only).mp4",
    "grid_seven_speakers_audio_only.m4a",
]


@pytest.fixture(scope="session")
def library(media, tmp_path_factory):
    """(settings, summary) for a temp store holding LIBRARY_FILES, indexed through the real pipeline."""
    from vidsage.config import load_settings
    from vidsage.index.pipeline import index_paths

    db = tmp_path_factory.mktemp("library")
    settings = load_settings(db=str(db))
    summary = index_paths([media / f for f in LIBRARY_FILES], settings)
    bad = [r for r in summary.results if r.status not in ("indexed", "alias", "unchanged")]
    assert not bad, f"sample library failed to index: {bad}"
    return settings, summary


@pytest.fixture(scope="session")
def toolbox(library):
    from vidsage.agent.answer import get_toolbox

    settings, _ = library
    return get_toolbox(settings)
