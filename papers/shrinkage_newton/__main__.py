"""Command line: python -m papers.shrinkage_newton run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.shrinkage_newton.paper import PAPER

raise SystemExit(main(PAPER))
