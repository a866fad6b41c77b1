import json

from common import gallery


def _doc(status="holds", expected=True):
    return {
        "slug": "toy",
        "title": "Toy",
        "arxiv": "0000.0001",
        "captions": {"fig": "A caption."},
        "claims": [
            {
                "id": "c1",
                "statement": "x | y",
                "where": "Thm 1",
                "expected_to_hold": expected,
                "note": "",
                "figure": "fig",
                "status": status,
                "measured": 0.5,
                "expected": "<= 1",
                "tolerance": 0.0,
                "detail": "",
            }
        ],
    }


def test_markdown_lists_every_claim_and_figure():
    md = gallery.claims_markdown([_doc()])
    assert "`c1`" in md and "x \\| y" in md and "| holds |" in md and "Totals: 1 holds" in md
    page = gallery.gallery_markdown([_doc()])
    assert "![fig](toy/fig.png)" in page and "A caption." in page and "`c1` holds" in page


def test_verify_fails_on_a_regression_only(tmp_path, capsys):
    ok, bad, expected_bad = (tmp_path / f"{n}.json" for n in ("ok", "bad", "xbad"))
    ok.write_text(json.dumps(_doc()))
    bad.write_text(json.dumps(_doc("does not hold")))
    expected_bad.write_text(json.dumps(_doc("does not hold", expected=False)))
    assert gallery.main(["verify", "--claims", str(ok), str(expected_bad)]) == 0
    assert gallery.main(["verify", "--claims", str(ok), str(bad)]) == 1
    assert "toy/c1 was expected to hold" in capsys.readouterr().err


def test_write(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(_doc()))
    assert gallery.main(["write", "--claims", str(path), "--out", str(tmp_path / "fig")]) == 0
    assert (tmp_path / "fig" / "README.md").is_file() and (tmp_path / "fig" / "CLAIMS.md").is_file()


def test_compare_two_builds(tmp_path, capsys):
    first, same, moved, flipped = (tmp_path / f"{n}.json" for n in ("a", "b", "c", "d"))
    first.write_text(json.dumps(_doc()))
    same.write_text(json.dumps(_doc()))
    doc = _doc()
    doc["claims"][0]["measured"] = 0.6
    moved.write_text(json.dumps(doc))
    flipped.write_text(json.dumps(_doc("does not hold")))
    run = ["compare", "--against", str(first), "--claims"]
    assert gallery.main([*run, str(same)]) == 0
    assert gallery.main([*run, str(moved)]) == 1
    assert "toy/c1: measured 0.5 then 0.6" in capsys.readouterr().err
    doc["claims"][0]["timing"] = True  # a timing's value may move, its verdict may not
    moved.write_text(json.dumps(doc))
    first_doc = _doc()
    first_doc["claims"][0]["timing"] = True
    first.write_text(json.dumps(first_doc))
    assert gallery.main([*run, str(moved)]) == 0
    assert gallery.main([*run, str(flipped)]) == 1
    assert "verdict 'holds' then 'does not hold'" in capsys.readouterr().err
