#!/usr/bin/env bash
# The beta-grid benchmark (issue 16) on a GPU, as one script: run from the repository root on
# a machine with a CUDA JAX (`pip install -U "jax[cuda12]"`) and pyscnn (`pip install pyscnn`;
# NOT `scnn`, an unrelated PyPI package). Writes results/benchmarks/gpu/. Times the grid at
# (500, 20, 100) and (2000, 20, 200), three seeds, and the 20-point path, with the JAX phases
# (R-FISTA of the gated program, the augmented Lagrangian) on the GPU (JAX_PLATFORMS=cuda) and
# the ReLU working set's interior-point factorisations (the m x m Woodbury capacitances, the
# phase that dominates at small beta) in torch on cuda (solver_opts={"device": "cuda"}; needs a
# CUDA torch); its cone arithmetic and pricing stay on the CPU. A CPU baseline of the same grid
# runs first in the same job, so ratios compare like with like.
set -euo pipefail
out=results/benchmarks/gpu
mkdir -p "$out/cpu" "$out/gpu"
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$out/device.txt"
python -c 'import jax; print(jax.devices())' | tee -a "$out/device.txt"
python -c 'import torch; print(torch.__version__, torch.cuda.is_available())' | tee -a "$out/device.txt"
JAX_PLATFORMS=cpu python -m benchmarks.convex_beta_grid --out "$out/cpu" --seeds 3 \
    2>&1 | tee "$out/cpu/log.txt"
python -m benchmarks.convex_beta_grid --out "$out/gpu" --device gpu --seeds 3 \
    2>&1 | tee "$out/gpu/log.txt"
