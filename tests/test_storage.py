"""How tensors lie in memory, as PyTorch shows it: storage(), stride(), storage_offset(), data_ptr(),
element_size(), is_contiguous() and contiguous() on views (makemore 2 explains ``view`` with them)."""
import warnings

import pytest

import graphviz_grad as vg

torch = pytest.importorskip("torch")

LAYOUTS = {
    "view": lambda L: L.arange(18).view(3, 6),
    "t": lambda L: L.arange(18).view(3, 6).t(),
    "slice": lambda L: L.arange(18)[1:],
    "column": lambda L: L.arange(18).view(3, 6)[:, 2],
    "row": lambda L: L.arange(18).view(3, 6)[1],
    "step": lambda L: L.arange(18)[::2],
    "element": lambda L: L.arange(18)[3],
    "expand": lambda L: L.ones(1, 3).expand(4, 3),
    "permute": lambda L: L.arange(18).view(2, 3, 3).permute(2, 0, 1),
    "transpose then contiguous": lambda L: L.arange(18.0).view(3, 6).transpose(0, 1).contiguous(),
    "float32": lambda L: L.zeros(2, 5)[:, 1:],
}


def _layout(t, storage_size):
    return (tuple(t.stride()), t.storage_offset(), storage_size, t.is_contiguous(), t.element_size(),
            t.nbytes, t.itemsize)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_of_views_is_torchs(name):
    ours, theirs = LAYOUTS[name](vg), LAYOUTS[name](torch)
    storage_size = len(theirs.untyped_storage()) // theirs.element_size()
    assert _layout(ours, len(ours.storage())) == _layout(theirs, storage_size)
    if ours.dim():
        assert ours.stride(-1) == theirs.stride(-1)


def test_views_share_a_storage_and_a_copy_does_not():
    a = vg.arange(6)
    b = a.view(2, 3).t()
    assert b.data_ptr() == a.data_ptr() and b.storage().tolist() == [0, 1, 2, 3, 4, 5]
    c = b.contiguous()
    assert c.data_ptr() != a.data_ptr() and c.is_contiguous() and c.storage().tolist() == [0, 3, 1, 4, 2, 5]
    assert a.contiguous() is a


def test_storage_prints_as_torchs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (PyTorch warns that TypedStorage is deprecated)
        for make in (lambda L: L.arange(4).view(2, 2)[1:], lambda L: L.tensor([0.5, -1.25]), lambda L: L.zeros(0)):
            ours, theirs = str(make(vg).storage()), str(make(torch).storage())
            assert ours.replace("graphviz_grad", "torch") == theirs
            s, t = make(vg).storage(), make(torch).storage()
            assert len(s) == len(t) and s.size() == t.size() and s.tolist() == t.tolist()
            assert [s[i] for i in range(len(s))] == [t[i] for i in range(len(t))]


def test_contiguous_copies_a_transposed_view_as_torch_with_its_gradient():
    """``y.transpose(1, 2).contiguous().view(B, T, C)`` (nanoGPT's attention) works, and the gradient flows."""
    for lib in (vg, torch):
        x = lib.arange(24.0).view(2, 3, 4).requires_grad_()
        y = x.transpose(1, 2).contiguous()
        name = type(y.grad_fn).__name__ if lib is torch else y.grad_fn.grad_fn_name()
        assert name == "CloneBackward0"
        z = y.view(2, 12)
        (z * lib.arange(12.0)).sum().backward()
        if lib is vg:
            ours_z, ours_grad = z.tolist(), x.grad.tolist()
    assert ours_z == z.tolist() and ours_grad == x.grad.tolist()
