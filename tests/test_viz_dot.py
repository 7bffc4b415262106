"""Exact DOT for ``y = w * x + b`` (x=1, w=2, b=3, every leaf requiring grad), at every level.

The strings below were generated once from the real engine, read line by line
(names w, x, b, y and the unnamed product t2; values 2.0, 1.0, 3.0 and 5.0;
after backward w.grad = x = 1.0, x.grad = w = 2.0, b.grad = 1.0, and the same
numbers on the dashed gradient edges) and frozen: any change to how a diagram
is written shows up here as a diff to read, as the ``graphviz`` package tests
its own output. Regenerate by printing ``ywxb_dot(...)`` after a deliberate
change, and read the new lines before pasting them.

The module level needs ``nn.Module`` calls: without any, it draws what the
tensor level draws; ``Affine`` below is ``y = w * x + b`` as a module with
parameters ``w`` and ``b``.
"""
import pytest

import graphviz_grad as vg


def ywxb_dot(level, run_backward=True, **opts):
    """DOT of ``y = w * x + b`` at ``level``; the variables are live while drawing, so they name the nodes."""
    x = vg.tensor(1.0, requires_grad=True)
    w = vg.tensor(2.0, requires_grad=True)
    b = vg.tensor(3.0, requires_grad=True)
    y = w * x + b
    if run_backward:
        y.backward()
    return vg.viz.draw(y, level=level, **opts).source


class Affine(vg.nn.Module):
    """``w * x + b`` with ``w = 2`` and ``b = 3`` as parameters."""

    def __init__(self):
        super().__init__()
        self.w = vg.nn.Parameter(vg.tensor(2.0))
        self.b = vg.nn.Parameter(vg.tensor(3.0))

    def forward(self, x):
        return self.w * x + self.b


def module_dot(level, run_backward=True, **opts):
    lin = Affine()
    x = vg.tensor(1.0, requires_grad=True)
    y = lin(x)
    if run_backward:
        y.backward()
    return vg.viz.draw(y, level=level, **opts).source


TENSOR_FORWARD = """\
digraph graphviz_grad {
\tgraph [bgcolor=white fontname="Helvetica,Arial,sans-serif" fontsize=14 nodesep=0.35 pad=0.2 rankdir=TB ranksep=0.4]
\tnode [fontname="Helvetica,Arial,sans-serif" fontsize=14]
\tedge [arrowsize=0.8 color="#4d4d4d" fontname="Helvetica,Arial,sans-serif" fontsize=11]
\tt0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>w</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>2.0</TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_t0 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\tt1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>x</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>1.0</TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_t1 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\top0 [label=<<B>mul</B>> color="#7d3c98" fillcolor="#efe4f7" id=n_op0 margin="0.06,0.03" penwidth=1.2 shape=ellipse style=filled]
\tt2 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>t2</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>2.0</TD></TR></TABLE>> color="#3b6fb6" fillcolor="#e7f0fb" id=n_t2 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\tt3 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>b</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>3.0</TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_t3 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\top1 [label=<<B>add</B>> color="#7d3c98" fillcolor="#efe4f7" id=n_op1 margin="0.06,0.03" penwidth=1.2 shape=ellipse style=filled]
\tt4 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>y</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>5.0</TD></TR></TABLE>> color="#c4620a" fillcolor="#ffe3c2" id=n_t4 margin="0.12,0.06" penwidth=2 shape=box style="rounded,filled"]
\tt0 -> op0 [id=e0]
\tt1 -> op0 [id=e1]
\top0 -> t2 [id=e2]
\tt2 -> op1 [id=e3]
\tt3 -> op1 [id=e4]
\top1 -> t4 [id=e5]
}
"""


TENSOR_BACKWARD = """\
digraph graphviz_grad {
\tgraph [bgcolor=white fontname="Helvetica,Arial,sans-serif" fontsize=14 nodesep=0.35 pad=0.2 rankdir=TB ranksep=0.4]
\tnode [fontname="Helvetica,Arial,sans-serif" fontsize=14]
\tedge [arrowsize=0.8 color="#4d4d4d" fontname="Helvetica,Arial,sans-serif" fontsize=11]
\tt0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>w</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>2.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_t0 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\tt1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>x</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>1.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 2.0</FONT></TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_t1 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\top0 [label=<<B>mul</B>> color="#7d3c98" fillcolor="#efe4f7" id=n_op0 margin="0.06,0.03" penwidth=1.2 shape=ellipse style=filled]
\tt2 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>t2</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>2.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#3b6fb6" fillcolor="#e7f0fb" id=n_t2 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\tt3 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>b</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>3.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_t3 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\top1 [label=<<B>add</B>> color="#7d3c98" fillcolor="#efe4f7" id=n_op1 margin="0.06,0.03" penwidth=1.2 shape=ellipse style=filled]
\tt4 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>y</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>5.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#c4620a" fillcolor="#ffe3c2" id=n_t4 margin="0.12,0.06" penwidth=2 shape=box style="rounded,filled"]
\tt0 -> op0 [id=e0]
\tt1 -> op0 [id=e1]
\top0 -> t2 [id=e2]
\tt2 -> op1 [id=e3]
\tt3 -> op1 [id=e4]
\top1 -> t4 [id=e5]
\tt0 -> op0 [label=" 1.0 " arrowsize=0.8 color="#c0392b" dir=back fontcolor="#c0392b" headport=w id=g6 penwidth=1.3 style=dashed]
\tt1 -> op0 [label=" 2.0 " arrowsize=0.8 color="#c0392b" dir=back fontcolor="#c0392b" headport=e id=g7 penwidth=1.3 style=dashed]
\tt2 -> op1 [label=" 1.0 " arrowsize=0.8 color="#c0392b" dir=back fontcolor="#c0392b" headport=w id=g8 penwidth=1.3 style=dashed]
\tt3 -> op1 [label=" 1.0 " arrowsize=0.8 color="#c0392b" dir=back fontcolor="#c0392b" headport=e id=g9 penwidth=1.3 style=dashed]
}
"""


SCALAR_FORWARD = """\
digraph graphviz_grad {
\tgraph [bgcolor=white fontname="Helvetica,Arial,sans-serif" fontsize=14 nodesep=0.25 pad=0.2 rankdir=TB ranksep=0.35]
\tnode [fontname="Helvetica,Arial,sans-serif" fontsize=14]
\tedge [arrowsize=0.8 color="#4d4d4d" fontname="Helvetica,Arial,sans-serif" fontsize=11]
\ts1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>w</B></TD></TR><TR><TD>2.0</TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_s1 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\ts2 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>x</B></TD></TR><TR><TD>1.0</TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_s2 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\to3 [label=<<B>×</B>> color="#7d3c98" fillcolor="#efe4f7" fontsize=18 id=n_o3 margin="0.02,0.01" penwidth=1.2 shape=ellipse style=filled]
\ts4 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>t2</B></TD></TR><TR><TD>2.0</TD></TR></TABLE>> color="#3b6fb6" fillcolor="#e7f0fb" id=n_s4 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\ts5 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>b</B></TD></TR><TR><TD>3.0</TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_s5 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\to6 [label=<<B>+</B>> color="#7d3c98" fillcolor="#efe4f7" fontsize=18 id=n_o6 margin="0.02,0.01" penwidth=1.2 shape=ellipse style=filled]
\ts7 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>y</B></TD></TR><TR><TD>5.0</TD></TR></TABLE>> color="#c4620a" fillcolor="#ffe3c2" id=n_s7 margin="0.12,0.06" penwidth=2 shape=box style="rounded,filled"]
\ts1 -> o3 [id=e0]
\ts2 -> o3 [id=e1]
\to3 -> s4 [id=e2]
\ts4 -> o6 [id=e3]
\ts5 -> o6 [id=e4]
\to6 -> s7 [id=e5]
}
"""


SCALAR_BACKWARD = """\
digraph graphviz_grad {
\tgraph [bgcolor=white fontname="Helvetica,Arial,sans-serif" fontsize=14 nodesep=0.25 pad=0.2 rankdir=TB ranksep=0.35]
\tnode [fontname="Helvetica,Arial,sans-serif" fontsize=14]
\tedge [arrowsize=0.8 color="#4d4d4d" fontname="Helvetica,Arial,sans-serif" fontsize=11]
\ts1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>w</B></TD></TR><TR><TD>2.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_s1 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\ts2 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>x</B></TD></TR><TR><TD>1.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 2.0</FONT></TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_s2 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\to3 [label=<<B>×</B>> color="#7d3c98" fillcolor="#efe4f7" fontsize=18 id=n_o3 margin="0.02,0.01" penwidth=1.2 shape=ellipse style=filled]
\ts4 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>t2</B></TD></TR><TR><TD>2.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#3b6fb6" fillcolor="#e7f0fb" id=n_s4 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\ts5 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>b</B></TD></TR><TR><TD>3.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_s5 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\to6 [label=<<B>+</B>> color="#7d3c98" fillcolor="#efe4f7" fontsize=18 id=n_o6 margin="0.02,0.01" penwidth=1.2 shape=ellipse style=filled]
\ts7 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>y</B></TD></TR><TR><TD>5.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#c4620a" fillcolor="#ffe3c2" id=n_s7 margin="0.12,0.06" penwidth=2 shape=box style="rounded,filled"]
\ts1 -> o3 [id=e0]
\ts2 -> o3 [id=e1]
\to3 -> s4 [id=e2]
\ts4 -> o6 [id=e3]
\ts5 -> o6 [id=e4]
\to6 -> s7 [id=e5]
}
"""


MODULE_FORWARD = """\
digraph graphviz_grad {
\tgraph [bgcolor=white fontname="Helvetica,Arial,sans-serif" fontsize=14 nodesep=0.35 pad=0.2 rankdir=TB ranksep=0.4]
\tnode [fontname="Helvetica,Arial,sans-serif" fontsize=14]
\tedge [arrowsize=0.8 color="#4d4d4d" fontname="Helvetica,Arial,sans-serif" fontsize=11]
\tm_c0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>lin</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">mul → add</FONT></TD></TR><TR><TD>w = 2.0</TD></TR><TR><TD>b = 3.0</TD></TR></TABLE>> color="#495057" fillcolor="#f1f3f5" id=n_m_c0 margin="0.15,0.08" penwidth=1.5 shape=box style=filled]
\tt1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>x</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>1.0</TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_t1 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\tt4 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>y</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>5.0</TD></TR></TABLE>> color="#c4620a" fillcolor="#ffe3c2" id=n_t4 margin="0.12,0.06" penwidth=2 shape=box style="rounded,filled"]
\tt1 -> m_c0 [id=e0]
\tm_c0 -> t4 [id=e1]
}
"""


MODULE_BACKWARD = """\
digraph graphviz_grad {
\tgraph [bgcolor=white fontname="Helvetica,Arial,sans-serif" fontsize=14 nodesep=0.35 pad=0.2 rankdir=TB ranksep=0.4]
\tnode [fontname="Helvetica,Arial,sans-serif" fontsize=14]
\tedge [arrowsize=0.8 color="#4d4d4d" fontname="Helvetica,Arial,sans-serif" fontsize=11]
\tm_c0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>lin</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">mul → add</FONT></TD></TR><TR><TD>w = 2.0</TD></TR><TR><TD><FONT COLOR="#c0392b">w.grad = 1.0</FONT></TD></TR><TR><TD>b = 3.0</TD></TR><TR><TD><FONT COLOR="#c0392b">b.grad = 1.0</FONT></TD></TR></TABLE>> color="#495057" fillcolor="#f1f3f5" id=n_m_c0 margin="0.15,0.08" penwidth=1.5 shape=box style=filled]
\tt1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>x</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>1.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 2.0</FONT></TD></TR></TABLE>> color="#b08900" fillcolor="#fff3bf" id=n_t1 margin="0.12,0.06" penwidth=1.2 shape=box style="rounded,filled"]
\tt4 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>y</B></TD></TR><TR><TD><FONT COLOR="#666666" POINT-SIZE="11">scalar</FONT></TD></TR><TR><TD>5.0</TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>> color="#c4620a" fillcolor="#ffe3c2" id=n_t4 margin="0.12,0.06" penwidth=2 shape=box style="rounded,filled"]
\tt1 -> m_c0 [id=e0]
\tm_c0 -> t4 [id=e1]
\tt1 -> m_c0 [label=" 2.0 " arrowsize=0.8 color="#c0392b" dir=back fontcolor="#c0392b" headport=e id=g2 penwidth=1.3 style=dashed]
}
"""


@pytest.mark.parametrize("level, run_backward, expected", [
    ("tensor", False, TENSOR_FORWARD),
    ("tensor", True, TENSOR_BACKWARD),
    ("scalar", False, SCALAR_FORWARD),
    ("scalar", True, SCALAR_BACKWARD),
    ("module", False, TENSOR_FORWARD),  # no nn.Module call: tensors and ops, as at the tensor level
    ("module", True, TENSOR_BACKWARD),
], ids=["tensor-forward", "tensor-backward", "scalar-forward", "scalar-backward", "module-forward",
        "module-backward"])
def test_ywxb_dot_is_exactly(level, run_backward, expected):
    assert ywxb_dot(level, run_backward) == expected


@pytest.mark.parametrize("run_backward, expected", [(False, MODULE_FORWARD), (True, MODULE_BACKWARD)],
                         ids=["forward", "backward"])
def test_ywxb_as_a_module_dot_is_exactly(run_backward, expected):
    assert module_dot("module", run_backward) == expected


@pytest.mark.parametrize("level", ["module", "tensor", "scalar"])
def test_backward_false_draws_the_forward_pass_only(level):
    assert ywxb_dot(level, True, backward=False) == ywxb_dot(level, False)
    assert module_dot(level, True, backward=False) == module_dot(level, False)


def test_the_module_is_a_cluster_at_the_tensor_level():
    source = module_dot("tensor")
    assert "subgraph cluster_c0 {" in source and "label=<<B>lin</B>>" in source
    inside = source.split("subgraph cluster_c0 {")[1].split("\t}")[0]
    assert all(f"\t\t{n} [" in inside for n in ("t0", "op0", "t2", "t3", "op1", "t4"))  # w, mul, t2, b, add, y
    assert "\t\tt1 [" not in inside  # x comes from outside the module


def test_gradient_edges_leave_by_the_sides_for_every_rankdir():
    assert "headport=w" in TENSOR_BACKWARD and "headport=e" in TENSOR_BACKWARD
    lr = ywxb_dot("tensor", rankdir="LR")
    assert lr.count("headport=n") == 2 and lr.count("headport=s") == 2 and "headport=w" not in lr
