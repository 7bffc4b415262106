"""graphviz_grad.save / load: round trips of tensors and structures, and no pickle ever."""
import io
import json
import math
import os
import pathlib
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import graphviz_grad as vg
from graphviz_grad import serialization


def round_trip(obj, tmp_path):
    path = tmp_path / "obj.ckpt"
    vg.save(obj, path)
    return vg.load(path)


def assert_same_tensor(a, b):
    assert type(a) is type(b)
    assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_save_and_load_are_the_package_functions():
    assert vg.save is serialization.save and vg.load is serialization.load


@pytest.mark.parametrize("make", [
    lambda: vg.randn(3, 4),
    lambda: vg.randn(2, dtype=vg.float64, requires_grad=True),
    lambda: vg.tensor([1, 2, 3]),
    lambda: vg.tensor([True, False]),
    lambda: vg.tensor(2.5),
    lambda: vg.zeros(0, 3),
    lambda: vg.tensor([1, 2], dtype=vg.int32),
    lambda: vg.nn.Parameter(vg.randn(2, 2)),
    lambda: vg.nn.Parameter(vg.randn(2), requires_grad=False),
])
def test_tensor_round_trip(make, tmp_path):
    t = make()
    loaded = round_trip(t, tmp_path)
    assert_same_tensor(loaded, t)
    assert loaded.is_leaf
    assert loaded._data is not t._data


def test_non_leaf_tensor_is_saved_as_a_leaf(tmp_path):
    x = vg.ones(2, requires_grad=True)
    y = x * 3
    loaded = round_trip(y, tmp_path)
    assert loaded.is_leaf and loaded.requires_grad and loaded.tolist() == [3.0, 3.0]


def test_nested_structures_round_trip(tmp_path):
    obj = {
        "ints": [1, -2, 10**30],
        "floats": (0.1, math.inf, -math.inf, 1e-300),
        "text": "naïve ünïcode \"quotes\" <tags> {braces}\n",
        "flags": [True, False, None],
        7: "int key",
        (1, "a"): "tuple key",
        None: "none key",
        2.5: "float key",
        "nested": OrderedDict([("z", [vg.ones(2), {"deep": (vg.zeros(1),)}]), ("a", [])]),
        "dtype": vg.float64,
        "device": vg.device("cpu"),
        "array": np.arange(6).reshape(2, 3),
        "scalar": np.float32(1.5),
        "empty": {},
    }
    loaded = round_trip(obj, tmp_path)
    assert list(loaded) == list(obj)
    assert loaded["ints"] == obj["ints"] and loaded["floats"] == obj["floats"] and type(loaded["floats"]) is tuple
    assert loaded["text"] == obj["text"] and loaded["flags"] == obj["flags"]
    assert loaded[7] == "int key" and loaded[(1, "a")] == "tuple key" and loaded[None] == "none key"
    assert loaded[2.5] == "float key"
    assert type(loaded["nested"]) is OrderedDict and list(loaded["nested"]) == ["z", "a"]
    assert_same_tensor(loaded["nested"]["z"][0], obj["nested"]["z"][0])
    assert_same_tensor(loaded["nested"]["z"][1]["deep"][0], obj["nested"]["z"][1]["deep"][0])
    assert loaded["dtype"] is vg.float64 and loaded["device"] == vg.device("cpu")
    np.testing.assert_array_equal(loaded["array"], obj["array"])
    assert loaded["scalar"] == np.float32(1.5) and loaded["scalar"].dtype == np.float32
    assert loaded["empty"] == {}
    assert math.isnan(round_trip([math.nan], tmp_path)[0])


def test_state_dict_round_trip_into_a_model(tmp_path):
    model = vg.nn.Sequential(vg.nn.Linear(4, 3), vg.nn.ReLU(), vg.nn.Linear(3, 1))
    path = tmp_path / "model.ckpt"
    vg.save(model.state_dict(), str(path))  # the tutorial's torch.save(model.state_dict(), 'model.ckpt')
    state = vg.load(str(path))
    assert type(state) is OrderedDict and list(state) == list(model.state_dict())
    fresh = vg.nn.Sequential(vg.nn.Linear(4, 3), vg.nn.ReLU(), vg.nn.Linear(3, 1))
    fresh.load_state_dict(state)
    x = vg.randn(5, 4)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_optimizer_state_round_trip_resumes_training(tmp_path):
    def setup():
        vg.manual_seed(0)
        model = vg.nn.Sequential(vg.nn.Linear(4, 3), vg.nn.Tanh(), vg.nn.Linear(3, 1))
        return model, vg.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)

    x, y = vg.randn(8, 4), vg.randn(8, 1)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            vg.nn.functional.mse_loss(model(x), y).backward()
            opt.step()

    model, opt = setup()
    train(model, opt, 6)

    model1, opt1 = setup()
    train(model1, opt1, 3)
    vg.save({"model": model1.state_dict(), "optim": opt1.state_dict()}, tmp_path / "ckpt")
    checkpoint = vg.load(tmp_path / "ckpt")
    assert checkpoint["optim"]["param_groups"] == opt1.state_dict()["param_groups"]
    assert sorted(checkpoint["optim"]["state"]) == [0, 1, 2, 3]
    model2, opt2 = setup()
    model2.load_state_dict(checkpoint["model"])
    opt2.load_state_dict(checkpoint["optim"])
    train(model2, opt2, 3)
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_paths_and_file_objects(tmp_path):
    t = vg.randn(3)
    buffer = io.BytesIO()
    vg.save(t, buffer)
    buffer.seek(0)
    assert_same_tensor(vg.load(buffer), t)
    with open(tmp_path / "f.ckpt", "wb") as fh:
        vg.save(t, fh)
    with open(tmp_path / "f.ckpt", "rb") as fh:
        assert_same_tensor(vg.load(fh), t)
    assert_same_tensor(vg.load(pathlib.Path(tmp_path / "f.ckpt")), t)
    assert_same_tensor(vg.load(os.fspath(tmp_path / "f.ckpt"), map_location="cpu", weights_only=True), t)
    assert_same_tensor(vg.load(tmp_path / "f.ckpt", map_location={"cuda:0": "cpu"}), t)


def test_the_file_is_a_zip_of_json_and_npy(tmp_path):
    shared = vg.randn(2, 2)
    vg.save({"a": shared, "b": shared, "n": 1}, tmp_path / "x.ckpt")
    with zipfile.ZipFile(tmp_path / "x.ckpt") as zf:
        assert sorted(zf.namelist()) == ["arrays/0.npy", "manifest.json"]  # a shared array is stored once
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "graphviz_grad.save" and manifest["arrays"] == [{"dtype": "float32", "shape": [2, 2]}]
        with zf.open("arrays/0.npy") as fh:
            np.testing.assert_array_equal(np.load(fh, allow_pickle=False), shared.numpy())
    loaded = vg.load(tmp_path / "x.ckpt")
    assert loaded["a"]._data is loaded["b"]._data


# --- refusing pickles and bad input ------------------------------------------------------------------


class Payload:
    """Unpickling this creates a marker file: proof that code ran."""

    marker = None

    def __reduce__(self):
        return (open, (str(Payload.marker), "w"))


@pytest.fixture
def payload(tmp_path):
    Payload.marker = tmp_path / "pwned"
    yield Payload()
    assert not Payload.marker.exists(), "loading ran code from the file"


def test_a_plain_pickle_is_refused(payload, tmp_path):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": payload}))
    with pytest.raises(pickle.UnpicklingError, match="never unpickles"):
        vg.load(path)


def test_a_torch_checkpoint_is_refused(payload, tmp_path):
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2), "evil": payload}, path)
    Payload.marker.unlink(missing_ok=True)
    with pytest.raises(pickle.UnpicklingError, match="pickle-based PyTorch checkpoint"):
        vg.load(path)


def test_an_object_array_inside_our_format_is_refused(payload, tmp_path):
    path = tmp_path / "crafted.ckpt"
    vg.save({"w": vg.ones(2)}, path)
    with zipfile.ZipFile(path) as zf:
        manifest = zf.read("manifest.json")
    evil = io.BytesIO()
    np.save(evil, np.array([payload], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "w") as zf:  # a valid manifest, and a pickle where the array should be
        zf.writestr("manifest.json", manifest)
        zf.writestr("arrays/0.npy", evil.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="pickled"):
        vg.load(path)


@pytest.mark.parametrize("edit,error", [
    (lambda m: m.update(format="something else"), "does not describe"),
    (lambda m: m.update(version=99), "format version 99"),
    (lambda m: m.update(object={"type": "eval", "code": "1+1"}), "unknown entry"),
    (lambda m: m.update(object={"type": "tensor", "array": 5, "device": "cpu"}), "array index 5"),
    (lambda m: m["arrays"][0].update(shape=[3]), "does not match its description"),
    (lambda m: m.update(object={"type": "dict", "items": [[{"type": "list", "items": []}, 1]]}), "not hashable"),
    (lambda m: m["object"].update(view={"offset": 4096, "shape": [2], "strides": [4]}), "view that does not fit"),
    (lambda m: m["object"].update(view={"offset": 4, "shape": [2], "strides": [-400]}), "view that does not fit"),
    (lambda m: m["object"].update(view={"offset": "x", "shape": [2], "strides": [4]}), "view that does not fit"),
])
def test_a_corrupt_manifest_is_a_clear_error(edit, error, tmp_path):
    path = tmp_path / "x.ckpt"
    vg.save(vg.ones(2), path)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        array = zf.read("arrays/0.npy")
    edit(manifest)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("arrays/0.npy", array)
    with pytest.raises(RuntimeError, match=error):
        vg.load(path)


def test_not_a_checkpoint_is_a_clear_error(tmp_path):
    (tmp_path / "text.ckpt").write_text("hello")
    with pytest.raises(RuntimeError, match="not a zip archive"):
        vg.load(tmp_path / "text.ckpt")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(RuntimeError, match="no manifest.json"):
        vg.load(tmp_path / "other.zip")


def test_saving_a_module_or_optimizer_says_save_the_state_dict(tmp_path):
    model = vg.nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"Save `model.state_dict\(\)` instead"):
        vg.save(model, tmp_path / "m.ckpt")
    with pytest.raises(TypeError, match=r"Save `optimizer.state_dict\(\)` instead"):
        vg.save({"opt": vg.optim.SGD(model.parameters(), lr=0.1)}, tmp_path / "o.ckpt")
    with pytest.raises(TypeError, match=r"cannot save an object of type function \(obj\['f'\]\)"):
        vg.save({"f": lambda: 0}, tmp_path / "f.ckpt")
    with pytest.raises(TypeError, match="dict keys must be"):
        vg.save({vg.ones(1): 1}, tmp_path / "k.ckpt")
    cycle = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="contains itself"):
        vg.save(cycle, tmp_path / "c.ckpt")
    shared = [1]
    assert round_trip([shared, shared], tmp_path) == [[1], [1]]  # shared, not cyclic: fine


@pytest.mark.skipif(vg.cuda.is_available(), reason="this machine has a GPU")
def test_loading_onto_cuda_without_a_gpu_says_use_map_location(tmp_path):
    vg.save(vg.ones(2), tmp_path / "x.ckpt")
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        vg.load(tmp_path / "x.ckpt", map_location="cuda")


@pytest.mark.skipif(not vg.cuda.is_available(), reason="needs CuPy and a CUDA GPU")
def test_cuda_tensors_round_trip(tmp_path):
    t = vg.randn(3, device="cuda")
    vg.save(t, tmp_path / "x.ckpt")
    assert vg.load(tmp_path / "x.ckpt").device.type == "cuda"
    assert vg.load(tmp_path / "x.ckpt", map_location="cpu").device.type == "cpu"
