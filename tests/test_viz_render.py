"""Drawing: output formats, escaping of hostile labels, sizes and levels, inputs accepted."""
import json
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

import graphviz_grad as vg
from test_viz_graphs import chain_graph, ywxb_graph

SVG = "{http://www.w3.org/2000/svg}"
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "gif": b"GIF89a"}


def svg_texts(path_or_root):
    root = ET.parse(path_or_root).getroot() if isinstance(path_or_root, str) else path_or_root
    return [t.text or "" for t in root.iter(SVG + "text")]


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "dot", "json", "html", "gif"])
def test_each_format_writes_bytes_of_its_type(tmp_path, fmt):
    path = vg.viz.render(ywxb_graph(), str(tmp_path / f"y.{fmt}"))
    data = open(path, "rb").read()
    if fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag == SVG + "svg"
        assert "grad 2.0" in svg_texts(root)  # x.grad = w = 2
    elif fmt in MAGIC:
        assert data.startswith(MAGIC[fmt])
    elif fmt == "dot":
        assert data.decode("utf-8") == vg.viz.draw(ywxb_graph()).source
    elif fmt == "json":
        drawn = json.loads(data)
        names = {o.get("name") for o in drawn["objects"]}
        assert {"t0", "t1", "t4", "op0", "op1"} <= names
    elif fmt == "html":
        text = data.decode("utf-8")
        assert text.startswith("<!DOCTYPE html>") and text.count("<svg") == 1
        assert "http://" not in text.replace("http://www.w3.org", "")  # nothing fetched from a network


def test_format_can_be_forced_and_unknown_suffix_is_refused(tmp_path):
    path = vg.viz.render(ywxb_graph(), str(tmp_path / "diagram.txt"), format="svg")
    assert open(path, "rb").read().startswith(b"<?xml")
    with pytest.raises(ValueError, match=r"cannot render to 'bmp'.*\.svg"):
        vg.viz.render(ywxb_graph(), str(tmp_path / "y.bmp"))


def test_digraph_renders_in_process_for_jupyter():
    dot = vg.viz.draw(ywxb_graph())
    bundle = dot._repr_mimebundle_()
    assert ET.fromstring(bundle["image/svg+xml"].encode("utf-8")).tag == SVG + "svg"
    assert dot.pipe(format="png").startswith(MAGIC["png"])


def test_same_graph_gives_byte_identical_dot():
    first = vg.viz.draw(ywxb_graph(), legend=True).source
    assert first == vg.viz.draw(ywxb_graph(), legend=True).source
    assert "0x" not in first  # no memory addresses


HOSTILE = ('a"b<c>&{d}\\N\\l \\', 'x\nnew \'line\' ]]> <!-- --> ünï 🙂 \x01\x7f', '}; evil -> graph {',
           "<script>alert(1)</script>")


def _hostile_graph():
    G = ywxb_graph(names=HOSTILE, module='m"\\G<b>{}')
    G.nodes["op0"].update(op="My<Fn>", label='My<Fn>"\\', custom=True)
    G.nodes["t1"]["data"] = {"values": float("nan"), "numel": 1}
    return G


@pytest.mark.parametrize("level", ["tensor", "module"])
def test_hostile_labels_render_as_text_in_valid_svg(tmp_path, level):
    path = vg.viz.render(_hostile_graph(), str(tmp_path / "h.svg"), level=level)
    texts = svg_texts(path)
    joined = "\n".join(texts)
    assert 'a"b<c>&{d}\\N\\l \\' in texts or level == "module"
    assert "<script>alert(1)</script>" in texts
    assert "}; evil -> graph {" in joined or level == "module"
    assert 'm"\\G<b>{}' in joined
    assert "ünï 🙂 \ufffd\ufffd" in joined


def test_hostile_labels_in_frames_stepper_and_raster(tmp_path):
    G = _hostile_graph()
    for path in vg.viz.steps(G, str(tmp_path / "frames")):
        ET.parse(path)
    html = open(vg.viz.stepper(G, str(tmp_path / "h.html")), encoding="utf-8").read()
    assert "<script>alert" not in html
    assert open(vg.viz.render(G, str(tmp_path / "h.png")), "rb").read().startswith(MAGIC["png"])


def test_custom_function_is_its_own_named_op():
    G = ywxb_graph()
    G.nodes["op0"].update(op="MyReLU", label="MyReLU", custom=True)
    source = vg.viz.draw(G).source
    line = next(l for l in source.splitlines() if l.strip().startswith("op0 "))
    assert "<B>MyReLU</B>" in line and "peripheries=2" in line


def test_roles_are_styled_apart_and_legend_names_them():
    G = ywxb_graph(module="lin")
    source = vg.viz.draw(G, legend=True).source
    fills = {n: re.search(r'fillcolor="(#\w+)"', l).group(1) for l in source.splitlines()
             for n in ("t0", "t1", "t2", "t4") if l.strip().startswith(n + " [")}
    assert len(set(fills.values())) == 4  # parameter, leaf, intermediate, output
    assert "legend" in source and "parameter" in source and "gradient" in source


def test_gradient_edges_run_back_dashed_and_labelled():
    source = vg.viz.draw(ywxb_graph()).source
    grad_edges = [l for l in source.splitlines() if "style=dashed" in l]
    assert len(grad_edges) == 4 and all("dir=back" in l for l in grad_edges)
    assert any('label=" 2.0 "' in l and l.strip().startswith("t1 -> op0") for l in grad_edges)
    assert "style=dashed" not in vg.viz.draw(ywxb_graph(), backward=False).source
    assert "style=dashed" not in vg.viz.draw(ywxb_graph(backward=False)).source


def test_rankdir_option():
    assert "rankdir=LR" in vg.viz.draw(ywxb_graph(), rankdir="LR").source
    with pytest.raises(ValueError, match="rankdir"):
        vg.viz.draw(ywxb_graph(), rankdir="up")


def test_small_values_shown_large_ones_summarised():
    G = ywxb_graph()
    G.nodes["t0"].update(shape=[2, 2], data={"values": [[1.0, 2.0], [3.0, 4.0]], "numel": 4})
    G.nodes["t1"].update(shape=[100], data={"min": -1.5, "max": 2.5, "mean": 0.25, "norm": 9.0, "numel": 100})
    source = vg.viz.draw(G).source
    assert "[[1.0, 2.0],<BR/> [3.0, 4.0]]" in source and "2×2" in source
    assert "min -1.5  mean 0.25  max 2.5" in source and ">100<" in source
    assert "[[1.0" not in vg.viz.draw(G, small=3).source


def test_a_500_op_chain_renders(tmp_path):
    path = vg.viz.render(chain_graph(500), str(tmp_path / "chain.svg"))
    nodes = [g for g in ET.parse(path).getroot().iter(SVG + "g") if g.get("class") == "node"]
    assert len(nodes) == 1001


def test_very_large_graphs_are_refused_with_how_to_zoom():
    with pytest.raises(ValueError, match=r'2201 nodes.*level="module".*max_nodes=2201'):
        vg.viz.draw(chain_graph(1100))
    assert vg.viz.draw(chain_graph(1100), max_nodes=None).source.count("->") == 2200 + 1100


def test_unknown_level_and_input_are_refused():
    with pytest.raises(ValueError, match="unknown level 'atom'"):
        vg.viz.draw(ywxb_graph(), level="atom")
    with pytest.raises(TypeError, match="cannot draw a int"):
        vg.viz.draw(3)


def test_accepts_a_tape_like_object_and_a_wrapper_with_nx():
    class Tape:
        def graph(self):
            return ywxb_graph()

    class Wrapper:
        nx = ywxb_graph()

    expected = vg.viz.draw(ywxb_graph()).source
    assert vg.viz.draw(Tape()).source == expected == vg.viz.draw(Wrapper()).source


# --- module level -----------------------------------------------------------------------------

def _two_layer_graph():
    """x → model.0 (linear) → model.1 (relu) → model.2 (linear) → mse_loss, all by hand."""
    G = nx.MultiDiGraph(schema=1, root="t9", backward_done=True)
    def t(i, name, role, module=None, shape=(2, 2)):
        G.add_node(f"t{i}", kind="tensor", name=name, shape=list(shape), dtype="float32", device="cpu",
                   role=role, requires_grad=role != "input", data={"min": 0.0, "max": 1.0, "mean": 0.5, "numel": 9},
                   grad={"norm": 1.0, "numel": 9} if role != "input" else None, module=module)
    def op(i, name, step, back, module, ins, out):
        G.add_node(f"op{i}", kind="op", op=name, label=name, forward_step=step, backward_step=back, module=module,
                   derivative=[], phase="forward")
        for p, tin in enumerate(ins):
            G.add_edge(f"t{tin}", f"op{i}", kind="input", position=p, grad={"norm": 1.0, "numel": 9}, rule=None)
        G.add_edge(f"op{i}", f"t{out}", kind="output", position=0)
    t(0, "x", "input"); t(1, "model.0.weight", "parameter"); t(2, "model.0.bias", "parameter")
    t(3, "t3", "intermediate", "model.0"); t(4, "t4", "intermediate", "model.1")
    t(5, "model.2.weight", "parameter"); t(6, "model.2.bias", "parameter")
    t(7, "y_pred", "intermediate", "model.2"); t(8, "y", "input"); t(9, "loss", "output", shape=())
    op(0, "linear", 0, 3, "model.0", [0, 1, 2], 3)
    op(1, "relu", 1, 2, "model.1", [3], 4)
    op(2, "linear", 2, 1, "model.2", [4, 5, 6], 7)
    op(3, "mse_loss", 3, 0, None, [7, 8], 9)
    return G


def test_module_level_draws_one_box_per_call_inside_the_parent_cluster():
    source = vg.viz.draw(_two_layer_graph(), level="module").source
    boxes = [l for l in source.splitlines() if l.strip().startswith("m_") and "[label=" in l]
    assert len(boxes) == 3
    assert "subgraph cluster_c0" in source and "label=<<B>model</B>>" in source
    assert "weight: 2×2" in boxes[0] and "bias: 2×2" in boxes[0] and "model.0.weight" not in source
    assert "<B>mse_loss</B>" in source  # an op outside any module stays an op
    # what passes between calls stays visible; parameters and internals do not
    assert "m_c1 -> t3 " in source and "t3 -> m_c2 " in source and "m_c3 -> t7 " in source
    assert "t7 -> op3 " in source and "t0 -> m_c1 " in source and "\tt1 " not in source


def test_tensor_level_groups_module_calls_as_clusters():
    source = vg.viz.draw(_two_layer_graph()).source
    assert source.count("subgraph cluster_") == 4  # model, model.0, model.1, model.2
    assert "<B>model.0.weight</B>" in source
