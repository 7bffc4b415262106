"""The CUDA backend (CuPy). Runs only where CuPy sees a GPU; elsewhere asking for cuda must fail clearly."""
import numpy as np
import pytest

import graphviz_grad as vg

gpu = pytest.mark.skipif(not vg.cuda.is_available(), reason="needs CuPy and a CUDA GPU")


@pytest.mark.skipif(vg.cuda.is_available(), reason="this machine has a GPU")
@pytest.mark.parametrize("make", [
    lambda: vg.zeros(2, device="cuda"),
    lambda: vg.tensor([1.0]).cuda(),
    lambda: vg.tensor([1.0]).to("cuda:0"),
    lambda: vg.randn(3, device=vg.device("cuda")),
])
def test_cuda_without_gpu_is_a_clear_error(make):
    with pytest.raises(RuntimeError, match=r"graphviz-grad\[gpu\]"):
        make()


@pytest.mark.skipif(vg.cuda.is_available(), reason="this machine has a GPU")
def test_default_device_cuda_without_gpu_is_the_same_clear_error():
    with vg.device("cuda"), pytest.raises(RuntimeError, match=r"graphviz-grad\[gpu\]"):
        vg.nn.Linear(2, 3)
    assert vg.get_default_device() == "cpu"  # the block left, even by an exception
    vg.set_default_device("cuda")
    try:
        with pytest.raises(RuntimeError, match=r"graphviz-grad\[gpu\]"):
            vg.tensor([1.0])
    finally:
        vg.set_default_device(None)


def test_default_device_as_pytorch():
    """``with vg.device(d):`` and ``set_default_device(d)`` as PyTorch's: innermost block first, then the
    set default, then the CPU; explicit ``device=`` wins; a tensor's own ``*_like`` stays with it."""
    import torch

    for lib in (vg, torch):
        assert str(lib.get_default_device()) == "cpu"
        with lib.device("cpu") as d:
            assert str(d) == "cpu" and str(lib.get_default_device()) == "cpu"
            assert str(lib.zeros(2).device) == "cpu" and str(lib.tensor([1.0]).device) == "cpu"
        lib.set_default_device("cpu")
        assert str(lib.get_default_device()) == "cpu"
        lib.set_default_device(None)
        assert str(lib.get_default_device()) == "cpu"


def test_default_device_is_per_thread_and_blocks_leave_their_own_entry():
    import threading

    from graphviz_grad import backend

    seen = []
    with vg.device("cuda"):
        worker = threading.Thread(target=lambda: seen.append(str(vg.get_default_device())))
        worker.start()
        worker.join()
        assert str(backend.default_device()) == "cuda" and str(vg.get_default_device()) == "cuda:0"
    assert seen == ["cpu"]  # as PyTorch's: another thread keeps its own default
    outer, inner = vg.device("cuda"), vg.device("cpu")
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # out of order: the inner block is still open
    assert backend.default_device() == "cpu" and backend.chosen_default_device() is inner
    inner.__exit__(None, None, None)
    assert backend.chosen_default_device() is None


def test_as_tensor_follows_a_chosen_default_device_as_torch():
    t = vg.ones(2)
    assert vg.as_tensor(t) is t
    with vg.device("cpu"):
        assert vg.as_tensor(t) is t


def test_a_lesson_without_a_device_setting_runs_in_the_device_block(monkeypatch):
    """``vizgrad train nn --device cuda`` runs the tutorial's nn program inside ``with vg.device("cuda"):``;
    NumPy's program says it runs on the CPU only. (On the CPU: the block's device is recorded, not used.)"""
    from graphviz_grad import backend
    from graphviz_grad.lessons import LESSONS

    seen = []
    real = backend.device.__enter__

    def spy(self):
        seen.append(str(self))
        return real(self)

    monkeypatch.setattr(backend.device, "__enter__", spy)
    monkeypatch.setattr(backend, "to_device", lambda array, dev: array)  # stand-in: no GPU needed
    result = LESSONS["nn"].run(steps=2, device="cuda")
    assert seen == ["cuda"] and len(result.losses) == 2
    with pytest.raises(ValueError, match="runs on the CPU only; use --device cpu"):
        LESSONS["numpy"].run(steps=2, device="cuda")


def test_cuda_is_available_is_a_bool():
    assert vg.cuda.is_available() in (True, False)


def test_device_objects():
    assert vg.device("cuda:0") == vg.device("cuda", 0)
    assert str(vg.device("cuda:0")) == "cuda:0"
    assert vg.tensor([1.0]).device == vg.device("cpu")
    with pytest.raises(RuntimeError):
        vg.device("tpu")


@gpu
@pytest.mark.parametrize("name", ["tensor", "autograd", "custom-function", "nn", "optim", "module", "dynamic"])
def test_vizgrad_train_lessons_on_gpu_match_cpu(name):
    from graphviz_grad.lessons import LESSONS

    cpu, cuda = (LESSONS[name].run(steps=20, device=d) for d in ("cpu", "cuda"))
    np.testing.assert_allclose(cuda.losses, cpu.losses, rtol=1e-3)


@gpu
def test_tutorial_step_on_gpu_matches_cpu():
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(s) for s in ((8, 5), (8, 3), (5, 4), (4, 3))]
    losses = {}
    for dev in ("cpu", "cuda"):
        x, y, w1, w2 = (vg.tensor(a, dtype=vg.float64, device=dev) for a in data)
        w1.requires_grad_(); w2.requires_grad_()
        out = []
        for _ in range(5):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.backward()
            with vg.no_grad():
                w1 -= 1e-3 * w1.grad
                w2 -= 1e-3 * w2.grad
                w1.grad.zero_(); w2.grad.zero_()
            out.append(loss.item())
        losses[dev] = out
        assert w1.device.type == dev and w1.grad.device.type == dev
    np.testing.assert_allclose(losses["cpu"], losses["cuda"], rtol=1e-9)


@gpu
def test_mixing_devices_is_pytorchs_error():
    a = vg.ones(2)
    b = vg.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="same device"):
        a + b


@gpu
def test_numpy_of_cuda_tensor_is_a_type_error():
    with pytest.raises(TypeError, match=r"cpu\(\)"):
        vg.ones(2, device="cuda").numpy()


@gpu
def test_module_to_cuda_and_train():
    model = vg.nn.Sequential(vg.nn.Linear(4, 3), vg.nn.ReLU(), vg.nn.Linear(3, 1)).to("cuda")
    opt = vg.optim.Adam(model.parameters(), lr=1e-2)
    x, y = vg.randn(16, 4, device="cuda"), vg.randn(16, 1, device="cuda")
    first = None
    for _ in range(50):
        loss = vg.nn.functional.mse_loss(model(x), y)
        first = first if first is not None else loss.item()
        opt.zero_grad(); loss.backward(); opt.step()
    assert loss.item() < first
    assert all(p.device.type == "cuda" for p in model.parameters())


@gpu
def test_graph_of_cuda_tensors_summarises_on_device():
    x = vg.randn(100, 100, device="cuda", requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    g = vg.graph(loss)
    assert any(d.get("device", "").startswith("cuda") for _, d in g.nodes(data=True) if d["kind"] == "tensor")
