# One reproducible build of every replicated paper: `snakemake --cores all`.
# Rules live in workflows/; see README.md for targets, scales and profiles.
from snakemake.utils import min_version, validate

min_version("9.27")


configfile: "workflows/config.yaml"


validate(config, "workflows/config.schema.yaml")


include: "workflows/common.smk"
include: "workflows/pretrained_lasso.smk"
include: "workflows/riemannian_lora.smk"
include: "workflows/convex_landscape.smk"
include: "workflows/build.smk"
include: "workflows/benchmarks.smk"


rule all:
    default_target: True
    input:
        rules.gallery.output,
        rules.verify_claims.output,
