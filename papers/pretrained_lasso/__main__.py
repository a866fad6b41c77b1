"""Command line: python -m papers.pretrained_lasso run|plot|check|list."""

from common.cli import Paper
from papers.pretrained_lasso import claims, experiments, figures

PAPER = Paper(
    slug="pretrained_lasso",
    title="Pretraining and the Lasso",
    arxiv="2401.12911",
    experiments=experiments.EXPERIMENTS,
    figures=figures.FIGURES,
    claims=claims.CLAIMS,
)

if __name__ == "__main__":
    raise SystemExit(PAPER.main())
