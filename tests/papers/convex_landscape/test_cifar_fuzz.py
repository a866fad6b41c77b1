"""Fuzz the CIFAR-10 binary loader: random truncated / padded / garbage batch files."""

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papers.convex_landscape.cifar import load_cifar10

_NAMES = [*(f"data_batch_{k}.bin" for k in range(1, 6)), "test_batch.bin"]
_REC = 3073

_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _good(n: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    rec = rng.integers(0, 256, (n, _REC)).astype(np.uint8)
    rec[:, 0] %= 10
    return rec.tobytes()


@_SETTINGS
@given(
    which=st.sampled_from(_NAMES),
    blob=st.one_of(
        st.binary(max_size=3 * _REC + 5),  # garbage of any size (valid sizes included)
        st.integers(0, 3 * _REC).map(lambda k: _good(3, 1)[:k]),  # truncations
        st.integers(1, _REC - 1).map(lambda k: _good(1, 2) + b"\x00" * k),  # trailing junk
    ),
)
def test_one_bad_file_gives_a_clear_error_or_consistent_arrays(which, blob):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cifar-10-batches-bin"
        folder.mkdir()
        for k, name in enumerate(_NAMES):
            (folder / name).write_bytes(blob if name == which else _good(2, k))
        labels = np.frombuffer(blob, np.uint8)[0::_REC] if len(blob) % _REC == 0 else None
        try:
            Xtr, ytr, Xte, yte = load_cifar10(tmp)
        except ValueError as err:
            msg = str(err)
            assert which in msg and "malformed" in msg
            assert len(blob) == 0 or len(blob) % _REC or labels.max() > 9
            return
        # accepted: only when the file is a well-formed binary batch
        assert len(blob) and len(blob) % _REC == 0 and labels.max() <= 9
        n = len(blob) // _REC
        assert len(ytr) == (10 + n - 2 if which != "test_batch.bin" else 10)
        assert len(yte) == (n if which == "test_batch.bin" else 2)
        assert Xtr.shape == (len(ytr), 3072) and Xte.shape == (len(yte), 3072)
        assert Xtr.dtype == np.float32 and np.isfinite(Xtr).all() and np.isfinite(Xte).all()
        assert set(ytr.tolist()) | set(yte.tolist()) <= set(range(10))


@_SETTINGS
@given(missing=st.sets(st.sampled_from(_NAMES), min_size=1))
def test_missing_files_are_named(missing):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cifar-10-batches-bin"
        folder.mkdir()
        for k, name in enumerate(_NAMES):
            if name not in missing:
                (folder / name).write_bytes(_good(1, k))
        try:
            load_cifar10(tmp)
        except FileNotFoundError as err:
            first = next(n for n in _NAMES if n in missing)  # read in order
            assert f"{first} is missing" in str(err) and "test_batch.bin" in str(err)
        else:
            raise AssertionError("missing files were not reported")
