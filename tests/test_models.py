"""The weights resolver: installed packages, split packages assembled atomically, user paths, errors."""

from __future__ import annotations

import pytest

from vidsage.config import load_settings
from vidsage.models import REGISTRY, ModelNotFound, ModelSpec, _from_package, is_available, resolve


def test_installed_packages_resolve():
    s = load_settings()
    assert resolve("minilm-int8", s).name == "model.onnx"
    assert resolve("efficientnet-lite0", s).suffix == ".pth"
    whisper = resolve("whisper-base", s)
    assert (whisper / "model.bin").is_file() and (whisper / "config.json").is_file()
    assert (whisper / "tokenizer.json").is_file()


def test_split_package_is_assembled_once_and_checked_by_size(tmp_path):
    s = load_settings(models_dir=str(tmp_path))
    path = resolve("whisper-base", s)
    model = path / "model.bin"
    stamp = model.stat().st_mtime_ns
    assert resolve("whisper-base", s) == path and model.stat().st_mtime_ns == stamp  # not redone
    model.write_bytes(b"truncated")  # a damaged cache is rebuilt, not used
    resolve("whisper-base", s)
    assert model.stat().st_size > 1_000_000
    assert not list(path.glob(".*.part"))  # no temp files left behind


def test_size_mismatch_is_an_error(tmp_path):
    spec = ModelSpec("bad", "whisper", "test", parts=REGISTRY["whisper-base"].parts, size=123,
                     assembled_name="model.bin")
    with pytest.raises(ModelNotFound, match="expected 123"):
        _from_package(spec, tmp_path)
    assert not (tmp_path / "bad" / "model.bin").exists()


def test_user_path_and_missing_weights(tmp_path):
    f = tmp_path / "my-model.gguf"
    f.write_bytes(b"x")
    s = load_settings(models_dir=str(tmp_path / "models"))
    assert resolve(str(f), s) == f.resolve()
    with pytest.raises(ModelNotFound, match="vidsage models pull ViT-B-32/laion2b_s34b_b79k"):
        resolve("ViT-B-32/laion2b_s34b_b79k", s)
    with pytest.raises(ModelNotFound, match="neither a known name"):
        resolve("no-such-model", s)
    assert not is_available("whisper-medium", s)
