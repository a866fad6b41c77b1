"""Command line: python -m papers.lasso_mirrors run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.lasso_mirrors.paper import PAPER

raise SystemExit(main(PAPER))
