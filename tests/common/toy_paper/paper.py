"""A toy paper for the command-line tests (its code is in this folder)."""

from common.paper import Experiment, Figure, Paper

PAPER = Paper(
    slug="toy",
    title="A toy paper",
    arxiv="0000.00000",
    experiments=(
        Experiment("draw", quick={"n": 50, "scale": 1.0}, full={"n": 5000, "scale": 1.0}),
        Experiment("missing", quick={}, full={}),
    ),
    figures=(Figure("trace", ("draw",), "The draws."),),
    package="tests.common.toy_paper",
)
