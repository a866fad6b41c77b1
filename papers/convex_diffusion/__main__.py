"""Command line: python -m papers.convex_diffusion run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.convex_diffusion.paper import PAPER

raise SystemExit(main(PAPER))
