"""`vidsage doctor` and the device choice, on this machine's real libraries."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chroma_server import chroma_server, free_port  # noqa: F401  (fixture)
from vidsage.cli import app
from vidsage.devices import KINDS, STRICT, DeviceUnavailable, compute_type, cuda_count, pick

runner = CliRunner()


def test_pick_cpu_and_auto():
    for kind in KINDS:
        assert pick("cpu", kind) == "cpu"
        assert pick("auto", kind) == ("cuda" if cuda_count(kind) else "cpu")
        assert pick(None, kind) == pick("auto", kind)


def test_pick_explicit_cuda():
    for kind in KINDS:
        if cuda_count(kind):
            assert pick("cuda", kind) == "cuda"
        elif kind in STRICT:  # a GPU was asked for and torch/CTranslate2 have none: say so
            with pytest.raises(DeviceUnavailable, match="CUDA"):
                pick("cuda", kind)
        else:  # CPU builds of llama.cpp / onnxruntime fall back
            assert pick("cuda", kind) == "cpu"


def test_pick_rejects_nonsense():
    with pytest.raises(ValueError):
        pick("gpu", "torch")
    with pytest.raises(ValueError):
        pick("cpu", "tensorflow")
    assert compute_type("cuda") == "float16" and compute_type("cpu") == "int8"


def test_report_rows(tmp_path):
    from vidsage.config import load_settings
    from vidsage.doctor import report

    rows = report(load_settings(db=str(tmp_path / "db")))
    checks = {c for c, _, _ in rows}
    assert {"python", "cpu", "torch", "ctranslate2 (whisper)", "llama.cpp", "onnxruntime", "devices", "store",
            "media (PyAV)", "model whisper", "model embedder", "model llm"} <= checks
    assert any(c.startswith("disk") for c in checks)
    assert all(s in ("ok", "warn", "fail") for _, s, _ in rows)
    assert not (tmp_path / "db").exists()  # the doctor never creates a store


def test_doctor_cli_with_server_and_without(chroma_server):  # noqa: F811
    res = runner.invoke(app, ["doctor", "--db", chroma_server])
    lines = [ln for ln in res.stdout.splitlines() if " store " in f" {ln} "]
    assert lines and lines[0].startswith("ok") and "answers" in lines[0], res.stdout

    dead = f"http://127.0.0.1:{free_port()}"
    res = runner.invoke(app, ["doctor", "--db", dead])
    assert res.exit_code == 1
    assert any(ln.startswith("FAIL store") for ln in res.stdout.splitlines()), res.stdout
