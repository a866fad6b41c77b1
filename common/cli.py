"""The per-paper command line: ``python -m papers.<slug> run | plot | check | list``.

A paper declares a :class:`Paper`: its experiments (pure compute with quick and
full parameters), its figures (pure plotting over named experiment results) and
its claims. Its ``__main__.py`` is then two lines::

    from papers.<slug>.registry import PAPER
    PAPER.main()

Commands (the Snakemake rules call exactly these):

- ``run EXP [--scale quick|full] [--seed N] [--device auto|cpu|cuda]
  [--params-json JSON] [--set KEY=VALUE ...] [--out STEM]`` writes
  ``STEM.npz`` + ``STEM.json`` (default ``results/<slug>/EXP``);
- ``plot FIG [--results DIR] [--out STEM]`` writes ``STEM.png`` + ``STEM.pdf``
  (default ``figures/<slug>/FIG``);
- ``check [--results DIR] [--out FILE]`` writes the claims' verdicts as JSON
  (default ``results/<slug>/claims.json``) and prints a table; it exits 1 if
  ``--strict`` is given and a claim expected to hold does not;
- ``list`` prints the manifest (experiments, figures and their inputs) as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from common import seeds
from common.claims import Claim, evaluate, regressions
from common.results import Results, load_results, provenance, save_results

__all__ = ["Experiment", "FigureSpec", "Paper", "RunContext"]

log = logging.getLogger("papers")


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


@dataclass(frozen=True)
class Experiment:
    """Pure compute: ``run(params, ctx) -> dict`` of arrays and JSON scalars; writes nothing.

    ``quick`` and ``full`` are the default parameters at each scale; both must
    have the same keys. Values of the returned dict that are numpy arrays are
    stored in the ``.npz``; everything else must be JSON (numbers, strings,
    lists, dicts) and is stored in the ``.json``.
    """

    name: str
    run: Callable[[Mapping[str, Any], RunContext], Mapping[str, Any]]
    quick: Mapping[str, Any]
    full: Mapping[str, Any]
    description: str = ""
    gpu: bool = False

    def __post_init__(self) -> None:
        if set(self.quick) != set(self.full):
            raise ValueError(
                f"experiment {self.name!r}: quick and full parameters differ in keys: "
                f"{sorted(set(self.quick) ^ set(self.full))}"
            )

    def params(self, scale: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The resolved parameters: the scale's defaults with ``overrides`` applied."""
        if scale not in ("quick", "full"):
            raise ValueError(f"scale must be 'quick' or 'full', got {scale!r}")
        params = dict(self.quick if scale == "quick" else self.full)
        unknown = sorted(set(overrides or {}) - set(params))
        if unknown:
            raise ValueError(
                f"experiment {self.name!r} has no parameter {unknown[0]!r}; "
                f"its parameters are {sorted(params)}"
            )
        params.update(overrides or {})
        return params


@dataclass(frozen=True)
class FigureSpec:
    """Pure plotting: ``plot(results_by_experiment) -> matplotlib Figure``."""

    name: str
    inputs: tuple[str, ...]
    plot: Callable[[Mapping[str, Results]], Any]
    caption: str


@dataclass(frozen=True)
class Paper:
    """A paper's manifest: experiments, figures, claims, and its command line."""

    slug: str
    title: str
    arxiv: str
    experiments: tuple[Experiment, ...]
    figures: tuple[FigureSpec, ...]
    claims: tuple[Claim, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [e.name for e in self.experiments]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.slug}: duplicate experiment names {names}")
        for fig in self.figures:
            missing = set(fig.inputs) - set(names)
            if missing:
                raise ValueError(f"{self.slug}: figure {fig.name!r} needs unknown {missing}")
        for claim in self.claims:
            missing = set(claim.inputs) - set(names)
            if missing:
                raise ValueError(f"{self.slug}: claim {claim.id!r} needs unknown {missing}")

    # -- lookups with clear errors -------------------------------------------------
    def experiment(self, name: str) -> Experiment:
        for exp in self.experiments:
            if exp.name == name:
                return exp
        known = [e.name for e in self.experiments]
        raise ValueError(f"{self.slug} has no experiment {name!r}; choose one of {known}")

    def figure(self, name: str) -> FigureSpec:
        for fig in self.figures:
            if fig.name == name:
                return fig
        known = [f.name for f in self.figures]
        raise ValueError(f"{self.slug} has no figure {name!r}; choose one of {known}")

    def manifest(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "arxiv": self.arxiv,
            "experiments": {e.name: {"gpu": e.gpu} for e in self.experiments},
            "figures": {f.name: list(f.inputs) for f in self.figures},
        }

    # -- the three steps, usable from Python too -----------------------------------
    def run(
        self,
        name: str,
        *,
        scale: str = "quick",
        seed: int = 0,
        device: str = "cpu",
        overrides: Mapping[str, Any] | None = None,
    ) -> Results:
        """Run one experiment and return its results with provenance (writes nothing)."""
        exp = self.experiment(name)
        params = exp.params(scale, overrides)
        ctx = RunContext(seed=seeds.derive_seed(seed, self.slug, name), device=device, scale=scale)
        start = time.perf_counter()
        out = exp.run(params, ctx)
        wall = time.perf_counter() - start
        if not isinstance(out, Mapping):
            raise TypeError(f"experiment {name!r} returned {type(out).__name__}, expected a dict")
        arrays = {k: v for k, v in out.items() if isinstance(v, np.ndarray)}
        scalars = {k: v for k, v in out.items() if not isinstance(v, np.ndarray)}
        config = {"paper": self.slug, "experiment": name, "scale": scale, "params": params}
        prov = provenance(config=config, seed=ctx.seed, wall_time_s=wall, device=device)
        prov["base_seed"] = seed
        return Results(arrays, scalars, prov)

    def load(self, names: Sequence[str], results_dir: Path) -> dict[str, Results]:
        return {n: load_results(Path(results_dir) / n) for n in names}

    def check(self, results_dir: Path) -> dict[str, Any]:
        """Evaluate every claim over the stored results; the document written by ``check``."""
        needed = sorted({n for c in self.claims for n in c.inputs})
        rows = evaluate(list(self.claims), self.load(needed, results_dir))
        return {
            **self.manifest(),
            "captions": {f.name: f.caption for f in self.figures},
            "claims": rows,
        }

    # -- command line --------------------------------------------------------------
    def main(self, argv: Sequence[str] | None = None) -> int:
        parser = _parser(self)
        args = parser.parse_args(argv)
        if not log.handlers:  # our loggers only ("papers.*"), not every library's
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            log.propagate = False
        try:
            return args.func(self, args)
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


def _cmd_run(paper: Paper, args) -> int:
    overrides = json.loads(args.params_json) if args.params_json else {}
    if not isinstance(overrides, dict):
        raise ValueError(f"--params-json must be a JSON object, got {args.params_json!r}")
    overrides.update(_parse_sets(args.set))
    paper.experiment(args.experiment)  # fail fast on an unknown name
    device = _resolve_device(args.device)
    log.info("running %s/%s at scale %s on %s", paper.slug, args.experiment, args.scale, device)
    results = paper.run(
        args.experiment, scale=args.scale, seed=args.seed, device=device, overrides=overrides
    )
    out = args.out or Path("results") / paper.slug / args.experiment
    npz, js = save_results(out, results)
    log.info("wrote %s and %s (%.1fs)", npz, js, results.provenance["wall_time_s"])
    return 0


def _cmd_plot(paper: Paper, args) -> int:
    from common.plotting import save_figure

    spec = paper.figure(args.figure)
    fig = spec.plot(paper.load(spec.inputs, args.results))
    png, _ = save_figure(fig, args.out or Path("figures") / paper.slug / spec.name)
    log.info("wrote %s", png)
    return 0


def _cmd_check(paper: Paper, args) -> int:
    doc = paper.check(args.results)
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
    p.add_argument("--scale", choices=("quick", "full"), default="quick")
    p.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    p.add_argument("--device", default="cpu", help="auto, cpu or cuda (default cpu)")
    p.add_argument("--params-json", default="", help="JSON object of parameter overrides")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--out", type=Path, default=None, help="output stem (no suffix)")
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
    p = sub.add_parser("list", help="print the manifest as JSON")
    p.set_defaults(func=_cmd_list)
    return parser
