"""Command line: python -m papers.adaptive_inference run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.adaptive_inference.paper import PAPER

raise SystemExit(main(PAPER))
