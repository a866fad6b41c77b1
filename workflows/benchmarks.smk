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
    shell:
        "OMP_NUM_THREADS={threads} python -m benchmarks.convex_beta_grid "
        "--out results/benchmarks {params.quick} > {log} 2>&1"
