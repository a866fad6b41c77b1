"""The cluster profiles: a dry run of the full-scale build against the SLURM profile lists
the resources of every job, and the GPU experiments (and only they) ask for a GPU."""

import re
import subprocess
import sys

import pytest

from common.paper import ROOT, discover

pytestmark = pytest.mark.workflow


def _jobs(*args: str) -> list[dict[str, str]]:
    cmd = [sys.executable, "-m", "snakemake", "-n", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    jobs = []
    for block in out.stdout.split("\nrule ")[1:]:
        job = {"rule": block.split(":", 1)[0]}
        for key in ("wildcards", "resources"):
            match = re.search(rf"^\s+{key}: (.*)$", block, flags=re.M)
            job[key] = match.group(1) if match else ""
        jobs.append(job)
    return jobs


def _resources(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(", ") if "=" in item)


def test_full_scale_slurm_dry_run_lists_every_jobs_resources():
    jobs = _jobs("--profile", "workflows/profiles/slurm", "--forceall")
    papers = discover()
    wants_gpu = {(s, e.name) for s, p in papers.items() for e in p.experiments if e.gpu}
    runs = [j for j in jobs if j["rule"] == "run_experiment"]
    assert len(runs) == sum(len(p.experiments) for p in papers.values())
    for job in runs:
        res = _resources(job["resources"])
        w = dict(item.split("=", 1) for item in job["wildcards"].split(", "))
        assert res["slurm_partition"] and res["runtime"] == "720" and res["mem_mb"] == "32000"
        assert res["gpu"] == ("1" if (w["paper"], w["experiment"]) in wants_gpu else "0"), job
    for job in (j for j in jobs if j["rule"] in ("plot_figure", "check_claims", "gallery")):
        res = _resources(job["resources"])
        assert res["runtime"] == "30" and res["mem_mb"] == "4000" and "slurm_partition" in res


def test_quick_scale_asks_for_no_gpu():
    jobs = _jobs("--forceall", "--config", "scale=quick")
    assert all(_resources(j["resources"]).get("gpu", "0") == "0" for j in jobs)
