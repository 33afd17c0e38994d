"""One settings object for all of vidsage.

Precedence, lowest first: defaults here < the config file (`config.toml` in the platformdirs config
dir, or `$VIDSAGE_CONFIG`) < environment variables `VIDSAGE_<FIELD>` < explicit overrides (CLI flags).
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, Field

APP = "vidsage"


def config_path() -> Path:
    env = os.environ.get("VIDSAGE_CONFIG")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP)) / "config.toml"


def _data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP))


class Settings(BaseModel):
    # where things live
    db: str = Field(default_factory=lambda: str(_data_dir() / "db"),
                    description="Chroma folder, or http://host:port for a Chroma server")
    models_dir: str = Field(default_factory=lambda: str(_data_dir() / "models"),
                            description="assembled and pulled weights")
    # models (names from vidsage.models.REGISTRY, a local path, or a pulled hub name)
    whisper: str = "whisper-base"
    embedder: str = "minilm-int8"
    tagger: str = "efficientnet-lite0"
    clip: str = "ViT-B-32/laion2b_s34b_b79k"  # used only when its weights are present locally
    llm: str = "qwen2.5-coder-1.5b"
    llm_url: str | None = None  # OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1
    llm_api_model: str = "default"
    vlm: str | None = None  # optional GGUF + mmproj ("model.gguf,mmproj.gguf") for real captions
    # hardware
    device: str = "auto"  # auto | cpu | cuda
    threads: int = Field(default_factory=lambda: max(1, min(os.cpu_count() or 2, 8)))
    llm_ctx: int = 4096
    llm_gpu_layers: int = -1  # used only when a GPU is there
    # indexing
    language: str | None = None  # force a speech language (ISO code); None = detect per video
    # Silero VAD speech threshold (faster-whisper's default is 0.5): at 0.5 radio-quality speech
    # (apollo11.mp3) lost a third of its words; 0.3 kept them and changed nothing on clean speech or music
    vad_threshold: float = 0.3
    decode_max_side: int = 320  # thumbnails and evidence frames (longest side, px)
    scan_fps: float = 4.0  # frames per second looked at for picture changes
    keyframe_min_gap: float = 1.0  # seconds; caps continuous motion at 60 keyframes a minute
    keyframe_max_gap: float = 8.0  # seconds: a keyframe at least this often, even with no change
    shot_threshold: float = 0.08  # least frame change D (0..1) for a cut; a cut must also be 3x the recent change
    ocr: bool = True
    faces: bool = True
    describe_max_side: int = 640  # frames are scanned and described at this size (longest side, px)
    chunk_words: int = 40  # transcript chunk size
    chunk_overlap_words: int = 10
    # agent
    agent_max_steps: int = 4
    agent_timeout_s: float = 60.0
    max_question_chars: int = 500

    model_config = {"extra": "ignore"}

    @property
    def is_remote_db(self) -> bool:
        return self.db.startswith(("http://", "https://"))


def _env_overrides() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in Settings.model_fields:
        val = os.environ.get(f"VIDSAGE_{name.upper()}")
        if val is not None:
            out[name] = None if val.lower() in ("", "none", "null") and name in ("language", "llm_url", "vlm") else val
    return out


def load_settings(**overrides: Any) -> Settings:
    """Settings from the file, then env, then the given overrides (None values are ignored)."""
    data: dict[str, Any] = {}
    path = config_path()
    if path.is_file():
        with path.open("rb") as f:
            data.update(tomllib.load(f))
    data.update(_env_overrides())
    data.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**data)


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    return load_settings()
