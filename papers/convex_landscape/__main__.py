"""Command line: python -m papers.convex_landscape run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.convex_landscape.paper import PAPER

raise SystemExit(main(PAPER))
