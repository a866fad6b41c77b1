import numpy as np
import pytest

from common import datasets
from common.plotting import figure, save_figure
from common.seeds import numpy_rng


def _draw():
    fig, axes = figure(1, 2)
    axes[0, 0].plot([0, 1, 2], [1, 3, 2], label="a")
    axes[0, 1].semilogy([1, 10, 100])
    axes[0, 0].legend()
    return fig


def test_png_output_is_byte_identical(tmp_path):
    png1, pdf1 = save_figure(_draw(), tmp_path / "one")
    png2, _ = save_figure(_draw(), tmp_path / "two")
    assert png1.read_bytes() == png2.read_bytes()
    assert pdf1.read_bytes().startswith(b"%PDF")
    assert not list(tmp_path.glob(".*tmp"))


def test_figure_validates_grid():
    with pytest.raises(ValueError, match="nrows and ncols"):
        figure(0, 1)


@pytest.mark.parametrize("name", datasets.SKLEARN_DATASETS)
def test_shipped_datasets_load_offline(name):
    X, y = datasets.sklearn_dataset(name)
    assert X.ndim == 2 and len(X) == len(y) and np.isfinite(X).all()


def test_unknown_dataset_and_missing_path_errors():
    with pytest.raises(ValueError, match="available offline"):
        datasets.sklearn_dataset("mnist")
    with pytest.raises(FileNotFoundError, match=r"set papers\.x\.data_dir"):
        datasets.require_path(None, "the CIFAR-10 batches", "papers.x.data_dir")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        datasets.require_path("/no/such/dir", "the CIFAR-10 batches", "papers.x.data_dir")


def test_generators_and_splits():
    rng = numpy_rng(0, "t")
    X, y = datasets.planted_relu(50, 3, 5, rng, noise=0.1)
    assert X.shape == (50, 3) and y.shape == (50,)
    Xtr, Xte, ytr, yte = datasets.split_rows(X, y, 0.2, rng)
    assert len(Xte) == len(yte) == 10 and len(Xtr) == len(ytr) == 40
    Ztr, Zte = datasets.standardize_columns(Xtr, Xte)
    assert Zte.shape == Xte.shape
    np.testing.assert_allclose(Ztr.mean(0), 0, atol=1e-12)
    with pytest.raises(TypeError, match="numpy Generator"):
        datasets.planted_relu(5, 2, 2, np.random.RandomState(0))
    with pytest.raises(ValueError, match="noise must be a finite number"):
        datasets.planted_relu(5, 2, 2, rng, noise=float("nan"))
    with pytest.raises(ValueError, match="different lengths"):
        datasets.split_rows(X, y[:-1], 0.2, rng)
    with pytest.raises(ValueError, match="X_train holds NaN"):
        datasets.standardize_columns(np.full((3, 2), np.nan))
