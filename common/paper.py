"""A paper's declaration: its experiments (with typed parameters), figures and captions.

Each paper declares itself once, in ``papers/<slug>/paper.py``, as a :class:`Paper`. That
module imports nothing but this one (standard library only), so the workflow can read every
declaration without importing JAX, torch or CVXPY. Everything else is generated from it:

- the Snakemake rules (``workflows/build.smk`` loops over :func:`discover`);
- the config schema (:func:`config_schema`): a misspelled paper, experiment or parameter,
  or a value of the wrong type, stops ``snakemake -n`` before any job starts, naming the key;
- the command line (``python -m papers.<slug> list`` prints every parameter with its type
  and defaults);
- the gallery's titles and captions.

Code is found by convention, so the declaration holds no references to it: experiment
``E`` runs ``papers.<slug>.experiments.run_E(params, ctx)``, figure ``F`` is drawn by
``papers.<slug>.figures.plot_F(results)``, and the claims are
``papers.<slug>.claims.CLAIMS``.

A parameter's type is inferred from its defaults (bool, integer, number, string, list of
one of these, object); ``Experiment.schema`` gives an explicit JSON schema for a parameter
where inference cannot (a default of ``None``) or where a range matters.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ConfigError",
    "Experiment",
    "Figure",
    "Paper",
    "config_schema",
    "discover",
    "validate_config",
]

ROOT = Path(__file__).resolve().parent.parent
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(ValueError):
    """A configuration value or parameter override that the declarations do not allow."""


def _type_of(value: Any) -> str | None:
    """The JSON-schema type of one default value (None for ``None``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    raise TypeError(f"a parameter default must be JSON data, got {type(value).__name__}")


def _merge_types(types: set[str]) -> str | list[str]:
    if types == {"integer", "number"}:
        return "number"
    return types.pop() if len(types) == 1 else sorted(types)


def _infer_schema(values: list[Any]) -> dict[str, Any]:
    """A JSON schema accepting what the defaults ``values`` are (None makes it nullable)."""
    types = {t for t in map(_type_of, values) if t is not None}
    if not types:
        return {}
    schema: dict[str, Any] = {"type": _merge_types(types)}
    if schema["type"] == "array":
        items = [x for v in values if isinstance(v, list | tuple) for x in v]
        item_schema = _infer_schema(items)
        if item_schema:
            schema["items"] = item_schema
    if any(v is None for v in values):
        t = schema["type"]
        schema["type"] = [*(t if isinstance(t, list) else [t]), "null"]
    return schema


def _type_text(schema: Mapping[str, Any]) -> str:
    if not schema:
        return "any"
    t = schema.get("type", "any")
    text = " | ".join(t) if isinstance(t, list) else t
    if "items" in schema:
        text = text.replace("array", f"list[{_type_text(schema['items'])}]")
    limits = [f"{k}={schema[k]}" for k in ("minimum", "maximum", "enum") if k in schema]
    return text + (f" ({', '.join(limits)})" if limits else "")


@dataclass(frozen=True)
class Experiment:
    """One experiment: pure compute ``run_<name>(params, ctx)``, writes nothing.

    ``quick`` and ``full`` are the default parameters at each scale (same keys); ``schema``
    maps a parameter to an explicit JSON schema that replaces the inferred one.
    ``threads`` is what the workflow reserves for the job; ``gpu`` marks an experiment
    that wants a GPU at full scale.
    """

    name: str
    quick: Mapping[str, Any]
    full: Mapping[str, Any]
    description: str = ""
    gpu: bool = False
    threads: int = 1
    schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"experiment name {self.name!r} must match {_NAME.pattern}")
        if set(self.quick) != set(self.full):
            raise ValueError(
                f"experiment {self.name!r}: quick and full parameters differ in keys: "
                f"{sorted(set(self.quick) ^ set(self.full))}"
            )
        unknown = sorted(set(self.schema) - set(self.quick))
        if unknown:
            raise ValueError(f"experiment {self.name!r}: schema for unknown parameters {unknown}")
        if not isinstance(self.threads, int) or self.threads < 1:
            raise ValueError(f"experiment {self.name!r}: threads must be an integer >= 1")

    def parameter_schema(self) -> dict[str, dict[str, Any]]:
        """Each parameter's JSON schema: the explicit one, else inferred from the defaults."""
        return {
            key: dict(self.schema.get(key) or _infer_schema([self.quick[key], self.full[key]]))
            for key in self.quick
        }

    def overrides_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": self.parameter_schema(),
        }

    def params(self, scale: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The resolved parameters: the scale's defaults with ``overrides`` applied (checked)."""
        if scale not in ("quick", "full"):
            raise ValueError(f"scale must be 'quick' or 'full', got {scale!r}")
        overrides = dict(overrides or {})
        _validate(overrides, self.overrides_schema(), f"experiment {self.name!r}: overrides")
        return {**(self.quick if scale == "quick" else self.full), **overrides}

    def describe(self) -> dict[str, Any]:
        """Every parameter with its type and both defaults (``list`` prints this)."""
        schema = self.parameter_schema()
        return {
            "description": self.description,
            "gpu": self.gpu,
            "threads": self.threads,
            "parameters": {
                k: {"type": _type_text(schema[k]), "quick": self.quick[k], "full": self.full[k]}
                for k in self.quick
            },
        }


@dataclass(frozen=True)
class Figure:
    """One figure: ``plot_<name>(results)`` over the named experiments' results."""

    name: str
    inputs: tuple[str, ...]
    caption: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"figure name {self.name!r} must match {_NAME.pattern}")
        if isinstance(self.inputs, str):
            raise TypeError(f"figure {self.name!r}: inputs must be a tuple of experiment names")


@dataclass(frozen=True)
class Paper:
    """A paper's declaration. Its command line and runner are in :mod:`common.cli`."""

    slug: str
    title: str
    arxiv: str
    experiments: tuple[Experiment, ...]
    figures: tuple[Figure, ...]
    #: where its code lives (``experiments``, ``figures``, ``claims``); ``papers.<slug>``
    package: str = ""

    def __post_init__(self) -> None:
        if not _NAME.match(self.slug):
            raise ValueError(f"paper slug {self.slug!r} must match {_NAME.pattern}")
        if not self.package:
            object.__setattr__(self, "package", f"papers.{self.slug}")
        names = [e.name for e in self.experiments]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.slug}: duplicate experiment names {names}")
        figs = [f.name for f in self.figures]
        if len(set(figs)) != len(figs):
            raise ValueError(f"{self.slug}: duplicate figure names {figs}")
        for fig in self.figures:
            missing = set(fig.inputs) - set(names)
            if missing:
                raise ValueError(f"{self.slug}: figure {fig.name!r} needs unknown {missing}")

    def experiment(self, name: str) -> Experiment:
        for exp in self.experiments:
            if exp.name == name:
                return exp
        known = [e.name for e in self.experiments]
        raise ValueError(f"{self.slug} has no experiment {name!r}; choose one of {known}")

    def figure(self, name: str) -> Figure:
        for fig in self.figures:
            if fig.name == name:
                return fig
        known = [f.name for f in self.figures]
        raise ValueError(f"{self.slug} has no figure {name!r}; choose one of {known}")

    def manifest(self) -> dict[str, Any]:
        """Title, experiments with every parameter (type and defaults), figures and inputs."""
        return {
            "slug": self.slug,
            "title": self.title,
            "arxiv": self.arxiv,
            "experiments": {e.name: e.describe() for e in self.experiments},
            "figures": {f.name: list(f.inputs) for f in self.figures},
        }

    def gallery_entry(self) -> dict[str, Any]:
        """What the gallery shows besides the claims: title and captions."""
        return {
            "slug": self.slug,
            "title": self.title,
            "arxiv": self.arxiv,
            "captions": {f.name: f.caption for f in self.figures},
        }

    def config_schema(self) -> dict[str, Any]:
        """The schema of ``config["papers"][slug]``: enabled, and typed overrides."""
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {
                    "description": "Build this paper in `rule all` and list it in the gallery.",
                    "type": "boolean",
                },
                "overrides": {
                    "description": "experiment -> {parameter -> value}, on top of the defaults.",
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {e.name: e.overrides_schema() for e in self.experiments},
                },
            },
        }


def _load(path: Path) -> Paper:
    """Execute one declaration file on its own (not its package, whose API may be heavy)."""
    spec = importlib.util.spec_from_file_location(f"_declaration_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paper = getattr(module, "PAPER", None)
    if not isinstance(paper, Paper):
        raise TypeError(f"{path} must define PAPER = common.paper.Paper(...)")
    if paper.slug != path.parent.name:
        raise ValueError(f"{path}: slug {paper.slug!r} differs from the folder name")
    return paper


def discover(root: Path | str = ROOT) -> dict[str, Paper]:
    """Every declared paper under ``root/papers`` (a folder with a ``paper.py``), by slug."""
    files = sorted(Path(root, "papers").glob("*/paper.py"))
    return {path.parent.name: _load(path) for path in files}


_BASE_SCHEMA: dict[str, Any] = {
    "scale": {
        "description": "quick (2 CPU cores, minutes) or full (the paper's scale).",
        "enum": ["quick", "full"],
    },
    "seed": {
        "description": "Base seed from which every random draw is derived.",
        "type": "integer",
        "minimum": 0,
        "maximum": 2**63 - 1,
    },
    "device": {"description": "Device for compute rules.", "enum": ["auto", "cpu", "cuda"]},
}


def config_schema(papers: Mapping[str, Paper]) -> dict[str, Any]:
    """The JSON schema of ``workflows/config.yaml``, generated from the declarations."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "description": "Configuration of the replication build (workflows/config.yaml).",
        "type": "object",
        "additionalProperties": False,
        "required": ["scale", "seed", "device"],
        "properties": {
            **_BASE_SCHEMA,
            "papers": {
                "type": "object",
                "additionalProperties": False,
                "properties": {slug: p.config_schema() for slug, p in papers.items()},
            },
        },
    }


def _validator(schema: Mapping[str, Any]):
    """A draft 2020-12 validator whose "integer" is a Python int (2.0 is not an integer) and
    whose "number" is finite (NaN and inf are refused)."""
    import jsonschema

    checker = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
        {
            "integer": lambda _, x: isinstance(x, int) and not isinstance(x, bool),
            "number": lambda _, x: (
                isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
            ),
        }
    )
    strict = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=checker)
    return strict(schema)


def _validate(data: Any, schema: Mapping[str, Any], where: str) -> None:
    validator = _validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    lines = []
    for err in errors:
        key = ".".join(str(p) for p in err.absolute_path)
        message = err.message
        if err.validator == "additionalProperties":
            allowed = sorted(err.schema.get("properties", {}))
            message += f"; allowed here: {allowed}"
        lines.append(f"{where}{'.' + key if key else ''}: {message}")
    raise ConfigError("\n".join(lines))


def validate_config(config: Mapping[str, Any], papers: Mapping[str, Paper]) -> None:
    """Raise :class:`ConfigError` naming every key that the generated schema refuses."""
    _validate(json.loads(json.dumps(config)), config_schema(papers), "config")
