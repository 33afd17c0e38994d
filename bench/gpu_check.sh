#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: say what vidsage finds there, then run the index and agent
# benchmarks on the GPU (VIDSAGE_DEVICE=cuda) and print their figures. Results go to
# bench/results/*_gpu.json and the whole log to bench/results/gpu_check.log.
#
#   bench/gpu_check.sh            # quick: bundled media for indexing, the agent benchmark as is
#   FULL=1 bench/gpu_check.sh     # also the long (>= 30 min) indexing input
#   CPU_TOO=1 bench/gpu_check.sh  # also the same benchmarks with VIDSAGE_DEVICE=cpu, for comparison
#
# Needs the project's venv (make install). The PyPI wheels of torch and CTranslate2 carry CUDA;
# llama-cpp-python does not: for LLM layer offload rebuild it once with
#   CMAKE_ARGS="-DGGML_CUDA=on" .venv/bin/pip install --force-reinstall --no-cache-dir llama-cpp-python==0.3.36
# (the doctor line "llama.cpp" says whether offload is built in). Exit code: 0 done, 2 no usable GPU.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
VIDSAGE=${VIDSAGE:-.venv/bin/vidsage}
OUT=bench/results
mkdir -p "$OUT"
LOG=$OUT/gpu_check.log
exec > >(tee "$LOG") 2>&1

echo "== vidsage gpu_check $(date -u +%FT%TZ) on $(hostname), $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
else
  echo "nvidia-smi not found"
fi

echo; echo "== vidsage doctor --device cuda"
"$VIDSAGE" doctor --device cuda
doctor_rc=$?

if ! "$PY" - <<'EOF'
import sys
import ctranslate2, torch
ok_t, n_ct2 = torch.cuda.is_available(), ctranslate2.get_cuda_device_count()
print(f"torch CUDA: {ok_t}; CTranslate2 CUDA devices: {n_ct2}")
sys.exit(0 if ok_t and n_ct2 > 0 else 1)
EOF
then
  echo "no usable GPU for torch and CTranslate2 (doctor exit $doctor_rc): nothing to benchmark"
  exit 2
fi

rc=0
run_bench() {  # $1 device, $2 suffix
  local dev=$1 sfx=$2
  echo; echo "== index benchmark, VIDSAGE_DEVICE=$dev"
  local idx_args=(--out "$OUT/index_speed_$sfx.json")
  [ "${FULL:-0}" = 1 ] || idx_args+=(--quick)
  VIDSAGE_DEVICE="$dev" "$PY" bench/index_speed.py "${idx_args[@]}" || rc=1
  if [ -f bench/agent.py ]; then
    echo; echo "== agent benchmark, VIDSAGE_DEVICE=$dev"
    # shellcheck disable=SC2086
    VIDSAGE_DEVICE="$dev" "$PY" bench/agent.py --out "$OUT/agent_$sfx.json" ${AGENT_ARGS:-} || rc=1
  else
    echo "(bench/agent.py not present: agent benchmark skipped)"
  fi
}

run_bench cuda gpu
[ "${CPU_TOO:-0}" = 1 ] && run_bench cpu cpu

echo; echo "== figures"
"$PY" - "$OUT" <<'EOF'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])

def flat(d, prefix=""):
    """Numbers of a results JSON as dotted keys (first 40), to paste into docs/scaling.md."""
    items = []
    if isinstance(d, dict):
        for k, v in d.items():
            items += flat(v, f"{prefix}{k}.")
    elif isinstance(d, list):
        for i, v in enumerate(d[:8]):
            items += flat(v, f"{prefix}{i}.")
    elif isinstance(d, (int, float)) and not isinstance(d, bool):
        items.append((prefix[:-1], d))
    return items

for f in sorted(out.glob("*_gpu.json")) + sorted(out.glob("*_cpu.json")):
    print(f"-- {f.name}")
    for k, v in flat(json.loads(f.read_text()))[:40]:
        print(f"   {k} = {v:.4g}" if isinstance(v, float) else f"   {k} = {v}")
EOF
exit $rc
