"""Command line: python -m papers.accelerated_sgd run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.accelerated_sgd.paper import PAPER

raise SystemExit(main(PAPER))
