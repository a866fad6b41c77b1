# Convex-network solver benchmark (issue 3): time to 1e-6 relative suboptimality for our JAX
# solvers, CVXPY+CLARABEL and pyscnn (if installed), slopes and memory growth.
# `snakemake benchmarks` runs the quick grid unless config["scale"] == "full".


rule benchmarks:
    output:
        json="results/benchmarks/convex_solvers.json",
        png="results/benchmarks/convex_solvers.png",
        pdf="results/benchmarks/convex_solvers.pdf",
    log:
        "logs/benchmarks/convex_solvers.log",
    conda:
        "envs/replication.yaml"
    threads: 2
    params:
        code=files_hash(["benchmarks/convex_solvers.py"]),
        quick="" if config["scale"] == "full" else "--quick",
    shell:
        "OMP_NUM_THREADS={threads} python -m benchmarks.convex_solvers "
        "--out results/benchmarks {params.quick} > {log} 2>&1"


# benchmarks of a paper exist only where the paper does (tests build without it)
if "shrinkage_newton" in PAPERS:

    # Batched averaging of local inverses vs a per-machine Python loop (shrinkage_newton, issue 21):
    # `snakemake --cores 1 benchmark_shrinkage_averaging`; not part of `rule all`.
    rule benchmark_shrinkage_averaging:
        output:
            json="results/benchmarks/shrinkage_averaging_q1000_d100_m250.json",
        log:
            "logs/benchmarks/shrinkage_averaging.log",
        conda:
            "envs/replication.yaml"
        threads: 1
        params:
            code=files_hash(
                [
                    "benchmarks/shrinkage_averaging.py",
                    "papers/shrinkage_newton/resolvent.py",
                ]
            ),
        shell:
            "OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "
            "python -m benchmarks.shrinkage_averaging --out results/benchmarks > {log} 2>&1"


# benchmarks of a paper exist only where the paper does (tests build without it)
if "admm_sampling" in PAPERS:

    # admm_sampling (issue 23): the vectorised D-ADMMS sampler against a per-agent loop with a
    # CVXPY prox (the released code's approach), N = 20 on a cycle; `snakemake benchmark_admm_sampling`.
    rule benchmark_admm_sampling:
        output:
            json="results/benchmarks/admm_sampling.json",
        log:
            "logs/benchmarks/admm_sampling.log",
        conda:
            "envs/replication.yaml"
        threads: 1
        params:
            code=files_hash(["benchmarks/admm_sampling.py", "papers/admm_sampling/targets.py"]),
            quick="" if config["scale"] == "full" else "--quick",
        shell:
            "OMP_NUM_THREADS={threads} python -m benchmarks.admm_sampling "
            "--out results/benchmarks {params.quick} > {log} 2>&1"


# Issue 16: speed at every beta (grid 0.1 ... 0.005 x max|X^T y|) and the regularization path.
rule benchmarks_beta_grid:
    output:
        json=(
            "results/benchmarks/convex_beta_grid.json"
            if config["scale"] == "full"
            else "results/benchmarks/convex_beta_grid_quick.json"
        ),
    log:
        "logs/benchmarks/convex_beta_grid.log",
    conda:
        "envs/replication.yaml"
    threads: 2
    params:
        code=files_hash(["benchmarks/convex_beta_grid.py"]),
        quick="" if config["scale"] == "full" else "--quick",
        device=config["device"],
    shell:
        "OMP_NUM_THREADS={threads} python -m benchmarks.convex_beta_grid "
        "--out results/benchmarks {params.quick} --device {params.device:q} > {log} 2>&1"


if "convex_landscape" in PAPERS:

    # The two-layer ensemble trainer (closed-form gradient, whole-tensor updates) against its
    # former autograd + torch.optim path on convex_landscape's sizes: `snakemake --cores 1
    # benchmark_nonconvex_trainer`; not part of `rule all`.
    rule benchmark_nonconvex_trainer:
        output:
            json="results/benchmarks/nonconvex_trainer.json",
        log:
            "logs/benchmarks/nonconvex_trainer.log",
        conda:
            "envs/replication.yaml"
        threads: 1
        params:
            code=files_hash(["benchmarks/nonconvex_trainer.py", "common/convex_nn/nonconvex.py"]),
        shell:
            "OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "
            "python -m benchmarks.nonconvex_trainer --out results/benchmarks > {log} 2>&1"
