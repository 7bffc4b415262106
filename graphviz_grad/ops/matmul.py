"""Matrix products: ``mm`` (2-D only, as PyTorch) and ``matmul`` (NumPy's @, broadcasting batches)."""
from ..autograd.function import Op


class Mm(Op):
    name = "mm"
    derivatives = ("grad @ bᵀ", "aᵀ @ grad")
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))  # a for b's gradient, b for a's

    def forward(self, a, b):
        if a.ndim != 2 or b.ndim != 2:
            bad, t = ("self", a) if a.ndim != 2 else ("mat2", b)
            raise RuntimeError(f"{bad} must be a matrix (2-D), but got a {t.ndim}-D tensor; use matmul for other shapes")
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                f"{b.shape[0]}x{b.shape[1]}): the columns of the first ({a.shape[1]}) must equal the "
                f"rows of the second ({b.shape[0]})"
            )
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")
        self.a, self.b = a, b
        return a.dot(b)  # for 2-D arrays the same product as @, at half its call overhead

    def backward(self, grad):
        na, nb = self.needs_input_grad
        return (grad.dot(self.b.T) if na else None), (self.a.T.dot(grad) if nb else None)


class Matmul(Op):
    name = "matmul"
    broadcasts = "batch"
    derivatives = ("grad @ bᵀ", "aᵀ @ grad")
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))  # a for b's gradient, b for a's
    grad_fn_varies = True

    def grad_fn_name(self):
        """PyTorch's matmul dispatches on the dims: dot, mv, mm, else a view of a folded product."""
        return {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (2, 2): "MmBackward0",
                (1, 2): "SqueezeBackward4"}.get((self.a.ndim, self.b.ndim), "UnsafeViewBackward0")

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                               f"{a.ndim}D and {b.ndim}D")
        ka = a.shape[-1]
        kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if ka != kb:
            sa = "x".join(map(str, a.shape))
            sb = "x".join(map(str, b.shape))
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb}): "
                               f"inner dimensions {ka} and {kb} differ")
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad):
        a, b = self.a, self.b
        na, nb = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if na else None), (grad * a if nb else None)
        # Treat vectors as matrices, then drop the added axes again.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = g[..., None, :]
        if b.ndim == 1:
            g = g[..., None]
        ga = gb = None
        if na:
            ga = g @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
                ga = ga.reshape(-1, a.shape[0]).sum(axis=0) if ga.ndim > 1 else ga
        if nb:
            gb = a2.swapaxes(-1, -2) @ g
            if b.ndim == 1:
                gb = gb[..., 0]
                gb = gb.reshape(-1, b.shape[0]).sum(axis=0) if gb.ndim > 1 else gb
        return ga, gb
