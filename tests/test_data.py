"""``graphviz_grad.utils.data`` against ``torch.utils.data``: batches, lengths, collation, and the order
of shuffled samples for a seed (PyTorch's ``RandomSampler``/``random_split``, draw for draw).

Iterating a loader needs PyTorch's generator (``vg.Generator``, ``vg.randperm``, ``Tensor.random_``, from
the random-numbers work: every pass draws a base seed, as torch's); those tests skip where it is missing.
The tests without "is_torchs" in their name hold for any generator.
"""
import numpy as np
import pytest
import torch
import torch.utils.data as tud

import graphviz_grad as vg
import graphviz_grad.utils.data as vud

HAS_TORCH_RNG = hasattr(vg, "randperm") and hasattr(vg, "Generator") and hasattr(vg.Tensor, "random_")
needs_torch_rng = pytest.mark.skipif(not HAS_TORCH_RNG, reason="needs vg.Generator, vg.randperm and "
                                     "Tensor.random_ (PyTorch's generator, from the random-numbers work)")


def _datasets(n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n) % 3
    return (vud.TensorDataset(vg.tensor(x), vg.tensor(y)), tud.TensorDataset(torch.tensor(x), torch.tensor(y)))


def _epoch(loader):
    return [(x.tolist(), y.tolist()) for x, y in loader]


def test_importable_as_torch_spells_it():
    import graphviz_grad.utils.data as a
    from graphviz_grad.utils import data as b

    assert a is b is vg.utils.data
    assert vg.utils.data.DataLoader is vud.DataLoader


@needs_torch_rng  # (every pass draws a base seed with Tensor.random_, as torch)
@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (3, True), (4, True), (10, False),
                                                  (12, False), (12, True)])
def test_sequential_batches_and_len_equal_torch(batch_size, drop_last):
    ours, theirs = _datasets()
    a = vud.DataLoader(ours, batch_size=batch_size, drop_last=drop_last)
    b = tud.DataLoader(theirs, batch_size=batch_size, drop_last=drop_last)
    assert len(a) == len(b)
    assert _epoch(a) == _epoch(b)
    xs, ys = next(iter(a)) if len(a) else (None, None)
    if xs is not None:
        assert xs.dtype == vg.float32 and ys.dtype == vg.int64


def _indices_of(loader):
    """The sample indices a loader over range-valued labels visits (labels are the indices)."""
    return [i for batch in loader for i in batch[1].tolist()]


@needs_torch_rng
@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 3, False), (10, 4, True), (33, 8, False), (1, 1, False)])
def test_each_index_once_per_epoch_with_any_seed(n, batch_size, drop_last):
    ds = vud.TensorDataset(vg.zeros(n, 2), vg.arange(n))
    loader = vud.DataLoader(ds, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    for _ in range(3):
        seen = _indices_of(loader)
        batches = list(loader)
        assert len(batches) == len(loader)
        assert all(b[0].shape == (batch_size, 2) for b in batches[:-1])
        if drop_last:
            assert len(seen) == (n // batch_size) * batch_size and len(set(seen)) == len(seen)
        else:
            assert sorted(seen) == list(range(n))


@needs_torch_rng
def test_shuffled_order_is_torchs_for_the_global_seed():
    ours, theirs = _datasets(23)
    vg.manual_seed(7)
    torch.manual_seed(7)
    a = vud.DataLoader(ours, batch_size=4, shuffle=True)
    b = tud.DataLoader(theirs, batch_size=4, shuffle=True)
    for _ in range(3):  # epochs draw anew each time, as torch's
        assert _epoch(a) == _epoch(b)
    # the random stream after the passes is torch's too (each pass also draws a base seed)
    assert vg.rand(3).tolist() == pytest.approx(torch.rand(3).tolist(), abs=0)


@needs_torch_rng
def test_shuffled_order_is_torchs_for_a_generator_and_a_sequential_pass_draws_too():
    ours, theirs = _datasets(17)
    a = vud.DataLoader(ours, batch_size=5, shuffle=True, generator=vg.Generator().manual_seed(3))
    b = tud.DataLoader(theirs, batch_size=5, shuffle=True, generator=torch.Generator().manual_seed(3))
    for _ in range(2):
        assert _epoch(a) == _epoch(b)
    vg.manual_seed(1)
    torch.manual_seed(1)
    assert _epoch(vud.DataLoader(ours, batch_size=5)) == _epoch(tud.DataLoader(theirs, batch_size=5))
    assert vg.rand(2).tolist() == torch.rand(2).tolist()


@needs_torch_rng
def test_random_sampler_with_replacement_and_num_samples_is_torchs():
    a = vud.RandomSampler(range(9), replacement=True, num_samples=40, generator=vg.Generator().manual_seed(5))
    b = tud.RandomSampler(range(9), replacement=True, num_samples=40, generator=torch.Generator().manual_seed(5))
    assert list(a) == list(b) and len(a) == 40
    a = vud.RandomSampler(range(9), num_samples=20, generator=vg.Generator().manual_seed(5))
    b = tud.RandomSampler(range(9), num_samples=20, generator=torch.Generator().manual_seed(5))
    assert list(a) == list(b)


@needs_torch_rng
@pytest.mark.parametrize("seed", [0, 42])
@pytest.mark.parametrize("weights,num_samples,replacement", [
    ([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, True), ([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, False),
    (list(range(1, 100)), 300, True), (np.arange(1.0, 40.0), 39, False)])
def test_weighted_random_sampler_is_torchs(seed, weights, num_samples, replacement):
    for lib in (vg, torch):
        lib.manual_seed(seed)
    a = vud.WeightedRandomSampler(weights, num_samples, replacement)
    b = tud.WeightedRandomSampler(weights, num_samples, replacement)
    assert list(a) == list(b) and len(a) == num_samples
    a = vud.WeightedRandomSampler(weights, num_samples, replacement, generator=vg.Generator().manual_seed(seed))
    b = tud.WeightedRandomSampler(weights, num_samples, replacement, generator=torch.Generator().manual_seed(seed))
    assert list(a) == list(b)
    loader = (lib.DataLoader(range(len(weights)), batch_size=4, sampler=s) for lib, s in
              ((vud, vud.WeightedRandomSampler(weights, 8, generator=vg.Generator().manual_seed(1))),
               (tud, tud.WeightedRandomSampler(weights, 8, generator=torch.Generator().manual_seed(1)))))
    assert [b.tolist() for b in next(loader)] == [b.tolist() for b in next(loader)]


@pytest.mark.parametrize("kwargs", [dict(weights=[1.0, 2.0], num_samples=0), dict(weights=[[1.0]], num_samples=1),
                                    dict(weights=[1.0], num_samples=1, replacement=1)])
def test_weighted_random_sampler_errors_are_torchs(kwargs):
    with pytest.raises(ValueError) as theirs:
        tud.WeightedRandomSampler(**kwargs)
    with pytest.raises(ValueError) as ours:
        vud.WeightedRandomSampler(**kwargs)
    assert str(ours.value) == str(theirs.value)


@needs_torch_rng
@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.3, 0.4], [0.5, 0.5]])
def test_random_split_is_torchs(lengths):
    a = vud.random_split(range(10), lengths, generator=vg.Generator().manual_seed(42))
    b = tud.random_split(range(10), lengths, generator=torch.Generator().manual_seed(42))
    assert [list(s) for s in a] == [list(s) for s in b]
    assert all(isinstance(s, vud.Subset) for s in a)


def test_random_split_checks_lengths_as_torch():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        vud.random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        vud.random_split(range(10), [-0.5, 1.5])


def test_default_collate_equals_torchs():
    samples = [({"a": np.ones(2) * i, "b": float(i)}, i, np.int32(i), "s", [i, i + 1]) for i in range(3)]
    ours, theirs = vud.default_collate(samples), tud.default_collate(samples)
    assert isinstance(ours, list) and len(ours) == len(theirs)
    assert ours[0]["a"].tolist() == theirs[0]["a"].tolist() and ours[0]["a"].dtype == vg.float64
    assert ours[0]["b"].dtype == vg.float64 and ours[0]["b"].tolist() == theirs[0]["b"].tolist()
    assert ours[1].dtype == vg.int64 and ours[1].tolist() == [0, 1, 2]
    assert ours[2].dtype == vg.int32
    assert ours[3] == theirs[3] == ("s", "s", "s") or ours[3] == list(theirs[3])
    assert [t.tolist() for t in ours[4]] == [t.tolist() for t in theirs[4]]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        vud.default_collate([[1, 2], [1]])


@needs_torch_rng  # (every pass draws a base seed with Tensor.random_, as torch)
def test_collate_fn_sampler_batch_sampler_and_plain_lists():
    loader = vud.DataLoader(list(range(7)), batch_size=3, collate_fn=lambda b: sum(b))
    assert list(loader) == [3, 12, 6]
    bs = vud.BatchSampler(vud.SequentialSampler(range(7)), 2, drop_last=True)
    assert list(bs) == [[0, 1], [2, 3], [4, 5]] and len(bs) == 3
    loader = vud.DataLoader(list(range(7)), batch_sampler=bs)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4, 5]]
    loader = vud.DataLoader(list(range(4)), batch_size=None)
    assert list(loader) == [0, 1, 2, 3]
    assert list(vud.DataLoader(list(range(5)), sampler=[4, 0], batch_size=2)) [0].tolist() == [4, 0]


@needs_torch_rng  # (every pass draws a base seed with Tensor.random_, as torch)
def test_iterable_dataset_batches():
    class Count(vud.IterableDataset):
        def __iter__(self):
            return iter(range(5))

    assert [b.tolist() for b in vud.DataLoader(Count(), batch_size=2)] == [[0, 1], [2, 3], [4]]


@needs_torch_rng  # (every pass draws a base seed with Tensor.random_, as torch)
def test_num_workers_loads_in_process():
    ours, theirs = _datasets()
    assert _epoch(vud.DataLoader(ours, batch_size=4, num_workers=2)) == _epoch(tud.DataLoader(theirs, batch_size=4))


def test_argument_errors_are_torchs():
    ds, _ = _datasets()
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        vud.DataLoader(ds, sampler=vud.SequentialSampler(ds), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        vud.DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        vud.DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        vud.BatchSampler(range(3), 0, False)
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        vud.TensorDataset(vg.zeros(3), vg.zeros(4))


def test_subset_and_concat():
    ds = vud.TensorDataset(vg.arange(6))
    sub = vud.Subset(ds, [5, 1])
    assert len(sub) == 2 and sub[0][0].item() == 5
    cat = ds + sub
    assert len(cat) == 8 and cat[7][0].item() == 1 and cat[-1][0].item() == 1
