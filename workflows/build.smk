# Generic rules over every declared paper: compute, plot, check, then the gallery.
# Compute and plot are separate rules, so a change of style never reruns training.
# Each rule takes as params exactly what produced its output (the code it runs, by hash,
# and the declared values it uses), so a change reruns exactly the rules it affects.
# Config values reach the shell only as quoted arguments ({params.x:q}).


wildcard_constraints:
    paper=one_of(PAPERS),
    experiment=one_of(e.name for p in PAPERS.values() for e in p.experiments),
    figure=one_of(f.name for p in PAPERS.values() for f in p.figures),


rule run_experiment:
    output:
        npz="results/{paper}/{experiment}.npz",
        json="results/{paper}/{experiment}.json",
    log:
        "logs/{paper}/{experiment}.log",
    benchmark:
        "benchmarks/runs/{paper}/{experiment}.tsv"
    conda:
        "envs/replication.yaml"
    threads: lambda w: threads(w.paper, w.experiment)
    resources:
        gpu=lambda w: wants_gpu(w.paper, w.experiment),
    params:
        code=lambda w: code_hash(w.paper, "run"),
        resolved=lambda w: resolved(w.paper, w.experiment),
        scale=config["scale"],
        seed=config["seed"],
        device=config["device"],
    shell:
        "OMP_NUM_THREADS={threads} MKL_NUM_THREADS={threads} OPENBLAS_NUM_THREADS={threads} "
        "python -m papers.{wildcards.paper} run {wildcards.experiment} "
        "--scale {params.scale:q} --seed {params.seed:q} --device {params.device:q} "
        "--params-json {params.resolved:q} --out results/{wildcards.paper}/{wildcards.experiment} "
        "> {log} 2>&1"


rule plot_figure:
    input:
        lambda w: experiment_results(w.paper, PAPERS[w.paper].figure(w.figure).inputs),
    output:
        png=report(
            "figures/{paper}/{figure}.png",
            caption="report/figure.rst",
            category="{paper}",
            labels={"figure": "{figure}"},
        ),
        pdf="figures/{paper}/{figure}.pdf",
    log:
        "logs/{paper}/plot_{figure}.log",
    conda:
        "envs/replication.yaml"
    params:
        code=lambda w: code_hash(w.paper, "plot"),
    shell:
        "python -m papers.{wildcards.paper} plot {wildcards.figure} "
        "--results results/{wildcards.paper} --out figures/{wildcards.paper}/{wildcards.figure} "
        "> {log} 2>&1"


rule check_claims:
    input:
        lambda w: experiment_results(w.paper, [e.name for e in PAPERS[w.paper].experiments]),
    output:
        "results/{paper}/claims.json",
    log:
        "logs/{paper}/claims.log",
    conda:
        "envs/replication.yaml"
    params:
        code=lambda w: code_hash(w.paper, "check"),
        declared=lambda w: declared_text(w.paper),
    shell:
        "python -m papers.{wildcards.paper} check --results results/{wildcards.paper} "
        "--out {output} > {log} 2>&1"


GALLERY_PAPERS = [slug for slug in PAPERS if enabled(slug)]

for _slug in PAPERS:

    rule:
        name:
            _slug
        input:
            paper_targets(_slug),


rule gallery:
    input:
        figures=[f for slug in GALLERY_PAPERS for f in paper_figures(slug)],
        claims=expand("results/{paper}/claims.json", paper=GALLERY_PAPERS),
    output:
        gallery="figures/README.md",
        claims="figures/CLAIMS.md",
    log:
        "logs/gallery.log",
    conda:
        "envs/replication.yaml"
    params:
        code=files_hash(["common/gallery.py"]),
    shell:
        "python -m common.gallery write --claims {input.claims} --out figures > {log} 2>&1"


rule verify_claims:
    input:
        expand("results/{paper}/claims.json", paper=GALLERY_PAPERS),
    output:
        "results/claims_verified.txt",
    log:
        "logs/verify_claims.log",
    conda:
        "envs/replication.yaml"
    params:
        code=files_hash(["common/gallery.py"]),
    shell:
        "python -m common.gallery verify --claims {input} > {output} 2> {log} "
        "|| (cat {log} >&2; exit 1)"
