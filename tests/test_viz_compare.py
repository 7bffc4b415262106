"""Hand-written gradients drawn beside autograd's (issue 15, item 4: the backprop exercise's picture).

``vg.viz.render(loss, path, compare_grads={"logprobs": dlogprobs, ...})`` and the
other drawing functions show each named tensor's hand-written gradient beside
autograd's with makemore's ``cmp`` verdict: exact, approximate (torch.allclose),
or differs, with the largest difference.
"""
import re

import numpy as np
import pytest
import torch

import graphviz_grad as vg
import graphviz_grad.nn.functional as F


def softmax_net(dtype=vg.float32):
    """A small cross-entropy step written out as makemore 4 writes it, with its hand-written gradients."""
    g = vg.Generator().manual_seed(1)
    logits = vg.randn(4, 5, generator=g, dtype=dtype, requires_grad=True)
    Yb = vg.tensor([1, 0, 4, 2])
    n = 4
    counts = logits.exp()
    counts_sum = counts.sum(1, keepdim=True)
    probs = counts / counts_sum
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()
    for name, t in dict(logits=logits, counts=counts, probs=probs, logprobs=logprobs, loss=loss).items():
        t.name = name  # (the variables of this function are gone when the caller draws)
    for t in (counts, probs, logprobs):
        t.retain_grad()
    loss.backward()
    dlogprobs = vg.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0 / n
    dprobs = (1.0 / probs) * dlogprobs
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    return loss, dict(logprobs=dlogprobs, probs=dprobs, logits=dlogits), dict(
        logprobs=logprobs, probs=probs, logits=logits)


def verdicts(svg):
    """``{tensor name: verdict text}`` read from a drawing (a node's title, then its verdict)."""
    found = {}
    for node in re.findall(r'<g id="n_t\d+" class="node">(.*?)</g>', svg, re.S):
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", node)
        verdict = [t for t in texts if t[:1] in "✓≈✗"]
        if verdict:
            found[texts[0]] = verdict[0].replace("&#45;", "-")
    return found


def test_agreeing_gradients_show_as_agreeing_with_both_summaries_side_by_side():
    loss, hand, _ = softmax_net()
    svg = vg.viz.draw(loss, compare_grads={"logprobs": hand["logprobs"], "probs": hand["probs"]}).pipe(
        format="svg", encoding="utf-8")
    assert verdicts(svg) == {"logprobs": "✓ exact", "probs": "✓ exact"}
    assert svg.count(">autograd<") == 2 and svg.count(">by hand<") == 2


def test_a_wrong_hand_written_gradient_shows_as_differing_with_its_maxdiff():
    loss, hand, tensors = softmax_net()
    wrong = 1.0 / tensors["probs"].detach()  # forgot to multiply by dlogprobs: the chain rule's other half
    G = vg.graph(loss, compare_grads={"probs": wrong, "logprobs": hand["logprobs"]})
    check = G.nodes[G.find("probs")]["grad_check"]
    expected = (wrong - tensors["probs"].grad).abs().max().item()
    assert check["exact"] is False and check["approximate"] is False
    assert check["maxdiff"] == pytest.approx(expected, rel=1e-6)
    svg = vg.viz.draw(G).pipe(format="svg", encoding="utf-8")  # a graph that kept its checks draws them
    shown = verdicts(svg)
    assert shown["logprobs"] == "✓ exact"
    assert shown["probs"] == f"✗ differs · maxdiff {vg.viz.style.format_number(check['maxdiff'])}"


@pytest.mark.parametrize("dtype", [vg.float32, vg.float64])
def test_the_verdict_is_cmps_with_torch_allclose_as_the_oracle(dtype):
    loss, hand, tensors = softmax_net(dtype)
    G = vg.graph(loss, compare_grads=hand)
    for name, dt in hand.items():
        check = G.nodes[G.find(name)]["grad_check"]
        ours, theirs = torch.from_numpy(dt.detach().numpy()), torch.from_numpy(tensors[name].grad.numpy())
        assert check["exact"] == torch.all(ours == theirs).item()
        assert check["approximate"] == torch.allclose(ours, theirs)
        assert check["maxdiff"] == (ours - theirs).abs().max().item()
    # the fused cross-entropy backward agrees to rounding, as makemore 4 says ("my maxdiff is 6e-9")
    logits = G.nodes[G.find("logits")]["grad_check"]
    assert logits["approximate"] and logits["maxdiff"] < (1e-6 if dtype == vg.float32 else 1e-15)
    off = hand["logits"] + 1e-4 * (hand["logits"].abs() + 1)  # over allclose's tolerance
    check = vg.graph(loss, compare_grads={"logits": off}).nodes[G.find("logits")]["grad_check"]
    assert not check["approximate"] and check["maxdiff"] == pytest.approx(
        (off - tensors["logits"].grad).abs().max().item())


def test_an_intermediate_needs_no_retain_grad_and_arrays_are_welcome():
    x = vg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * x  # no retain_grad(): its gradient is the one that reached it
    y = (h * 3).sum()
    y.backward()
    G = vg.graph(y, compare_grads={"h": np.full(3, 3.0, dtype=np.float32), "x": [6.0, -12.0, 18.0]})
    assert G.nodes[G.find("h")]["grad_check"]["exact"]
    assert G.nodes[G.find("x")]["grad_check"]["exact"]


def test_names_are_checked():
    loss, hand, _ = softmax_net()
    with pytest.raises(ValueError, match=r"no tensor named 'dprobs' in this graph; its named tensors: .*logprobs"):
        vg.viz.draw(loss, compare_grads={"dprobs": hand["probs"]})
    a = vg.tensor([1.0, 2.0], requires_grad=True)
    b = vg.tensor([1.0, 2.0], requires_grad=True, name="a")
    y = (a * b).sum()
    y.backward()
    with pytest.raises(ValueError, match="2 tensors of this graph are named 'a'"):
        vg.graph(y, compare_grads={"a": [1.0, 2.0]})


def test_a_shape_mismatch_gives_a_clear_error_and_size_one_dims_are_cmps_broadcast():
    loss, hand, _ = softmax_net()
    with pytest.raises(ValueError, match=r"compare_grads\['probs'\]: the hand-written gradient has shape \(5, 4\) "
                                         r"but probs has shape \(4, 5\)"):
        vg.viz.render(loss, "unused.svg", compare_grads={"probs": hand["probs"].T})
    x = vg.ones(1, 3, requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    G = vg.graph(y, compare_grads={"x": vg.full((3,), 2.0)})  # (-dbndiff).sum(0) for a (1, 64) bnmeani
    check = G.nodes[G.find("x")]["grad_check"]
    assert check["exact"] and check["hand_shape"] == [3]
    assert "(by hand 3)" in vg.viz.draw(y, compare_grads={"x": vg.full((3,), 2.0)}).source


def test_no_gradient_and_no_tensor_are_clear_errors():
    x = vg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(ValueError, match=r"x has no gradient from autograd; call \.backward\(\)"):
        vg.graph(y, compare_grads={"x": [2.0, 4.0]})
    y.backward()
    with pytest.raises(TypeError, match="compare_grads needs the Tensor"):
        vg.viz.draw(vg.graph(y), compare_grads={"x": [2.0, 4.0]})


def test_the_stepper_says_each_verdict_when_that_gradient_is_whole_and_hides_it_before():
    from graphviz_grad.viz.frames import frame_css
    from graphviz_grad.viz.steps import lesson
    from graphviz_grad.viz.style import CHECK_COLORS

    loss, hand, tensors = softmax_net()
    wrong = dict(hand, probs=hand["probs"] * 2)
    result = lesson(loss, compare_grads=wrong)
    lines = [(i, line) for i, f in enumerate(result.frames) for line in f.lines if "by hand" in line]
    maxdiff = vg.viz.style.format_number((2 * hand["probs"] - tensors["probs"].grad).abs().max().item())
    assert [line for _, line in lines[:2]] == ["logprobs.grad by hand: ✓ exact",
                                               f"probs.grad by hand: ✗ differs · maxdiff {maxdiff}"]
    assert len(lines) == 3 and lines[2][1].startswith("logits.grad by hand: ")
    assert lines[0][0] < lines[1][0] < lines[2][0]  # in backward order, once each gradient is whole
    css = frame_css(result.frames[0], result.diagram)  # the first forward frame: no gradient yet
    assert all(f'text[fill="{c}"]' in css for c in CHECK_COLORS.values())
    assert "by hand" in result.base_svg and "✗ differs" in result.base_svg


def test_the_backprop_lessons_pictures_check_every_gradient_its_cmp_checks():
    """``vizgrad docs`` draws makemore 4 with each ``cmp(name, dt, t)`` of exercise 1 (the lesson's code as
    Karpathy wrote it) as a hand-written gradient beside ``t.grad``."""
    from graphviz_grad.cli import docs_cmd

    diagram = next(d for d in docs_cmd.DIAGRAMS if d.path == "images/makemore-backprop/backward.svg")
    cache = {}
    loss = docs_cmd._source(diagram, 0, cache)
    compare = cache[("compare", "makemore-backprop", 0)]
    assert len(compare) == 26 and list(compare)[:3] == ["logprobs", "probs", "counts_sum_inv"]
    G = vg.graph(loss, compare_grads=compare)
    checks = {d["name"]: d["grad_check"] for _, d in G.nodes(data=True) if "grad_check" in d}
    assert set(checks) == set(compare)
    assert all(c["approximate"] and c["maxdiff"] < 1e-7 for c in checks.values())
    assert checks["logprobs"]["exact"] and checks["bnmeani"]["hand_shape"] == [64]  # (-dbndiff).sum(0)
