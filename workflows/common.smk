# Helpers shared by every paper's rules. A paper's <slug>.smk registers its
# manifest with `register(...)` and names a target rule after the paper; the
# generic run / plot / check rules in build.smk do the rest.
import json

from common.codehash import code_hash

#: slug -> {"experiments": {name: {"gpu": bool, "threads": int}}, "figures": {name: [inputs]}}
PAPERS = {}


def register(slug, experiments, figures):
    """Declare a paper's experiments (name -> options) and figures (name -> input experiments)."""
    for fig, inputs in figures.items():
        unknown = set(inputs) - set(experiments)
        if unknown:
            raise ValueError(f"{slug}: figure {fig} needs unknown experiments {sorted(unknown)}")
    PAPERS[slug] = {
        "experiments": {
            name: {"gpu": opts.get("gpu", False), "threads": opts.get("threads", 1)}
            for name, opts in experiments.items()
        },
        "figures": dict(figures),
    }


def enabled(slug):
    return config.get("papers", {}).get(slug, {}).get("enabled", True)


def paper_figures(slug):
    return [f"figures/{slug}/{fig}.png" for fig in PAPERS[slug]["figures"]]


def paper_targets(slug):
    return paper_figures(slug) + [f"results/{slug}/claims.json"]


def experiment_results(slug, experiments):
    return [f"results/{slug}/{e}.{ext}" for e in experiments for ext in ("npz", "json")]


def overrides(slug, experiment):
    """The config's parameter overrides for one experiment, as a JSON string."""
    section = config.get("papers", {}).get(slug, {}).get("overrides", {})
    return json.dumps(section.get(experiment, {}), sort_keys=True)


def wants_gpu(slug, experiment):
    return int(config["scale"] == "full" and PAPERS[slug]["experiments"][experiment]["gpu"])


def one_of(names):
    """A wildcard constraint matching exactly these names."""
    return "|".join(sorted(set(names)))
