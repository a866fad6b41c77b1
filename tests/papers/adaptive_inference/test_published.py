"""Published-table mode: the packaged table and the loader's checks."""

import numpy as np
import pytest

from papers.adaptive_inference import load_table, target_gains

HEADER = "family,model,accuracy_pct,cost,cost_unit,source\n"


def test_packaged_table():
    table = load_table()
    eff = table["EfficientNet (ImageNet top-1)"]
    assert eff.models == tuple(f"B{i}" for i in range(8))
    np.testing.assert_allclose(eff.accuracy * 100, [77.1, 79.1, 80.1, 81.6, 82.9, 83.6, 84.0, 84.3])
    np.testing.assert_allclose(eff.cost, [0.39, 0.70, 1.0, 1.8, 4.2, 9.9, 19, 37])
    assert all("1905.11946" in s and "Table 2" in s for s in eff.sources)
    assert {"ResNet (ImageNet top-1 10-crop)", "LLaMA (HellaSwag 0-shot)"} <= set(table)
    for fam in table.values():
        assert np.all(np.diff(fam.cost) > 0)


def test_target_gains():
    g = target_gains([0.5, 0.7, 0.8], [1.0, 2.0, 8.0])
    assert g[0] == pytest.approx(1.0)
    # target 2: states 1..2 at 0.7: 0.5 * 1 + 0.2 * 2 + 0.3 * 1 = 1.2
    assert g[1] == pytest.approx(2.0 / 1.2)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("family,model,accuracy_pct,cost,cost_unit\nf,m,50,1,GF\n", "missing columns"),
        (HEADER + "f,m,150,1,GF,src\n", "accuracy_pct must be in"),
        (HEADER + "f,m,50,-1,GF,src\n", "cost must be > 0"),
        (HEADER + "f,m,fifty,1,GF,src\n", "accuracy_pct must be a number"),
        (HEADER + "f,m,50,1,GF, \n", "needs its source"),
        (HEADER + "f,m,50,1,GF,s\nf,n,60,2,ms,s\n", "mixes cost units"),
    ],
)
def test_bad_tables(tmp_path, body, match):
    path = tmp_path / "t.csv"
    path.write_text(body)
    with pytest.raises(ValueError, match=match):
        load_table(path)


def test_missing_table(tmp_path):
    with pytest.raises(FileNotFoundError, match="published table"):
        load_table(tmp_path / "absent.csv")
