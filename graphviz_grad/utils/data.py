"""``torch.utils.data``: datasets, samplers and the ``DataLoader`` that batches them.

Shuffling follows PyTorch draw for draw: each pass over a loader takes one number from
the loader's generator (PyTorch's worker base seed), then a ``RandomSampler`` without a
generator seeds a fresh one from the global generator and permutes with ``randperm``,
so a seeded program visits the samples in the order PyTorch does. Loading runs in this
process: ``num_workers > 0`` is accepted and loads in-process (there are no worker
processes to start or leak).

>>> import graphviz_grad as vg
>>> from graphviz_grad.utils.data import DataLoader, TensorDataset
>>> ds = TensorDataset(vg.arange(10.).reshape(5, 2), vg.tensor([0, 1, 0, 1, 1]))
>>> loader = DataLoader(ds, batch_size=2)
>>> len(loader)
3
>>> [tuple(x.shape) for x, y in loader]
[(2, 2), (2, 2), (1, 2)]
>>> next(iter(loader))[1]
tensor([0, 1])

PyTorch keeps these classes in the submodules ``dataset``, ``sampler`` and ``dataloader``, which
tutorials name (the language-model tutorial's ``from torch.utils.data import dataset`` and its
annotation ``dataset.IterableDataset``); here one module holds them all and is each submodule:

>>> from graphviz_grad.utils.data import dataset
>>> dataset.IterableDataset is vg.utils.data.IterableDataset
True
>>> from graphviz_grad.utils.data.sampler import RandomSampler
>>> RandomSampler is vg.utils.data.RandomSampler
True
"""
import collections.abc
import math
import sys
import warnings

import numpy as np

from ..tensor import Tensor


def _vg():
    import graphviz_grad  # (the package: its random functions load after this module is imported)

    return graphviz_grad


# --- datasets ---------------------------------------------------------------------------


class Dataset:
    """A map-style dataset: subclass it and define ``__getitem__`` (and ``__len__``)."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: subclass it and define ``__iter__``."""

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")


class TensorDataset(Dataset):
    """Samples are the rows of tensors of equal first dim: ``ds[i] == (t[i] for t in tensors)``."""

    def __init__(self, *tensors):
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Datasets one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1]) if self.cumulative_sizes else 0

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        d = int(np.searchsorted(self.cumulative_sizes, idx, side="right"))
        start = int(self.cumulative_sizes[d - 1]) if d > 0 else 0
        return self.datasets[d][idx - start]


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping ``Subset``s of the given lengths or fractions.

    The indices are PyTorch's ``randperm(len(dataset), generator=generator)``, cut in order.
    """
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(len(dataset) * frac))
        for i in range(len(dataset) - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, n in enumerate(sizes):
            if n == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
        lengths = sizes
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = _vg().randperm(sum(lengths), generator=generator).tolist()
    subsets, offset = [], 0
    for n in lengths:
        subsets.append(Subset(dataset, indices[offset:offset + n]))
        offset += n
    return subsets


# --- samplers -----------------------------------------------------------------------------


class Sampler:
    """Yields dataset indices (or, for a batch sampler, lists of them)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices (PyTorch's, draw for draw), or ``num_samples`` draws with replacement."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        vg = _vg()
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            seed = int(vg.empty((), dtype=vg.int64).random_().item())
            generator = vg.Generator()
            generator.manual_seed(seed)
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from vg.randint(0, n, (32,), generator=generator).tolist()
            yield from vg.randint(0, n, (self.num_samples % 32,), generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from vg.randperm(n, generator=generator).tolist()
            yield from vg.randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _vg().randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights`` (PyTorch's ``multinomial``).

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0)
    >>> list(WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5))
    [5, 4, 4, 5, 4]
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        vg = _vg()
        weights = vg.as_tensor(weights, dtype=vg.float64)
        if weights.dim() != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(weights.shape)}")
        self.weights, self.num_samples, self.replacement, self.generator = weights, num_samples, replacement, generator

    def __iter__(self):
        yield from _vg().multinomial(self.weights, self.num_samples, self.replacement,
                                     generator=self.generator).tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter unless ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


# --- collation ----------------------------------------------------------------------------


def default_convert(data):
    """NumPy arrays (not of strings or objects) to tensors, inside tuples, lists and dicts; the rest as is."""
    vg = _vg()
    if isinstance(data, np.ndarray) and data.dtype.kind not in "SaUO":
        return vg.as_tensor(data)
    if isinstance(data, np.generic) and data.dtype.kind not in "SaUO":
        return vg.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return type(data)(default_convert(d) for d in data)
    return data


def default_collate(batch):
    """PyTorch's ``default_collate``: stack tensors, NumPy arrays and numbers along a new first dim,
    and collate tuples, lists and dicts field by field (a tuple of samples gives a list of batches)."""
    vg = _vg()
    elem = batch[0]
    if isinstance(elem, Tensor):
        return vg.stack(list(batch), 0)
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "SaUO":
        return vg.stack([vg.as_tensor(b) for b in batch], 0)
    if isinstance(elem, np.generic) and elem.dtype.kind not in "SaUO":
        return vg.as_tensor(np.array(batch))
    if isinstance(elem, float):
        return vg.tensor(batch, dtype=vg.float64)
    if isinstance(elem, int):  # (and bool)
        return vg.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(list(samples)) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed
        try:
            return type(elem)(transposed)
        except TypeError:
            return transposed
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(elem)}")


# --- the loader ---------------------------------------------------------------------------


class DataLoader:
    """Batches of ``dataset``: ``for inputs, labels in DataLoader(ds, batch_size=4, shuffle=True): ...``.

    ``shuffle=True`` visits the samples in PyTorch's order for the same seed (or ``generator``);
    ``drop_last`` drops a short last batch; ``collate_fn`` builds a batch from a list of samples
    (by default :func:`default_collate`). ``num_workers`` is accepted but loading always runs in
    this process, one batch at a time; ``pin_memory`` and the other worker options are ignored.

    >>> import graphviz_grad as vg
    >>> from graphviz_grad.utils.data import DataLoader
    >>> [b.tolist() for b in DataLoader([1, 2, 3, 4, 5], batch_size=2, drop_last=True)]
    [[1, 2], [3, 4]]
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None:
            if self._iterable:
                sampler = None
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if (batch_sampler is not None or
                                             (self._iterable and batch_size is not None)) else default_convert
        self.collate_fn = collate_fn

    def __iter__(self):
        vg = _vg()
        if self._iterable:
            batches = self._iterable_batches()
        else:
            batches = self._map_batches(iter(self.batch_sampler if self.batch_sampler is not None else self.sampler))
        # PyTorch draws a base seed for its workers on every pass, even without workers; so do we,
        # so that the random numbers after a pass are PyTorch's.
        vg.empty((), dtype=vg.int64).random_(generator=self.generator)
        return batches

    def _map_batches(self, indices):
        dataset, collate = self.dataset, self.collate_fn
        if self.batch_sampler is None:
            for i in indices:
                yield collate(dataset[i])
            return
        for batch in indices:
            yield collate([dataset[i] for i in batch])

    def _iterable_batches(self):
        collate = self.collate_fn
        if self.batch_size is None:
            for sample in self.dataset:
                yield collate(sample)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
            return n
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)


__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "default_collate", "default_convert", "DataLoader"]

# PyTorch's submodules ``dataset``, ``sampler`` and ``dataloader`` are this module (see the docstring).
_this_module = sys.modules[__name__]
for _submodule in ("dataset", "sampler", "dataloader"):
    globals()[_submodule] = _this_module
    sys.modules[f"{__name__}.{_submodule}"] = _this_module
del _submodule
