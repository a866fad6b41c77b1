# One reproducible build of every replicated paper: `snakemake --cores all`.
# Each paper declares itself once, in papers/<slug>/paper.py; the config schema and the
# rules in workflows/ are generated from those declarations. See README.md.
from snakemake.utils import min_version

min_version("9.27")


configfile: "workflows/config.yaml"


report: "workflows/report/workflow.rst"


include: "workflows/common.smk"
include: "workflows/build.smk"
include: "workflows/benchmarks.smk"


rule all:
    default_target: True
    input:
        rules.gallery.output,
        rules.verify_claims.output,
