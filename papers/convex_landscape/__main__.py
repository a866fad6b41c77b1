"""Command line: python -m papers.convex_landscape run|plot|check|list."""

from common.cli import Paper
from papers.convex_landscape import claims, experiments, figures

PAPER = Paper(
    slug="convex_landscape",
    title=(
        "The Convex Landscape of Neural Networks: Characterizing Global Optima and Stationary "
        "Points via Lasso Models"
    ),
    arxiv="2312.12657",
    experiments=experiments.EXPERIMENTS,
    figures=figures.FIGURES,
    claims=claims.CLAIMS,
)

if __name__ == "__main__":
    raise SystemExit(PAPER.main())
