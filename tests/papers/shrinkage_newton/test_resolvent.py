"""The random-matrix quantities and the averaged estimators against independent references."""

from __future__ import annotations

import numpy as np
import pytest

from papers.shrinkage_newton import (
    averaged_inverse,
    deterministic_equivalent_kappa,
    effective_dimension,
    local_fixed_point_s,
    local_grams,
    predicted_naive_error,
    shrinkage_coeff,
)


def _gaussian_blocks(q, m, eigs, rng):
    basis, _ = np.linalg.qr(rng.standard_normal((eigs.size, eigs.size)))
    return rng.standard_normal((q, m, eigs.size)) @ (basis * np.sqrt(eigs)).T, basis


def test_effective_dimension_and_kappa_closed_forms():
    eigs = np.array([0.5, 1.0, 2.0])
    assert effective_dimension(eigs, 0.0) == 3
    assert effective_dimension(eigs, 1.0) == pytest.approx(0.5 / 1.5 + 0.5 + 2 / 3)
    # isotropic Sigma = I: lam = k (1 - d/(m (1 + k))) is a quadratic in k
    d, m, lam = 20, 50, 0.3
    k = deterministic_equivalent_kappa(np.ones(d), lam, m)
    assert k * (1 - d / (m * (1 + k))) == pytest.approx(lam, rel=1e-12)
    disc = (1 - lam - d / m) ** 2 + 4 * lam
    assert k == pytest.approx((-(1 - lam - d / m) + np.sqrt(disc)) / 2, rel=1e-10)
    assert shrinkage_coeff(20.0, 50) == pytest.approx(0.6)


def test_predicted_plateau_limits():
    eigs = np.logspace(-2, 0, 40)
    gamma = 40 / 100
    assert predicted_naive_error(eigs, 0.0, 100) == pytest.approx(gamma / (1 - gamma))
    # continuous as lam -> 0, and decreasing in lam
    assert predicted_naive_error(eigs, 1e-9, 100) == pytest.approx(gamma / (1 - gamma), rel=1e-5)
    values = [predicted_naive_error(eigs, lam, 100) for lam in (1e-3, 1e-2, 1e-1)]
    assert values[0] > values[1] > values[2] > 0


def test_inverse_wishart_mean_monte_carlo():
    """E inv(X^T X / m) = m / (m - d - 1) inv(Sigma) for Gaussian rows (lam = 0)."""
    rng = np.random.default_rng(0)
    d, m, q = 5, 30, 40000
    eigs = np.array([0.2, 0.5, 1.0, 2.0, 3.0])
    blocks, basis = _gaussian_blocks(q, m, eigs, rng)
    est = averaged_inverse(blocks, 0.0, "naive")
    exact = m / (m - d - 1) * (basis / eigs) @ basis.T
    assert np.linalg.norm(est - exact, 2) / np.linalg.norm(exact, 2) < 0.02
    # shrinkage with s = 1 - d/m leaves the relative bias 1/(m - d - 1) (brief)
    shr = averaged_inverse(blocks, 0.0, "shrinkage")
    np.testing.assert_allclose(shr, (1 - d / m) * est, rtol=1e-12)


def test_deterministic_equivalent_matches_large_q_simulation():
    """The naive plateau at lam > 0 matches the prediction within a few percent."""
    rng = np.random.default_rng(1)
    d, m, q, lam = 40, 100, 3000, 0.05
    eigs = np.logspace(-1, 0, d)
    blocks, basis = _gaussian_blocks(q, m, eigs, rng)
    target = (basis / (eigs + lam)) @ basis.T
    err = np.linalg.norm(averaged_inverse(blocks, lam, "naive") - target, 2)
    err /= np.linalg.norm(target, 2)
    noise = np.linalg.norm(
        averaged_inverse(blocks, lam, "shrinkage", effective_dimension(eigs, lam)) - target, 2
    ) / np.linalg.norm(target, 2)
    pred = predicted_naive_error(eigs, lam, m)
    assert noise < 0.25 * pred
    assert abs(err - pred) <= 0.05 * pred + noise


def test_fixed_point_s_close_to_oracle_and_solves_its_equation():
    rng = np.random.default_rng(2)
    d, m, lam = 30, 120, 0.05
    eigs = np.logspace(-1.5, 0, d)
    blocks, _ = _gaussian_blocks(50, m, eigs, rng)
    s = local_fixed_point_s(blocks, lam)
    oracle = shrinkage_coeff(effective_dimension(eigs, lam), m)
    assert abs(s.mean() - oracle) < 0.01
    e = np.linalg.eigvalsh(local_grams(blocks[:1]))[0]
    assert s[0] == pytest.approx(1 - np.sum(e / (e + s[0] * lam)) / m, abs=1e-12)
    assert local_fixed_point_s(blocks[0], lam) == pytest.approx(s[0], abs=1e-14)
    # the naive plug-in 1 - d_i(lam)/m is biased (why the fixed point is needed)
    plug_in = (
        1
        - np.array([np.sum(ev / (ev + lam)) for ev in np.linalg.eigvalsh(local_grams(blocks))]) / m
    )
    assert abs(plug_in.mean() - oracle) > 3 * abs(s.mean() - oracle)
    assert local_fixed_point_s(blocks[0], 0.0) == pytest.approx(1 - d / m)


def test_batched_methods_equal_per_machine_formulas():
    rng = np.random.default_rng(3)
    q, m, d, lam, d_lam = 6, 20, 5, 0.1, 3.5
    blocks = rng.standard_normal((q, m, d))
    grams = [X.T @ X / m for X in blocks]
    s = 1 - d_lam / m
    eye = np.eye(d)
    refs = {
        "naive": np.mean([np.linalg.inv(G + lam * eye) for G in grams], axis=0),
        "shrinkage": np.mean(
            [np.linalg.inv(X.T @ X / (m - d_lam) + lam * eye) for X in blocks], axis=0
        ),
        "lambda_only": np.mean([np.linalg.inv(G + s * lam * eye) for G in grams], axis=0),
    }
    for method, ref in refs.items():
        np.testing.assert_allclose(averaged_inverse(blocks, lam, method, d_lam), ref, rtol=1e-12)
    dets = np.array([np.linalg.det(G + lam * eye) for G in grams])
    det_ref = (
        sum(a * np.linalg.inv(G + lam * eye) for a, G in zip(dets, grams, strict=True)) / dets.sum()
    )
    np.testing.assert_allclose(averaged_inverse(blocks, lam, "determinantal"), det_ref, rtol=1e-10)
    s_i = local_fixed_point_s(blocks, lam)
    fp_ref = np.mean(
        [si * np.linalg.inv(G + si * lam * eye) for si, G in zip(s_i, grams, strict=True)], axis=0
    )
    np.testing.assert_allclose(
        averaged_inverse(blocks, lam, "shrinkage_fixed_point"), fp_ref, rtol=1e-12
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda b: averaged_inverse(b[0], 0.1), "blocks"),
        (lambda b: averaged_inverse(np.where(b == b[0, 0, 0], np.nan, b), 0.1), "finite"),
        (lambda b: averaged_inverse(b, -1.0), "lam"),
        (lambda b: averaged_inverse(b, float("nan")), "lam"),
        (lambda b: averaged_inverse(b, 0.1, "mean"), "unknown method"),
        (lambda b: averaged_inverse(b, 0.1, "shrinkage"), "d_lam"),
        (lambda b: averaged_inverse(b, 0.1, "shrinkage", 25.0), "d_lam"),
        (lambda b: averaged_inverse(b.astype(complex), 0.1), "real"),
        (lambda b: effective_dimension([1.0, -1.0], 0.1), "eigs"),
        (lambda b: deterministic_equivalent_kappa([1.0], 0.1, 0), "m"),
        (lambda b: shrinkage_coeff(30.0, 20), "d_lam"),
        (lambda b: local_fixed_point_s(b[0], "0.1"), "lam"),
        (lambda b: averaged_inverse(b, 0.1, chunk=0), "chunk"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, match):
    blocks = np.random.default_rng(4).standard_normal((3, 20, 4))
    with pytest.raises((ValueError, TypeError), match=match):
        call(blocks)


def test_singular_local_gram_at_lam_zero_is_refused():
    blocks = np.random.default_rng(5).standard_normal((2, 3, 5))  # m < d
    with pytest.raises(ValueError, match=r"singular|rank"):
        averaged_inverse(blocks, 0.0, "naive")
    with pytest.raises(ValueError, match=r"rank"):
        local_fixed_point_s(blocks, 0.0)


def test_overflowing_gram_matrices_are_blamed_on_blocks():
    """blocks * 1e200 said "grams must be finite", naming an internal array."""
    unit = np.random.default_rng(4).standard_normal((3, 20, 4))
    blocks = unit * 1e200
    match = (
        r"^blocks \(entries up to \S+e\+200 in magnitude\) have local Gram matrices "
        r"X_i\^T X_i / m that overflow float64; rescale blocks$"
    )
    for call in (
        lambda: averaged_inverse(blocks, 0.1),
        lambda: averaged_inverse(blocks, 0.1, "shrinkage_fixed_point"),
        lambda: local_grams(blocks),
    ):
        with pytest.raises(ValueError, match=match):
            call()
    np.testing.assert_allclose(local_grams(unit * 1e150), local_grams(unit) * 1e300, rtol=1e-12)
