"""Command line: python -m papers.riemannian_lora run|plot|check|list (see common.cli)."""

from common.cli import main
from papers.riemannian_lora.paper import PAPER

raise SystemExit(main(PAPER))
