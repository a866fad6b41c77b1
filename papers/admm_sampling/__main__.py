"""Command line: python -m papers.admm_sampling run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.admm_sampling.paper import PAPER

raise SystemExit(main(PAPER))
