"""Command line: python -m papers.riemannian_lora run|plot|check|list."""

from common.cli import Paper
from papers.riemannian_lora import claims, experiments, figures

PAPER = Paper(
    slug="riemannian_lora",
    title="Riemannian Preconditioned LoRA for Fine-Tuning Foundation Models",
    arxiv="2402.02347",
    experiments=experiments.EXPERIMENTS,
    figures=figures.FIGURES,
    claims=claims.CLAIMS,
)

if __name__ == "__main__":
    raise SystemExit(PAPER.main())
