#!/usr/bin/env bash
# The beta-grid benchmark (issue 16) on a GPU, as one script sized for a 15-minute device lease
# (about 5-6 minutes of work). Run from the repository root on a machine with a CUDA torch and
# JAX's CUDA plugin (the lent H100/H200 image has both; carry the project's other needs, e.g.
# cvxpy, clarabel, numba, as wheels if they are missing: see the device tool's README).
#
# It times OUR solvers only, at (500, 20, 100) and (2000, 20, 200), seed 0, ReLU and gated,
# beta = f max|X^T y| for f in 0.1 ... 0.005, one solve per point after a warm-up: first on the
# CPU (JAX_PLATFORMS=cpu, numpy/LAPACK factorisations), then with --device gpu (JAX on cuda:
# R-FISTA, the augmented Lagrangian; solver_opts={"device": "cuda"}: the ReLU working set's
# interior-point factorisations in torch), in the same job, so the GPU/CPU ratios compare like
# with like; then the 20-point ReLU path at (500, 20, 100) on the GPU. CLARABEL is left out: on
# a CPU it takes 6-9 min per point at (2000, 20, 200) (benchmarks/reference/
# relu_2000_20_200_s0_2cpu.txt); the speed-ups against it follow from those CPU-time references.
# Writes $OUT (the device tool's output folder) or results/benchmarks/gpu.
set -euo pipefail
out=${OUT:-results/benchmarks/gpu}
mkdir -p "$out/cpu" "$out/gpu" "$out/gpu_path"
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$out/device.txt"
python -c 'import jax; print(jax.devices())' | tee -a "$out/device.txt"
python -c 'import torch; print(torch.__version__, torch.cuda.is_available())' | tee -a "$out/device.txt"
grid=(--sizes 500x20x100,2000x20x200 --seeds 1 --repeats 1 --no-clarabel --no-pyscnn --no-path)
JAX_PLATFORMS=cpu python -m benchmarks.convex_beta_grid --out "$out/cpu" --device cpu "${grid[@]}" \
    2>&1 | tee "$out/cpu/log.txt"
python -m benchmarks.convex_beta_grid --out "$out/gpu" --device gpu "${grid[@]}" \
    2>&1 | tee "$out/gpu/log.txt"
python -m benchmarks.convex_beta_grid --out "$out/gpu_path" --device gpu --sizes 500x20x100 \
    --seeds 1 --forms relu --no-clarabel --no-pyscnn --path-only 2>&1 | tee "$out/gpu_path/log.txt"
