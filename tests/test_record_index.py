"""Indexing and writes without an op are drawn with what they read: ``C[Xb]``'s Xb, ``grad_h[h < 0] = 0``'s
mask and value, ``copy_``'s source."""
import numpy as np
import torch

import graphviz_grad as vg


def _by_label(tape):
    return {e["label"]: e for e in tape.events}


def test_index_tensors_are_inputs_of_the_index_op():
    C = vg.randn(27, 2, requires_grad=True)
    Xb = vg.randint(0, 27, (32, 3))
    ys = vg.tensor([0, 1, 1, 0, 1])
    p = vg.randn(5, 2, requires_grad=True)
    with vg.record() as tape:
        emb = C[Xb]
        picked = p[range(5), ys]
        cols = p[:, ys[:2]]
    events = tape.events
    assert [e["label"] for e in events] == ["index", "index [range(5), ·]", "index [:2]", "index [:, ·]"]
    G = tape.graph()
    names = {G.nodes[n]["name"] for n in G.predecessors(next(n for n, d in G.nodes(data=True)
                                                              if d.get("op") == "index"))}
    assert names == {"C", "Xb"}
    assert emb.grad_fn.inputs[1] is Xb and emb.grad_fn.grad_fn_name() == "IndexBackward0"
    assert picked.shape == (5,) and cols.shape == (5, 2)


def test_index_with_tensor_keys_matches_torch():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 4))
    idx, rows, mask = [[0, 5, 5], [1, 0, 3]], [0, 2, 2, 5], a > 0
    for key in (lambda L: L.tensor(idx[0]), lambda L: (L.tensor(rows), L.tensor([1, 1, 0, 3])),
                lambda L: (slice(None), L.tensor([3, 3, 0])), lambda L: L.tensor(mask), lambda L: L.tensor(1)):
        outs = []
        for L in (torch, vg):
            t = L.tensor(a, requires_grad=True)
            y = t[key(L)]
            y.backward(L.ones_like(y) * 1.5)
            outs.append((y.detach().numpy(), t.grad.numpy(), type(y.grad_fn).__name__ if L is torch else
                         y.grad_fn.grad_fn_name()))
        np.testing.assert_allclose(outs[0][0], outs[1][0])
        np.testing.assert_allclose(outs[0][1], outs[1][1])
        assert outs[0][2] == outs[1][2]


def test_setitem_and_copy_draw_what_they_read():
    h, g = vg.randn(5, 4), vg.randn(5, 4)
    with vg.record() as tape:
        grad_h = g.clone()
        grad_h[h < 0] = 0
        grad_h[:, 1] = h[:, 0]
        w = vg.zeros(5, 4)
        w.copy_(grad_h)
    texts = [e["text"] for e in tape.events]
    assert "grad_h = setitem(grad_h, t4, 0.0)" in texts
    assert "grad_h = setitem [:, 1](grad_h, t7)" in texts
    assert texts[-1] == "w = copy_(grad_h)"
