"""The confidence cascade against a per-input loop."""

import numpy as np
import pytest

from papers.adaptive_inference import confidence_cascade


def _loop(conf, correct, costs, tau, stop_costs):
    acc = seq = direct = 0.0
    n_states, n = correct.shape
    for x in range(n):
        stop = next((i for i in range(n_states) if conf[i, x] >= tau), n_states - 1)
        acc += correct[stop, x]
        seq += stop_costs[stop]
        direct += costs[stop]
    return acc / n, seq / n, direct / n


@pytest.mark.parametrize("seed", range(3))
def test_cascade_matches_loop(seed):
    rng = np.random.default_rng(seed)
    conf = rng.uniform(0.1, 1.0, (4, 50))
    correct = rng.random((4, 50)) < conf  # confident states are right more often
    costs = np.array([1.0, 2.0, 5.0, 20.0])
    tau = np.array([0.0, 0.3, 0.7, 0.95, 1.01])
    for stop_costs in (None, np.array([1.0, 2.5, 6.0, 22.0])):
        curve = confidence_cascade(conf, correct, costs, tau, stop_costs)
        seq_ref = np.cumsum(costs) if stop_costs is None else stop_costs
        for j, t in enumerate(tau):
            a, s, d = _loop(conf, correct, costs, t, seq_ref)
            assert curve.accuracy[j] == pytest.approx(a)
            assert curve.sequential_cost[j] == pytest.approx(s)
            assert curve.direct_cost[j] == pytest.approx(d)
        np.testing.assert_allclose(curve.stop_share.sum(axis=1), 1.0)
    # tau = 0: the first state answers; tau > 1: the last state answers
    assert curve.accuracy[0] == pytest.approx(correct[0].mean())
    assert curve.accuracy[-1] == pytest.approx(correct[-1].mean())
    assert curve.direct_cost[-1] == pytest.approx(20.0)
    assert curve.best_cost_at(correct[-1].mean()) <= 20.0
    assert curve.best_cost_at(1.1) == np.inf


def test_cascade_bad_input():
    conf, correct, costs = np.full((2, 3), 0.5), np.ones((2, 3), bool), [1.0, 2.0]
    with pytest.raises(ValueError, match="confidence has shape"):
        confidence_cascade(conf[:, :2], correct, costs, [0.5])
    with pytest.raises(ValueError, match="probabilities"):
        confidence_cascade(conf + 1, correct, costs, [0.5])
    with pytest.raises(ValueError, match="thresholds"):
        confidence_cascade(conf, correct, costs, [np.nan])
    with pytest.raises(ValueError, match="stop_costs"):
        confidence_cascade(conf, correct, costs, [0.5], stop_costs=[1.0, 1.0])
    curve = confidence_cascade(conf, correct, costs, [0.5])
    with pytest.raises(ValueError, match="accounting"):
        curve.best_cost_at(0.5, "cumulative")
