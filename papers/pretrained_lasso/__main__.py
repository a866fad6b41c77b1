"""Command line: python -m papers.pretrained_lasso run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.pretrained_lasso.paper import PAPER

raise SystemExit(main(PAPER))
