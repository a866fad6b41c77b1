"""The house plotting style and deterministic figure output.

Every figure is made with :func:`figure` (Agg backend, one set of sizes, fonts
and colours) and written with :func:`save_figure`, which writes PNG and PDF with
fixed metadata so that the same results give byte-identical PNGs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["COLORS", "STYLE", "figure", "legend_below", "save_figure", "style"]

#: Colour-blind-safe palette (Okabe-Ito), in a fixed order.
COLORS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.5,
    "axes.prop_cycle": matplotlib.cycler(color=COLORS),
    "svg.hashsalt": "pilanci-replications",
    "pdf.fonttype": 42,
}

#: Width of one panel in inches; figures are ``ncols * PANEL`` wide.
PANEL = (3.4, 2.8)


@contextmanager
def style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block."""
    with matplotlib.rc_context(STYLE):
        yield


def figure(nrows: int = 1, ncols: int = 1, *, squeeze: bool = False, **kwargs):
    """A new figure in the house style with an ``nrows x ncols`` grid of axes.

    Returns ``(fig, axes)``; ``axes`` is a 2-D array unless ``squeeze=True``.
    """
    if nrows < 1 or ncols < 1:
        raise ValueError(f"nrows and ncols must be >= 1, got {nrows}, {ncols}")
    with style():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(PANEL[0] * ncols, PANEL[1] * nrows),
            squeeze=squeeze,
            layout="constrained",
            **kwargs,
        )
    return fig, axes


def save_figure(fig: Figure, stem: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``<stem>.png`` and ``<stem>.pdf`` with deterministic metadata; close ``fig``."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, pdf = stem.with_suffix(".png"), stem.with_suffix(".pdf")
    with style():
        for path, meta in (
            (png, {"Software": None}),
            (pdf, {"Creator": None, "Producer": None, "CreationDate": None}),
        ):
            tmp = path.with_name(f".{path.name}.tmp")
            fig.savefig(tmp, format=path.suffix[1:], metadata=meta)
            os.replace(tmp, path)
    plt.close(fig)
    return png, pdf


def legend_below(fig, axes, ncols: int = 4) -> None:
    """One legend below the panels of ``fig`` for the labelled artists of ``axes`` (each
    label once, in order of first appearance)."""
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols)
