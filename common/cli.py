"""The per-paper command line and runner: ``python -m papers.<slug> run | plot | check | list``.

A paper is declared once, in ``papers/<slug>/paper.py`` (:mod:`common.paper`); its code is
found by convention (``run_<experiment>`` in ``experiments.py``, ``plot_<figure>`` in
``figures.py``, ``CLAIMS`` in ``claims.py``). Its ``__main__.py`` is two lines::

    from common.cli import main
    from papers.<slug>.paper import PAPER

    raise SystemExit(main(PAPER))

Commands (the Snakemake rules call exactly these):

- ``run EXP [--scale quick|full] [--seed N] [--device auto|cpu|cuda]
  [--params-json JSON] [--set KEY=VALUE ...] [--out STEM] [--config FILE]`` writes
  ``STEM.npz`` + ``STEM.json`` (default ``results/<slug>/EXP``). Scale, seed and the
  experiment's overrides default to those of the build's config (``workflows/config.yaml``),
  so a direct run reproduces the build's arrays; ``--params-json`` replaces the config's
  overrides and ``--set`` adds to them;
- ``plot FIG [--results DIR] [--out STEM]`` writes ``STEM.png`` + ``STEM.pdf``
  (default ``figures/<slug>/FIG``);
- ``check [--results DIR] [--out FILE]`` writes the claims' verdicts as JSON
  (default ``results/<slug>/claims.json``) and prints a table; it exits 1 if
  ``--strict`` is given and a claim expected to hold does not;
- ``list`` prints the declaration: every experiment's parameters with their types and
  defaults, the figures and their inputs, as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np

from common import seeds
from common.claims import Claim, evaluate, regressions
from common.paper import ROOT, Paper
from common.results import Results, load_results, provenance, save_results

__all__ = ["RunContext", "check", "claims", "load", "main", "plot", "run"]

log = logging.getLogger("papers")

#: The build's configuration, whose scale, seed and overrides a direct ``run`` uses.
BUILD_CONFIG = ROOT / "workflows" / "config.yaml"


@dataclass(frozen=True)
class RunContext:
    """What an experiment gets besides its parameters: seeds, device, scale, progress."""

    seed: int
    device: str = "cpu"
    scale: str = "quick"

    def rng(self, *names: str | int) -> np.random.Generator:
        """A numpy Generator derived from this experiment's seed and ``names``."""
        return seeds.numpy_rng(self.seed, *names)

    def derive(self, *names: str | int) -> int:
        """An integer seed derived from this experiment's seed and ``names``."""
        return seeds.derive_seed(self.seed, *names)

    def torch_generator(self, *names: str | int):
        """A ``torch.Generator`` on this run's device, derived from ``names``."""
        return seeds.torch_generator(self.seed, *names, device=self.device)

    def jax_key(self, *names: str | int):
        """A ``jax.random`` key derived from ``names``."""
        return seeds.jax_key(self.seed, *names)

    def progress(self, iterable: Iterable, desc: str, total: int | None = None) -> Iterable:
        """A tqdm bar on a terminal; otherwise log lines (for Snakemake's log files)."""
        if sys.stderr.isatty():
            from tqdm import tqdm

            return tqdm(iterable, desc=desc, total=total)
        return _logged(iterable, desc, total)


def _logged(iterable: Iterable, desc: str, total: int | None) -> Iterable:
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    start = time.perf_counter()
    for i, item in enumerate(iterable):
        yield item
        log.info("%s: %d/%s done (%.1fs)", desc, i + 1, total or "?", time.perf_counter() - start)


def _code(paper: Paper, module: str):
    """``papers.<slug>.<module>``, the code that the declaration names by convention."""
    return import_module(f"{paper.package}.{module}")


def _function(paper: Paper, module: str, name: str) -> Callable:
    fn = getattr(_code(paper, module), name, None)
    if not callable(fn):
        raise ValueError(f"{paper.package}.{module} must define {name}() (see its paper.py)")
    return fn


def run(
    paper: Paper,
    name: str,
    *,
    scale: str = "quick",
    seed: int = 0,
    device: str = "cpu",
    overrides: Mapping[str, Any] | None = None,
) -> Results:
    """Run experiment ``name`` (``run_<name>`` in the paper's ``experiments.py``).

    Returns its results with provenance; writes nothing. ``seed`` is the base seed; the
    experiment's own seed is derived from it and the paper and experiment names.
    """
    exp = paper.experiment(name)
    params = exp.params(scale, overrides)
    fn = _function(paper, "experiments", f"run_{name}")
    ctx = RunContext(seed=seeds.derive_seed(seed, paper.slug, name), device=device, scale=scale)
    start = time.perf_counter()
    out = fn(params, ctx)
    wall = time.perf_counter() - start
    if not isinstance(out, Mapping):
        raise TypeError(f"experiment {name!r} returned {type(out).__name__}, expected a dict")
    arrays = {k: v for k, v in out.items() if isinstance(v, np.ndarray)}
    scalars = {k: v for k, v in out.items() if not isinstance(v, np.ndarray)}
    config = {"paper": paper.slug, "experiment": name, "scale": scale, "params": params}
    prov = provenance(config=config, seed=ctx.seed, wall_time_s=wall, device=device)
    prov["base_seed"] = seed
    return Results(arrays, scalars, prov)


def load(names: Sequence[str], results_dir: Path | str) -> dict[str, Results]:
    """The stored results of the experiments ``names``, by name."""
    return {n: load_results(Path(results_dir) / n) for n in names}


def plot(paper: Paper, name: str, results: Mapping[str, Results]):
    """Figure ``name`` (``plot_<name>`` in the paper's ``figures.py``) as a matplotlib Figure."""
    spec = paper.figure(name)
    missing = sorted(set(spec.inputs) - set(results))
    if missing:
        raise ValueError(f"figure {name!r} needs the results of {missing}")
    return _function(paper, "figures", f"plot_{name}")({k: results[k] for k in spec.inputs})


def claims(paper: Paper) -> tuple[Claim, ...]:
    """The paper's claims (``CLAIMS`` in its ``claims.py``), checked against the declaration."""
    found = getattr(_code(paper, "claims"), "CLAIMS", None)
    if not isinstance(found, tuple) or not all(isinstance(c, Claim) for c in found):
        raise TypeError(f"{paper.package}.claims must define CLAIMS, a tuple of Claim")
    experiments = {e.name for e in paper.experiments}
    figures = {f.name for f in paper.figures}
    for claim in found:
        missing = set(claim.inputs) - experiments
        if missing:
            raise ValueError(f"{paper.slug}: claim {claim.id!r} needs unknown {missing}")
        if claim.figure and claim.figure not in figures:
            raise ValueError(f"{paper.slug}: claim {claim.id!r} names unknown figure")
    return found


def check(paper: Paper, results_dir: Path | str) -> dict[str, Any]:
    """Evaluate every claim over the stored results; the document written by ``check``."""
    found = claims(paper)
    needed = sorted({n for c in found for n in c.inputs})
    rows = evaluate(list(found), load(needed, results_dir))
    return {**paper.gallery_entry(), "claims": rows}


def main(paper: Paper, argv: Sequence[str] | None = None) -> int:
    """The command line of one paper (``python -m papers.<slug> ...``)."""
    parser = _parser(paper)
    args = parser.parse_args(argv)
    if not log.handlers:  # our loggers only ("papers.*"), not every library's
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    try:
        return args.func(paper, args)
    except (ValueError, TypeError, KeyError, FileNotFoundError) as exc:
        parser.exit(2, f"{parser.prog} {args.command}: error: {exc}\n")


def _parse_sets(items: Sequence[str]) -> dict[str, Any]:
    out = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set expects KEY=VALUE, got {item!r}")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def _resolve_device(device: str) -> str:
    if device not in ("auto", "cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, got {device!r}")
    if device == "cpu":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if device == "cuda":
        raise ValueError("device 'cuda' was asked for but torch sees no CUDA device")
    return "cpu"


def _build_config(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    import yaml

    config = yaml.safe_load(path.read_text()) or {}
    if not isinstance(config, dict):
        raise ValueError(f"{path} must hold a mapping")
    return config


def _cmd_run(paper: Paper, args) -> int:
    config = _build_config(args.config)
    if args.params_json is None:  # the build's overrides for this experiment
        section = config.get("papers", {}).get(paper.slug, {}).get("overrides", {})
        overrides = dict(section.get(args.experiment, {}))
    else:
        overrides = json.loads(args.params_json)
        if not isinstance(overrides, dict):
            raise ValueError(f"--params-json must be a JSON object, got {args.params_json!r}")
    overrides.update(_parse_sets(args.set))
    scale = args.scale or config.get("scale", "quick")
    seed = args.seed if args.seed is not None else int(config.get("seed", 0))
    paper.experiment(args.experiment)  # fail fast on an unknown name
    device = _resolve_device(args.device)
    log.info("running %s/%s at scale %s on %s", paper.slug, args.experiment, scale, device)
    results = run(
        paper, args.experiment, scale=scale, seed=seed, device=device, overrides=overrides
    )
    out = args.out or Path("results") / paper.slug / args.experiment
    npz, js = save_results(out, results)
    log.info("wrote %s and %s (%.1fs)", npz, js, results.provenance["wall_time_s"])
    return 0


def _cmd_plot(paper: Paper, args) -> int:
    from common.plotting import save_figure

    spec = paper.figure(args.figure)
    fig = plot(paper, spec.name, load(spec.inputs, args.results))
    png, _ = save_figure(fig, args.out or Path("figures") / paper.slug / spec.name)
    log.info("wrote %s", png)
    return 0


def _cmd_check(paper: Paper, args) -> int:
    doc = check(paper, args.results)
    out = Path(args.out or Path("results") / paper.slug / "claims.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    tmp.replace(out)
    for row in doc["claims"]:
        flag = "" if row["expected_to_hold"] else " (expected not to hold)"
        print(f"{row['id']:<28} {row['status']:<20} measured={row['measured']}{flag}")
    bad = regressions(doc["claims"])
    if bad and args.strict:
        print(f"{len(bad)} claim(s) expected to hold do not: {[r['id'] for r in bad]}")
        return 1
    return 0


def _cmd_list(paper: Paper, args) -> int:
    print(json.dumps(paper.manifest(), indent=2))
    return 0


def _parser(paper: Paper) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m papers.{paper.slug}", description=f"{paper.title} (arXiv:{paper.arxiv})"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    exp_names = [e.name for e in paper.experiments]
    p = sub.add_parser("run", help=f"run an experiment: {exp_names}")
    p.add_argument("experiment")
    p.add_argument("--scale", choices=("quick", "full"), default=None, help="default: config's")
    p.add_argument("--seed", type=int, default=None, help="base seed (default: config's)")
    p.add_argument("--device", default="cpu", help="auto, cpu or cuda (default cpu)")
    p.add_argument(
        "--params-json", default=None, help="JSON object of overrides (default: config's)"
    )
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--out", type=Path, default=None, help="output stem (no suffix)")
    p.add_argument(
        "--config",
        type=Path,
        default=BUILD_CONFIG,
        help=f"build config for the defaults (default {BUILD_CONFIG.relative_to(ROOT)})",
    )
    p.set_defaults(func=_cmd_run)
    p = sub.add_parser("plot", help=f"render a figure: {[f.name for f in paper.figures]}")
    p.add_argument("figure")
    p.add_argument("--results", type=Path, default=Path("results") / paper.slug)
    p.add_argument("--out", type=Path, default=None, help="output stem (no suffix)")
    p.set_defaults(func=_cmd_plot)
    p = sub.add_parser("check", help="evaluate the paper's claims")
    p.add_argument("--results", type=Path, default=Path("results") / paper.slug)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--strict", action="store_true", help="exit 1 on a claim expected to hold")
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("list", help="print the declaration (parameters, types, defaults)")
    p.set_defaults(func=_cmd_list)
    return parser
