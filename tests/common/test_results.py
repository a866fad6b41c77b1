import json
import os

import numpy as np
import pytest

from common.results import Results, load_results, provenance, save_results


def test_round_trip(tmp_path):
    res = Results(
        arrays={"x": np.arange(6.0).reshape(2, 3), "mask": np.array([True, False])},
        scalars={"value": 1.5, "n": np.int64(3), "nested": {"a": [1, 2]}, "name": "ok"},
        provenance=provenance(config={"k": 1}, seed=5, wall_time_s=0.1, device="cpu"),
    )
    save_results(tmp_path / "exp", res)
    back = load_results(tmp_path / "exp")
    np.testing.assert_array_equal(back["x"], res.arrays["x"])
    assert back["mask"].dtype == bool
    assert back["value"] == 1.5 and back["n"] == 3 and back["nested"] == {"a": [1, 2]}
    prov = back.provenance
    assert prov["seed"] == 5 and prov["config"] == {"k": 1} and prov["device"] == "cpu"
    assert "numpy" in prov["packages"] and prov["git_revision"]


def test_outputs_are_readable_like_any_new_file(tmp_path):
    save_results(tmp_path / "exp", Results(scalars={"v": 1}))
    umask = os.umask(0)
    os.umask(umask)
    for path in tmp_path.iterdir():
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_arrays_are_stored_without_pickle(tmp_path):
    with pytest.raises(TypeError, match="dtype object"):
        save_results(tmp_path / "bad", Results(arrays={"o": np.array([{}, 1], dtype=object)}))
    save_results(tmp_path / "ok", Results(arrays={"x": np.ones(2)}))
    np.load(tmp_path / "ok.npz", allow_pickle=False)["x"]


def test_unknown_scalar_type_is_refused(tmp_path):
    with pytest.raises(TypeError, match="JSON"):
        save_results(tmp_path / "bad", Results(scalars={"s": {1, 2}}))


def test_missing_results_give_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the experiment first"):
        load_results(tmp_path / "absent")


def test_lookup_error_lists_available(tmp_path):
    res = Results(arrays={"x": np.ones(1)}, scalars={"y": 1})
    with pytest.raises(KeyError, match=r"available: \['x', 'y'\]"):
        res["z"]


def test_writes_are_atomic(tmp_path, monkeypatch):
    save_results(tmp_path / "exp", Results(scalars={"v": 1}))
    before = (tmp_path / "exp.json").read_text()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # a kill in the middle of writing

    monkeypatch.setattr(json, "dumps", boom)
    with pytest.raises(KeyboardInterrupt):
        save_results(tmp_path / "exp", Results(scalars={"v": 2}))
    assert (tmp_path / "exp.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.json", "exp.npz"]


def test_compare_results_folders(tmp_path):
    from common.results import compare_results, main

    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        save_results(d / "e", Results({"x": np.array([1.0, np.nan])}, {"s": 1}, {"seed": 1}))
    assert compare_results(a, b) == []
    assert main(["compare", str(a), str(b)]) == 0
    save_results(b / "e", Results({"x": np.array([1.0, 2.0])}, {"s": 2}, {"seed": 9}))
    assert compare_results(a, b) == ["e: array 'x' differs", "e: scalar 's': 1 vs 2"]
    assert main(["compare", str(a), str(b)]) == 1
