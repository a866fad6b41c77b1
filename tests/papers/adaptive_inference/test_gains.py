"""Exact and approximate gains against brute force, closed forms and the brief's facts."""

import itertools

import numpy as np
import pytest

from papers.adaptive_inference import (
    APPROXIMATIONS,
    ApproximateGains,
    approximate_gains,
    exact_gains,
    oracle_states,
)
from papers.adaptive_inference.experiments import KINDS, correctness_matrix


def _brute_frontier(c: np.ndarray, r: np.ndarray) -> dict[int, float]:
    """min mean cost over every deterministic policy, per number of correct answers k."""
    n_states, n = c.shape
    best: dict[int, float] = {}
    for policy in itertools.product(range(n_states), repeat=n):
        k = int(sum(c[s, x] for x, s in enumerate(policy)))
        cost = float(np.mean(r[list(policy)]))
        for kk in range(k + 1):  # a policy with k correct also reaches every kk <= k
            best[kk] = min(best.get(kk, np.inf), cost)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_exact_frontier_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    c = rng.random((3, 6)) < rng.uniform(0.2, 0.8, size=(3, 1))
    r = np.sort(rng.uniform(1, 10, 3))
    e = exact_gains(c, r)
    best = _brute_frontier(c, r)
    n_solvable = int(c.any(axis=0).sum())
    assert e.frontier_cost.size == n_solvable + 1
    for k in range(n_solvable + 1):
        assert e.iso_cost(k / 6) == pytest.approx(best[k], rel=1e-12)
    # the max-performance oracle is the cheapest policy with the oracle's accuracy
    assert e.oracle_cost == pytest.approx(best[n_solvable], rel=1e-12)
    assert e.efficiency_gain == pytest.approx(r[-1] / best[n_solvable], rel=1e-12)
    assert e.iso_gain == pytest.approx(r[-1] / best[int(c[-1].sum())], rel=1e-12)


def test_hand_example_and_conventions():
    # inputs: x0 right for all, x1 only the largest, x2 only the middle, x3 none
    c = np.array([[1, 0, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0]], dtype=bool)
    r = np.array([1.0, 4.0, 16.0])
    e = exact_gains(c, r)
    np.testing.assert_array_equal(oracle_states(c), [0, 2, 1, 0])  # x3 -> cheapest state
    assert e.oracle_cost == pytest.approx((1 + 16 + 4 + 1) / 4)
    assert e.efficiency_gain == pytest.approx(16 / 5.5)
    assert e.oracle_accuracy == pytest.approx(0.75)
    assert e.accuracy_gain == pytest.approx(0.75 - 0.5)
    # iso at A_N = 0.5: the two cheapest solvable inputs (x0 at 1, x2 at 4), the rest at 1
    assert e.iso_gain == pytest.approx(16 / ((1 + 4 + 1 + 1) / 4))
    np.testing.assert_allclose(e.frontier_cost, [1.0, 1.0, 1.75, 5.5])
    assert e.iso_cost(0.125) == pytest.approx(1.0)  # linear between k/n points
    assert e.iso_cost(0.375) == pytest.approx((1.0 + 1.75) / 2)


def _random_case(kind, seed, n_states=5, n=300):
    rng = np.random.default_rng(seed)
    acc = np.sort(rng.uniform(0.1, 0.9, n_states))
    r = np.sort(np.exp(rng.uniform(0, np.log(500), n_states)))
    return correctness_matrix(kind, acc, n, rng, rho=0.5), r


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(4))
def test_facts_on_random_and_adversarial_matrices(kind, seed):
    c, r = _random_case(kind, seed)
    e = exact_gains(c, r)
    acc = e.accuracies
    # fact 1
    assert e.oracle_accuracy >= acc.max()
    # fact 2
    for g in (e.efficiency_gain, e.iso_gain):
        assert 1 - 1e-12 <= g <= r[-1] / r[0] + 1e-9
    # fact 3 and the union bound, at A_N and over the whole frontier up to max A_i
    nested = approximate_gains(acc, r, method="nested").gain
    union = approximate_gains(acc, r, method="union").gain
    assert nested <= e.iso_gain * (1 + 1e-12) <= union * (1 + 1e-12)
    assert approximate_gains(acc, r, at=acc.max()).gain <= e.iso_gain * (1 + 1e-12)
    for a in np.linspace(0, acc.max(), 57):
        ex = e.iso_cost(a)
        assert ex <= APPROXIMATIONS["nested"].cost(acc, r, a) + 1e-9
        assert APPROXIMATIONS["union"].cost(acc, r, a) <= ex + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_fact4_adding_states_keeps_or_raises_iso_gain(seed):
    c, r = _random_case("correlated", seed, n_states=6)
    full = exact_gains(c, r).iso_gain
    for drop in range(5):  # drop one non-top state
        keep = [i for i in range(6) if i != drop]
        assert exact_gains(c[keep], r[keep]).iso_gain <= full * (1 + 1e-12)


def test_fact4_does_not_hold_for_the_efficiency_gain():
    # x1 is unsolvable by {1, 3}: it costs R_1. A middle state that rescues it costs more.
    c = np.array([[1, 0], [0, 1], [1, 0]], dtype=bool)
    r = np.array([1.0, 50.0, 100.0])
    two, three = exact_gains(c[[0, 2]], r[[0, 2]]), exact_gains(c, r)
    assert three.efficiency_gain < two.efficiency_gain
    assert three.iso_gain >= two.iso_gain


def test_nested_is_exact_on_nested_and_union_on_disjoint_matrices():
    c, r = _random_case("nested", 7)
    e = exact_gains(c, r)
    assert approximate_gains(e.accuracies, r).gain == pytest.approx(e.iso_gain, rel=1e-12)
    # disjoint correct sets (sum of accuracies < 1): the union approximation is exact
    c = np.zeros((3, 10), dtype=bool)
    c[0, :2], c[1, 2:5], c[2, 5:9] = True, True, True
    r = np.array([1.0, 3.0, 9.0])
    e = exact_gains(c, r)
    assert approximate_gains(e.accuracies, r, method="union").gain == pytest.approx(e.iso_gain)
    assert approximate_gains(e.accuracies, r, method="independent").gain < e.iso_gain


def test_efficientnet_table_by_hand():
    acc = np.array([77.1, 79.1, 80.1, 81.6, 82.9, 83.6, 84.0, 84.3]) / 100
    cost = np.array([0.39, 0.70, 1.0, 1.8, 4.2, 9.9, 19, 37])
    by_hand = (
        0.771 * 0.39
        + 0.020 * 0.70
        + 0.010 * 1.0
        + 0.015 * 1.8
        + 0.013 * 4.2
        + 0.007 * 9.9
        + 0.004 * 19
        + 0.003 * 37
        + (1 - 0.843) * 0.39
    )
    g = approximate_gains(acc, cost)
    assert isinstance(g, ApproximateGains)
    assert g.cost == pytest.approx(by_hand, rel=1e-12)
    assert g.gain == pytest.approx(37 / by_hand, rel=1e-12)
    assert g.gain == pytest.approx(51.12, abs=0.01)


def test_non_monotone_accuracies_use_the_running_maximum():
    acc, r = np.array([0.5, 0.8, 0.7]), np.array([1.0, 2.0, 4.0])
    # nested: U = (0.5, 0.8, 0.8); at A_N = 0.7: 0.5 * 1 + 0.2 * 2 + 0.3 * 1
    assert approximate_gains(acc, r).cost == pytest.approx(1.2)
    assert approximate_gains(acc, r, at=0.8).cost == pytest.approx(0.5 + 0.6 + 0.2)


def test_a_pluggable_approximation():
    class Flat:
        name = "flat"

        def max_accuracy(self, accuracies):
            return float(np.max(accuracies))

        def cost(self, accuracies, costs, at):
            return float(costs[0] + at)

    g = approximate_gains([0.2, 0.6], [1.0, 10.0], method=Flat())
    assert g.method == "flat" and g.cost == pytest.approx(1.6)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([[1, 0]], [1.0, 2.0]), "costs has 2 entries"),
        (([1, 0], [1.0]), "correct must be"),
        (([[1, 2]], [1.0]), "booleans or 0/1"),
        (([[1, 0], [0, 1]], [2.0, 1.0]), "sorted"),
        (([[1, 0], [0, 1]], [1.0, np.nan]), "finite"),
        (([[1, 0], [0, 1]], [-1.0, 1.0]), ">= 0"),
        (([[1, 0], [0, 1]], [0.0, 0.0]), "largest state's cost"),
    ],
)
def test_exact_gains_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        exact_gains(*args)


def test_approximate_gains_bad_input():
    with pytest.raises(ValueError, match="accuracies"):
        approximate_gains([0.5, 1.2], [1.0, 2.0])
    with pytest.raises(ValueError, match="accuracies"):
        approximate_gains([0.5, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="method must be one of"):
        approximate_gains([0.5, 0.6], [1.0, 2.0], method="bogus")
    with pytest.raises(TypeError, match="method must be a name"):
        approximate_gains([0.5, 0.6], [1.0, 2.0], method=3)
    with pytest.raises(ValueError, match="at must be in"):
        approximate_gains([0.5, 0.6], [1.0, 2.0], at=0.9)
    with pytest.raises(ValueError, match="at must be in"):
        approximate_gains([0.5, 0.6], [1.0, 2.0], at=np.inf)
    with pytest.raises(TypeError, match="at must be a real number"):
        approximate_gains([0.5, 0.6], [1.0, 2.0], at="high")
    with pytest.raises(ValueError, match="costs has 3"):
        approximate_gains([0.5, 0.6], [1.0, 2.0, 3.0])
    e = exact_gains([[1, 0], [1, 1]], [1.0, 2.0])
    with pytest.raises(ValueError, match="at must be in"):
        e.iso_cost(1.5)
