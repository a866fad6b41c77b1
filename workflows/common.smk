# Helpers shared by the generic rules. Every paper comes from its declaration
# (papers/<slug>/paper.py, read without importing the paper's code); the config is
# checked against the schema generated from those declarations before any job starts.
import json
from pathlib import Path

from common.codehash import code_hash, files_hash
from common.paper import discover, validate_config

#: slug -> common.paper.Paper, one per papers/<slug>/paper.py
PAPERS = discover(workflow.basedir)

validate_config(config, PAPERS)


def _rst(text):
    """``text`` as literal reStructuredText (captions hold |x|, *, _ and backquotes)."""
    for ch in "\\*`|_":
        text = text.replace(ch, "\\" + ch)
    return text


def _report_captions():
    """Caption and supported claims of every figure, for `snakemake --report` (the caption
    template workflows/report/figure.rst reads them from the config: templates see nothing
    else). The claims come from the build's results/<slug>/claims.json when it exists."""
    out = {}
    for slug, paper in PAPERS.items():
        path = Path(workflow.basedir, "results", slug, "claims.json")
        rows = json.loads(path.read_text())["claims"] if path.is_file() else []
        out[slug] = {}
        for fig in paper.figures:
            lines = [f"**{_rst(paper.title)}** (arXiv:{paper.arxiv}). {_rst(fig.caption)}", ""]
            for row in (r for r in rows if r.get("figure") == fig.name):
                status = _rst(row["status"])
                lines.append(f"- ``{row['id']}`` **{status}**: {_rst(row['statement'])}")
            out[slug][fig.name] = "\n".join(lines)
    return out


config["_report"] = _report_captions()  # after validation: not a user setting


def enabled(slug):
    return config.get("papers", {}).get(slug, {}).get("enabled", True)


def paper_figures(slug):
    return [f"figures/{slug}/{fig.name}.png" for fig in PAPERS[slug].figures]


def paper_targets(slug):
    return paper_figures(slug) + [f"results/{slug}/claims.json"]


def experiment_results(slug, experiments):
    return [f"results/{slug}/{e}.{ext}" for e in experiments for ext in ("npz", "json")]


def resolved(slug, experiment):
    """The experiment's parameters: the scale's defaults with the config's overrides, as
    JSON. The run rule passes them to the command and tracks them, so a changed default
    or override reruns exactly that experiment (and an override equal to the default none)."""
    section = config.get("papers", {}).get(slug, {}).get("overrides", {})
    exp = PAPERS[slug].experiment(experiment)
    # declaration order, not sorted: experiments may iterate a parameter's mapping
    return json.dumps(exp.params(config["scale"], section.get(experiment, {})))


def declared_text(slug):
    """Title and captions, which the check rule copies into claims.json for the gallery."""
    return json.dumps(PAPERS[slug].gallery_entry(), sort_keys=True)


def wants_gpu(slug, experiment):
    return int(config["scale"] == "full" and PAPERS[slug].experiment(experiment).gpu)


def threads(slug, experiment):
    return PAPERS[slug].experiment(experiment).threads


def one_of(names):
    """A wildcard constraint matching exactly these names."""
    return "|".join(sorted(set(names)))
