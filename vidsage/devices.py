"""Which device each engine runs on: picked automatically, overridable with `device` in the settings.

`pick(setting, kind)` turns the setting ("auto" | "cpu" | "cuda" | "cuda:N") into the device string
for one engine:
- "torch" (CLIP, the tagger, faces): "cuda"/"cuda:N" when `torch.cuda.is_available()`, else "cpu";
- "ctranslate2" (faster-whisper): "cuda" when CTranslate2 sees a CUDA device, else "cpu"
  (use `compute_type(device)`: float16 on CUDA, int8 on CPU);
- "llama" (llama.cpp): "cuda" when llama-cpp-python was built with a GPU backend (layers can be
  offloaded), else "cpu"; `llama_gpu_layers(settings)` gives `n_gpu_layers`;
- "onnxruntime" (the int8 embedder, OCR): "cuda" when the CUDA execution provider is there, else
  "cpu"; `onnx_providers(device)` gives the provider list.
"auto" never fails: it falls back to the CPU. An explicit "cuda" raises `DeviceUnavailable` (saying
what is missing) when torch or CTranslate2 sees no CUDA device, instead of silently running slowly on
the CPU: both ship CUDA builds on PyPI, so that means a driver problem. llama.cpp and onnxruntime are
CPU builds in the default install (a GPU llama.cpp must be compiled with CUDA; onnxruntime-gpu is a
separate package), so for them "cuda" means "the GPU when this build has one" and falls back to the
CPU; `vidsage doctor` warns when that happens.
Checks are cached per process; none of them imports torch unless kind is "torch".
"""

from __future__ import annotations

from functools import lru_cache

KINDS = ("torch", "ctranslate2", "llama", "onnxruntime")
STRICT = ("torch", "ctranslate2")  # an explicit "cuda" fails when these have none


class DeviceUnavailable(RuntimeError):
    """A GPU was asked for explicitly, but this engine cannot use one here."""


@lru_cache(maxsize=None)
def cuda_count(kind: str) -> int:
    """How many CUDA devices `kind` can use on this machine (0 when none, or the library is missing)."""
    try:
        if kind == "torch":
            import torch

            return torch.cuda.device_count() if torch.cuda.is_available() else 0
        if kind == "ctranslate2":
            import ctranslate2

            return int(ctranslate2.get_cuda_device_count())
        if kind == "llama":
            import llama_cpp

            return 1 if llama_cpp.llama_supports_gpu_offload() else 0
        if kind == "onnxruntime":
            import onnxruntime

            return 1 if "CUDAExecutionProvider" in onnxruntime.get_available_providers() else 0
    except Exception:  # a broken driver or library counts as no GPU
        return 0
    raise ValueError(f"unknown engine kind {kind!r} (one of {', '.join(KINDS)})")


_WHY = {
    "torch": "torch sees no CUDA device (a CPU-only build, or no NVIDIA driver)",
    "ctranslate2": "CTranslate2 sees no CUDA device (needs an NVIDIA driver and CUDA 12 + cuDNN libraries)",
    "llama": "llama-cpp-python was built without a GPU backend: reinstall it with "
             "CMAKE_ARGS=\"-DGGML_CUDA=on\" pip install --force-reinstall --no-cache-dir llama-cpp-python",
    "onnxruntime": "onnxruntime has no CUDAExecutionProvider (install onnxruntime-gpu instead of onnxruntime)",
}


def pick(setting: str | None, kind: str) -> str:
    """The device for engine `kind` given the `device` setting: "cpu", "cuda" or "cuda:N"."""
    if kind not in KINDS:
        raise ValueError(f"unknown engine kind {kind!r} (one of {', '.join(KINDS)})")
    s = (setting or "auto").strip().lower()
    if s == "cpu":
        return "cpu"
    if s == "auto":
        return "cuda" if cuda_count(kind) > 0 else "cpu"
    if s == "cuda" or s.startswith("cuda:"):
        n = cuda_count(kind)
        if n == 0 and kind not in STRICT:
            return "cpu"
        if n == 0:
            raise DeviceUnavailable(f"device is set to {setting!r} but {_WHY[kind]}; set device = \"auto\" or \"cpu\"")
        if s.startswith("cuda:"):
            try:
                index = int(s.split(":", 1)[1])
            except ValueError:
                raise ValueError(f"bad device {setting!r}: use auto, cpu, cuda or cuda:N") from None
            if kind in ("torch", "ctranslate2") and index >= n:
                raise DeviceUnavailable(f"device {setting!r} asked for, but {kind} sees only {n} CUDA device(s)")
            return s if kind == "torch" else "cuda"
        return "cuda"
    raise ValueError(f"bad device {setting!r}: use auto, cpu, cuda or cuda:N")


def device_index(setting: str | None) -> int:
    """N of "cuda:N" (0 otherwise): CTranslate2's `device_index`, llama.cpp's `main_gpu`."""
    s = (setting or "").strip().lower()
    if s.startswith("cuda:"):
        try:
            return int(s.split(":", 1)[1])
        except ValueError:
            return 0
    return 0


def compute_type(device: str) -> str:
    """CTranslate2 compute type: float16 on a GPU, int8 on the CPU."""
    return "float16" if device.startswith("cuda") else "int8"


def onnx_providers(device: str) -> list[str]:
    if device.startswith("cuda"):
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def llama_gpu_layers(settings) -> int:
    """`n_gpu_layers` for llama.cpp: the configured count (-1 = all) when offload works, else 0."""
    return settings.llm_gpu_layers if pick(settings.device, "llama") != "cpu" else 0


def why_not(kind: str) -> str:
    """Why `kind` cannot use a GPU here (and how to fix it)."""
    return _WHY[kind]


def summary(setting: str | None = "auto") -> dict[str, str]:
    """kind -> chosen device, or "error: ..." for this setting: what `vidsage doctor` shows."""
    out = {}
    for kind in KINDS:
        try:
            out[kind] = pick(setting, kind)
        except (DeviceUnavailable, ValueError) as e:
            out[kind] = f"error: {e}"
    return out
