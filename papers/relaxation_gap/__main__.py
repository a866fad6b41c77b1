"""Command line: python -m papers.relaxation_gap run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.relaxation_gap.paper import PAPER

raise SystemExit(main(PAPER))
