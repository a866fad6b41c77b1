"""Settings shared by every test.

- Hypothesis draws its examples from a fixed seed (``derandomize``), so a test run is
  reproducible: the same examples on every machine and in CI, and a failure found once is
  found again. Set ``HYPOTHESIS_PROFILE=explore`` to draw fresh examples when hunting bugs.
- Matplotlib figures opened by a test are closed after it, so plotting tests do not pile up
  open figures (and matplotlib's warning about them) across the suite.
"""

import os

import matplotlib.pyplot as plt
import pytest
from hypothesis import settings

settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
