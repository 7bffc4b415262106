"""PyTorch's CPU random generator, bit for bit: MT19937 and PyTorch's transforms.

``manual_seed(n)`` followed by ``rand``, ``randn``, ``randint``, ``randperm``,
``normal_``, ``uniform_``, ``bernoulli``, dropout masks, ``multinomial`` and
``nn.init`` gives the numbers PyTorch 2.13 gives on the CPU (float32
bit-identical, float64 within 1 ulp), from the global generator and from
``Generator`` objects passed as ``generator=``.

>>> import graphviz_grad as vg
>>> _ = vg.manual_seed(0)
>>> vg.rand(3)
tensor([0.4963, 0.7682, 0.0885])
>>> g = vg.Generator().manual_seed(0)
>>> vg.rand(3, generator=g)
tensor([0.4963, 0.7682, 0.0885])
>>> state = vg.get_rng_state(); a = vg.randn(5); vg.set_rng_state(state)
>>> bool((vg.randn(5) == a).all())
True

How it works. The 32-bit engine is NumPy's ``MT19937`` bit generator put in
the state PyTorch's ``mt19937`` has (seeded with ``init_genrand(seed &
0xffffffff)``, like NumPy's legacy ``RandomState(seed)``); ``random_raw``
gives its outputs in bulk, so no number costs a Python step. A 64-bit draw is
two 32-bit ones, the first in the high half (``random64``). On top of it, the
transforms of ``aten/src/ATen/core/TransformationHelper.h``,
``DistributionsHelper.h`` and ``native/cpu/DistributionTemplates.h``:

- a float32 uniform is ``(r & (2**24 - 1)) * 2**-24`` of one 32-bit draw; a
  float64 one is ``(r64 & (2**53 - 1)) * 2**-53`` of one 64-bit draw;
- ``normal_`` of a contiguous tensor of 16 or more elements (``normal_fill``)
  fills it with uniforms, then turns each block of 16 into normals with
  Box-Muller (``u1 = 1 - x[j]``, ``u2 = x[j + 8]``), and when the size is not a
  multiple of 16 draws 16 fresh uniforms for the last 16 elements and
  transforms them again. For float32, PyTorch's CPU kernel runs in AVX2 (on a
  CPU with AVX2 and FMA, AVX-512 included, since PyTorch does not dispatch
  ``normal_`` to its AVX-512 build) with the Cephes polynomials of
  ``avx_mathfun.h`` (``log256_ps``, ``sincos256_ps``); this module evaluates
  the same polynomials in NumPy float32, operation for operation. With
  ``ATEN_CPU_CAPABILITY=default`` in the environment (read once, at the first
  ``normal_``, as PyTorch reads it), or on a CPU without AVX2+FMA, PyTorch uses
  the scalar kernel with the C library's ``logf``/``cosf``/``sinf`` and so does
  this module (in float64, rounded once: the correctly rounded value, which
  the C library gives);
- smaller or non-contiguous tensors take the serial path: Box-Muller in
  float64 over pairs of 64-bit uniforms, one value of each pair cached in the
  generator for the next serial normal draw (``get_rng_state`` keeps it);
- ``randint``/``random_(from, to)`` reduce one 32-bit draw (or a 64-bit one
  when ``to - from >= 2**28``) modulo the range; ``randperm`` is PyTorch's
  Fisher-Yates swap loop; ``bernoulli_(p)`` compares a float64 uniform with
  ``p``; ``exponential_`` is ``-log1p(-u) / lambd`` of a float64 uniform;
  ``multinomial`` is a binary search of the cumulative sums (with
  replacement) or ``argmax``/``topk`` of ``p / Exp(1)`` (without).

On Intel CPUs, PyTorch's ``bernoulli_`` with a scalar ``p`` (dropout masks)
draws from MKL's MCG31 stream (``viRngBernoulli``) seeded with one 32-bit draw
of the generator; this module always uses PyTorch's default kernel (the one
PyTorch runs on AMD and other CPUs), so on an Intel CPU with an MKL build of
PyTorch those masks differ, while the stream positions of every other draw
still match except for that one call's consumption.

A CUDA tensor gets its numbers drawn here, on the CPU generator, and copied to
the GPU: they are PyTorch's CPU numbers, not those of PyTorch's CUDA generator.
"""
import math
import os

import numpy as np

_DEFAULT_SEED = 67280421310721  # PyTorch's default_rng_seed_val
_N = 624  # MT19937's state size

# PyTorch's CPUGeneratorImplState, the bytes get_rng_state() returns (5056 of them).
_LEGACY_POD = np.dtype([("the_initial_seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8"),
                        ("state", "<u8", (_N,)), ("normal_x", "<f8"), ("normal_y", "<f8"),
                        ("normal_rho", "<f8"), ("normal_is_valid", "<i4")], align=True)
_STATE = np.dtype([("legacy_pod", _LEGACY_POD), ("next_float_normal_sample", "<f4"),
                   ("is_next_float_normal_sample_valid", "u1")], align=True)


def _seed_value(seed):
    """The uint64 seed PyTorch keeps for ``seed`` (negative values wrap, as in PyTorch)."""
    if isinstance(seed, float) and not seed.is_integer() or isinstance(seed, (str, bytes)):
        raise TypeError(f"manual_seed expected an int, but got {type(seed).__name__}")
    seed = int(seed)
    if not -(2**63) <= seed < 2**64:
        raise RuntimeError("Overflow when unpacking long long: seeds must lie in [-2**63, 2**64)")
    return seed % 2**64


def _init_genrand(bits, seed32):
    """Put NumPy's MT19937 ``bits`` in the state of ``init_genrand(seed32)``, as PyTorch's ``mt19937(seed)``."""
    try:
        bits._legacy_seeding(seed32)  # NumPy's own init_genrand (RandomState's seeding), in C
    except AttributeError:  # a NumPy without it: the same recurrence, 623 steps
        key, k = np.empty(_N, np.uint32), seed32
        key[0] = k
        for j in range(1, _N):
            k = (1812433253 * (k ^ (k >> 30)) + j) & 0xFFFFFFFF
            key[j] = k
        bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N}}


class Generator:
    """A random generator with PyTorch's CPU stream: ``Generator().manual_seed(0)``.

    Pass it as ``generator=`` to ``rand``, ``randn``, ``randint``, ``randperm``,
    ``normal_``, ``uniform_``, ``bernoulli``, ``multinomial``, ``nn.init``, ...

    >>> import graphviz_grad as vg
    >>> g = vg.Generator().manual_seed(42)
    >>> g.initial_seed()
    42
    >>> vg.randint(0, 10, (5,), generator=g)
    tensor([2, 7, 6, 4, 6])
    """

    def __init__(self, device="cpu"):
        from .backend import device as _device

        self.device = _device(device)
        self._mt = None  # NumPy's MT19937, made at the first draw (numpy.random is slow to import)
        self._np = None  # a numpy.random.Generator over it, for bulk draws
        self.manual_seed(_DEFAULT_SEED)

    @property
    def _bits(self):
        if self._mt is None:
            self._mt = np.random.MT19937(0)
            _init_genrand(self._mt, self._seed & 0xFFFFFFFF)
        return self._mt

    def __repr__(self):
        return f"<graphviz_grad.Generator object at {id(self):#x}>"

    # --- seeding and state -------------------------------------------------------------------
    def manual_seed(self, seed):
        """Reseed; returns the generator itself (``g = Generator().manual_seed(0)``)."""
        seed = _seed_value(seed)
        self._seed = seed
        if self._mt is not None:  # (else seeded when first made)
            _init_genrand(self._mt, seed & 0xFFFFFFFF)
        self._fresh = True  # PyTorch's just-seeded state: left = 1, next = 0
        self._next_double = None
        self._next_float = None
        return self

    def seed(self):
        """Reseed from the operating system's entropy; returns the new seed (as PyTorch, 53 bits)."""
        import secrets

        s = secrets.randbits(53)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed of the last ``manual_seed``/``seed`` (as a non-negative int)."""
        return self._seed

    def get_state(self):
        """The whole state as PyTorch's bytes: a uint8 tensor of 5056 elements (``set_state`` takes it back)."""
        from ._creation import tensor

        st = np.zeros((), _STATE)
        pod = st["legacy_pod"]
        mt = self._bits.state["state"]
        pos = int(mt["pos"])
        pod["the_initial_seed"] = self._seed
        if self._fresh:
            pod["left"], pod["next"] = 1, 0
        else:
            pod["left"], pod["next"] = (1, _N) if pos == _N else (_N + 1 - pos, pos)
        pod["seeded"] = 1
        pod["state"] = mt["key"]
        if self._next_double is not None:
            pod["normal_is_valid"], pod["normal_y"] = 1, self._next_double
        if self._next_float is not None:
            st["is_next_float_normal_sample_valid"] = 1
            st["next_float_normal_sample"] = self._next_float
        return tensor(np.frombuffer(st.tobytes(), np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from ``get_state()`` (ours or PyTorch's bytes); returns the generator."""
        arr = np.asarray(getattr(new_state, "_data", new_state))
        if hasattr(arr, "get") and not isinstance(arr, np.ndarray):
            arr = arr.get()
        if arr.dtype != np.uint8:
            raise TypeError(f"expected a torch.ByteTensor (uint8 tensor) as the state, but got {arr.dtype}")
        if arr.size != _STATE.itemsize:
            raise RuntimeError(f"RNG state is wrong size: expected {_STATE.itemsize} bytes, got {arr.size}")
        st = np.frombuffer(np.ascontiguousarray(arr).tobytes(), _STATE)[0]
        pod = st["legacy_pod"]
        left, nxt = int(pod["left"]), int(pod["next"])
        if not (pod["seeded"] and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state: use a state from get_rng_state()")
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": pod["state"].astype(np.uint32), "pos": _N if left == 1 else nxt}}
        self._fresh = left == 1 and nxt == 0
        self._seed = int(pod["the_initial_seed"])
        self._next_double = float(pod["normal_y"]) if pod["normal_is_valid"] else None
        self._next_float = (np.float32(st["next_float_normal_sample"])
                            if st["is_next_float_normal_sample_valid"] else None)
        return self

    # --- raw draws ---------------------------------------------------------------------------
    def _draws(self):
        self._fresh = False
        if self._np is None or self._np.bit_generator is not self._bits:
            self._np = np.random.Generator(self._bits)
        return self._np

    def _raw32(self, n):
        """``n`` 32-bit outputs of the engine (PyTorch's ``random()``), as uint32.

        NumPy's full-range ``integers`` of an MT19937 is its raw ``next_uint32``, output for output.
        """
        return self._draws().integers(0, 2**32, size=n, dtype=np.uint32)

    def _raw64(self, n):
        """``n`` 64-bit draws (PyTorch's ``random64()``: two 32-bit outputs, the first in the high half,
        which is NumPy's ``next_uint64`` of an MT19937)."""
        return self._draws().integers(0, 2**64 - 1, size=n, dtype=np.uint64, endpoint=True)


default_generator = Generator()


def _gen(generator):
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a graphviz_grad.Generator, but got {type(generator).__name__}")
    return generator


def manual_seed(seed):
    """Reseed the global generator; returns it. The same seed gives the same tensors as PyTorch's."""
    return default_generator.manual_seed(seed)


def seed():
    """Reseed the global generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed the global generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """The global generator's state (a uint8 tensor, PyTorch's bytes)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the global generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


def generator():
    """The global generator (``default_generator``)."""
    return default_generator


# --- uniforms ------------------------------------------------------------------------------------

_F32_DIV = np.float32(2.0**-24)


def _uniform01(gen, n, np_dtype):
    """``n`` uniforms in [0, 1) as PyTorch draws them for a tensor of ``np_dtype``."""
    if np.dtype(np_dtype) == np.float64:
        return (gen._raw64(n) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53
    r = gen._raw32(n)
    r &= np.uint32(2**24 - 1)
    u = r.astype(np.float32)
    u *= _F32_DIV
    return u


def _shaped(a, shape):
    """``a`` in ``shape``, owning its memory (not a view of a flat buffer: ``save`` stores a tensor's owner)."""
    if a.base is None and a.flags.c_contiguous:
        a.shape = shape
        return a
    return a.reshape(shape).copy()


def _opmath(np_dtype):
    return np.float64 if np.dtype(np_dtype) == np.float64 else np.float32


def uniform(gen, shape, np_dtype, low=0.0, high=1.0):
    """``uniform_(low, high)``: ``u * (high - low) + low`` in the tensor's precision; ``high`` maps to ``low``."""
    n = math.prod(shape)
    op = _opmath(np_dtype)
    lo, hi = op(low), op(high)
    u = _uniform01(gen, n, op)
    if low != 0.0 or high != 1.0:
        u = _mul_add(u, hi - lo, lo, op)  # x * (to - from) + from
    out = u.astype(np_dtype, copy=False)
    to, frm = np.asarray(high).astype(np_dtype), np.asarray(low).astype(np_dtype)
    out[out == to] = frm
    return _shaped(out, shape)


# --- normals ---------------------------------------------------------------------------------------

_capability = None


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_capability():
    """Which of PyTorch's CPU kernels ``normal_`` runs here: ``"avx2"`` or ``"default"``.

    As PyTorch: the ``ATEN_CPU_CAPABILITY`` environment variable, read once
    (``default`` forces the scalar kernel), else the CPU's features (AVX2 and
    FMA give the AVX2 kernel; PyTorch's AVX-512 build sends ``normal_`` to its
    AVX2 kernel too). Not x86-64 (no ``/proc/cpuinfo`` flags): ``default``.
    """
    global _capability
    if _capability is None:
        env = os.environ.get("ATEN_CPU_CAPABILITY", "").strip().lower()
        flags = _cpu_flags()
        has_avx2 = {"avx2", "fma"} <= flags
        _capability = "avx2" if has_avx2 and env not in ("default",) else "default"
    return _capability


def _f32(x):
    return np.float32(x)


# avx_mathfun.h's constants (Cephes), as the float32 values the AVX2 kernel loads
_SQRTHF = _f32(0.707106781186547524)
_LOG_P = [_f32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                            1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                            3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = _f32(-2.12194440e-4), _f32(0.693359375)
_DP1, _DP2, _DP3 = _f32(-0.78515625), _f32(-2.4187564849853515625e-4), _f32(-3.77489497744594108e-8)
_SINCOF = [_f32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COSCOF = [_f32(v) for v in (2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)]
_FOPI = _f32(1.27323954473516)
_ONE, _HALF = _f32(1.0), _f32(0.5)


_SIGN_BIT = np.int32(-2**31)


def _round32(t):
    """float64 ``t`` rounded once to float32, back in float64 (exact): one step of a float32 FMA chain."""
    return t.astype(np.float32).astype(np.float64)


def _horner32(x64, coefs):
    """``(c0 * x + c1) * x + c2 ...`` as float32 FMAs, one rounding per step: float64 ``x`` in, float32 out.

    A float32 FMA is exact in float64 up to its sum, which rounds once there and once more to float32: a
    double rounding that differs from one rounding only in ties that these values do not reach
    (``tests/test_random.py`` compares a million normals with PyTorch's, bit for bit).
    """
    t = x64 * np.float64(coefs[0])
    t += np.float64(coefs[1])
    for c in coefs[2:]:
        t = _round32(t)
        t *= x64
        t += np.float64(c)
    return t.astype(np.float32)


def _fma32(a, b64, c):
    """float32 ``fma(a, b, c)`` for a float32 array ``a``, ``b`` already float64, ``c`` float32 or float64."""
    t = a.astype(np.float64)
    t *= b64
    t += c
    return t.astype(np.float32)


def _log256_ps(x):
    """``log256_ps`` of avx_mathfun.h for positive float32 ``x``, operation for operation.

    PyTorch's build lets GCC contract a multiply feeding an add into one FMA; each such pair is one
    float32 FMA here (:func:`_horner32`, :func:`_fma32`), except where the product is exact in
    float32 (``e * q2``, ``z * 0.5``) and the fused and unfused results are the same.
    """
    # (log256_ps first raises x to the smallest normal float: u1 = 1 - u >= 2**-24 here, so that is a no-op)
    bits = x.view(np.int32)
    e = (bits >> 23).astype(np.float32)
    e -= np.float32(126)  # the exponent, (bits >> 23) - 0x7F, plus one: small integers, exact
    m = bits & np.int32(0x007FFFFF)
    m |= np.int32(0x3F000000)
    x = m.view(np.float32)  # mantissa in [0.5, 1)
    below = (x < _SQRTHF).astype(np.float32)  # (arithmetic, not where=: a random mask makes that slow)
    tmp = x * below
    x -= _ONE
    x += tmp  # x + x - 1 where the mantissa is below sqrt(1/2)
    e -= below
    z = x * x
    y = _horner32(x.astype(np.float64), _LOG_P)
    y *= x
    y = _fma32(y, z.astype(np.float64), (e * _LOG_Q1).astype(np.float64))
    y -= z * _HALF
    x += y
    e *= _LOG_Q2
    x += e
    return x


def _sincos256_ps(x):
    """``sincos256_ps`` of avx_mathfun.h for float32 ``x`` in [0, 2π): (sin, cos), FMAs as :func:`_log256_ps`."""
    j = (x * _FOPI).astype(np.int32)  # truncation, as _mm256_cvttps_epi32
    j += 1
    j &= ~1
    y = j.astype(np.float32)
    x = x + y * _DP1  # y is a small integer: these two products are exact, fused or not
    x += y * _DP2
    x = _fma32(y, np.float64(_DP3), x.astype(np.float64))
    z = x * x
    z64 = z.astype(np.float64)
    c = _horner32(z64, _COSCOF)
    c *= z
    t = c.astype(np.float64)
    t *= z64
    z64 *= 0.5  # exact: z * 0.5 as the kernel computes it, in float64
    t -= z64
    c = t.astype(np.float32)
    c += _ONE
    z64 += z64  # z again
    s = _horner32(z64, _SINCOF)
    s *= z
    x64 = x.astype(np.float64)
    s = _fma32(s, x64, x64)
    sb, cb = s.view(np.int32), c.view(np.int32)
    swap = j << 30
    swap >>= 31  # all ones where bit 1 of j is set: there the cosine polynomial gives the sine (poly_mask's opposite)
    diff = sb ^ cb  # (bit selection, not np.where: a random mask makes that several times slower)
    diff &= swap
    ysin = sb ^ diff  # s, or c where swapped
    cb ^= diff  # c, or s where swapped: the cosine
    sign = j << 29
    sign &= _SIGN_BIT  # x >= 0 here: the sine's sign is bit 2 of j
    ysin ^= sign
    np.subtract(1, j, out=j)  # ~(j - 2) == 1 - j
    j <<= 29
    j &= _SIGN_BIT  # the cosine's sign: bit 2 of ~(j - 2)
    cb ^= j
    return ysin.view(np.float32), c


_TWO_PI_F32 = np.float32(2.0 * math.pi)


def _two_prod(a, b):
    """``a * b`` as ``p + e`` exactly (Dekker's product with Veltkamp's split)."""
    p = a * b
    split = 134217729.0  # 2**27 + 1

    def halves(x):
        t = split * x
        hi = t - (t - x)
        return hi, x - hi

    ah, al = halves(a)
    bh, bl = halves(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _fma(a, b, c, np_dtype):
    """C's ``fma(a, b, c)`` (one rounding) in the tensor's precision: float32 exactly via float64; float64
    via an exact product and a compensated sum (correctly rounded but in rare ties)."""
    if np.dtype(np_dtype) == np.float32:
        return (a.astype(np.float64) * np.float64(np.float32(b)) + np.float64(np.float32(c))).astype(np.float32)
    a = np.asarray(a, np.float64)
    p, e = _two_prod(a, np.float64(b))
    s = p + c
    bb = s - p
    err = (p - (s - bb)) + (c - bb)  # p + c == s + err exactly
    return s + (err + e)


_LIBM = None


def _libm_float():
    """float32 ``logf``, ``cosf``, ``sinf`` over arrays, value for value those of the C library PyTorch calls.

    They come from ``libm`` through ctypes, one call per number (about a microsecond each: this is
    only the ``ATEN_CPU_CAPABILITY=default`` path); without a loadable libm, the correctly rounded
    values (the C library's but for about one value in 250, by one ulp).
    """
    global _LIBM
    if _LIBM is None:
        import ctypes
        import ctypes.util

        try:
            lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
            fns = []
            for name in ("logf", "cosf", "sinf"):
                f = getattr(lib, name)
                f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
                fns.append(lambda x, f=f: np.fromiter(map(f, x.ravel().tolist()), np.float32,
                                                      count=x.size).reshape(x.shape))
            _LIBM = tuple(fns)
        except (OSError, AttributeError):
            _LIBM = tuple(lambda x, f=f: f(x.astype(np.float64)).astype(np.float32) for f in (np.log, np.cos, np.sin))
    return _LIBM


def _libm_log(x):
    """float64 ``log`` of an array, value for value the C library's (which PyTorch's scalar code calls).

    glibc's ``log`` is within 0.52 ulp, so it is the correctly rounded value unless the exact one lies
    within 0.02 ulp of a midpoint between two doubles. The correctly rounded value comes from a long
    double log; the few values near a midpoint (about 1 in 10) are the C library's own, one call each.
    NumPy's float64 ``log`` differs from both in about 1 value in 300.
    """
    exact = np.log(x.astype(np.longdouble))
    out = exact.astype(np.float64)
    ulps = (exact - out) / np.abs(np.spacing(out)).astype(np.longdouble)
    hard = np.abs(np.abs(ulps) - 0.5) < 0.05
    if hard.any():
        out[hard] = np.fromiter(map(math.log, x[hard].tolist()), np.float64)
    return out


def _mul_add(a, b, c, np_dtype):
    """``a * b + c`` as PyTorch's compiled C++ computes it: fused into one FMA in its AVX2/AVX-512 kernels
    (GCC contracts the pair), two roundings in the ``default`` kernel."""
    if cpu_capability() == "default":
        op = np.dtype(np_dtype).type
        return a * op(b) + op(c)
    return _fma(a, b, c, np_dtype)


def _normal_fill16(blocks, mean, std, np_dtype):
    """PyTorch's ``NormalFill16`` on rows of 16 uniforms, in place: Box-Muller pairs (j, j + 8)."""
    u1 = 1 - blocks[:, :8]
    u2 = blocks[:, 8:]
    if np.dtype(np_dtype) == np.float32 and cpu_capability() == "avx2":
        radius = np.sqrt(np.float32(-2.0) * _log256_ps(u1))
        sin, cos = _sincos256_ps(_TWO_PI_F32 * u2)  # (one pass: the strided half in, a contiguous array out)
    elif np.dtype(np_dtype) == np.float32:  # the scalar float kernel: the C library's logf, cosf, sinf
        logf, cosf, sinf = _libm_float()
        radius = np.sqrt(np.float32(-2.0) * logf(u1))
        theta = (2.0 * math.pi * u2.astype(np.float64)).astype(np.float32)
        sin, cos = sinf(theta), cosf(theta)
    else:
        radius = np.sqrt(-2.0 * _libm_log(u1))
        theta = 2.0 * math.pi * u2
        sin, cos = np.sin(theta), np.cos(theta)
    if mean == 0.0 and std == 1.0:
        np.multiply(radius, cos, out=blocks[:, :8])
        np.multiply(radius, sin, out=blocks[:, 8:])
    else:
        blocks[:, :8] = _fma(radius * cos, std, mean, np_dtype)
        blocks[:, 8:] = _fma(radius * sin, std, mean, np_dtype)
    return blocks


def _normal_serial(gen, n, mean, std):
    """``n`` float64 normals from PyTorch's ``normal_distribution<double>`` (Box-Muller with a cached value)."""
    out = np.empty(n, np.float64)
    k = 0
    if n and gen._next_double is not None:
        out[0] = gen._next_double
        gen._next_double = None
        k = 1
    m = n - k
    pairs = (m + 1) // 2
    if pairs:
        u = (gen._raw64(2 * pairs) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53
        u1, u2 = u[0::2], u[1::2]
        if pairs <= 8:  # the C library's functions, as PyTorch's scalar code calls them
            r = [math.sqrt(-2.0 * math.log1p(-b)) for b in u2.tolist()]
            th = [2.0 * math.pi * a for a in u1.tolist()]
            cos = np.array([ri * math.cos(t) for ri, t in zip(r, th)])
            sin = np.array([ri * math.sin(t) for ri, t in zip(r, th)])
        else:
            r = np.sqrt(-2.0 * _log1p(-u2))
            th = 2.0 * math.pi * u1
            cos, sin = r * np.cos(th), r * np.sin(th)
        both = np.empty(2 * pairs)
        both[0::2], both[1::2] = cos, sin
        out[k:] = both[:m]
        if m % 2:
            gen._next_double = float(both[-1])
    return _mul_add(out, std, mean, np.float64) if (mean != 0.0 or std != 1.0) else out


_ROWS = 4096  # blocks of 16 per chunk of normal_fill


def normal(gen, shape, np_dtype, mean=0.0, std=1.0, contiguous=True):
    """``normal_(mean, std)`` of a tensor of ``shape`` and ``np_dtype``, as PyTorch's CPU kernel fills it."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    n = math.prod(shape)
    if n < 16 or not contiguous:
        return _shaped(_normal_serial(gen, n, mean, std).astype(np_dtype), shape)
    op = _opmath(np_dtype)
    data = _uniform01(gen, n, op)
    full = n // 16 * 16
    blocks = data[:full].reshape(-1, 16)
    for k in range(0, len(blocks), _ROWS):  # a chunk at a time: the arrays stay in the CPU's cache
        _normal_fill16(blocks[k:k + _ROWS], mean, std, op)
    if n % 16:
        tail = _uniform01(gen, 16, op).reshape(1, 16)
        data[n - 16:] = _normal_fill16(tail, mean, std, op).ravel()
    return _shaped(data.astype(np_dtype, copy=False), shape)


# --- integers ----------------------------------------------------------------------------------


def random_from_to(gen, shape, np_dtype, low, high):
    """``random_(low, high)``/``randint``: ``r % (high - low) + low``, r of 32 bits (64 when the range is 2**28+)."""
    n = math.prod(shape)
    span = int(high) - int(low)
    r = gen._raw64(n) if span >= 2**28 else gen._raw32(n)
    vals = (r % np.uint64(span)).astype(np.int64) + np.int64(low)
    return _shaped(vals.astype(np_dtype), shape)


_DIGITS = {np.dtype(np.float32): 24, np.dtype(np.float64): 53, np.dtype(np.float16): 11}


def random_full(gen, shape, np_dtype):
    """``random_()``: [0, 2**mantissa] for floats, [0, max] for integers, as PyTorch's ``uniform_int``."""
    n = math.prod(shape)
    d = np.dtype(np_dtype)
    if d == np.bool_:
        return _shaped((gen._raw32(n) & np.uint64(1)).astype(bool), shape)
    wide = d in (np.dtype(np.float64), np.dtype(np.int64))
    r = gen._raw64(n) if wide else gen._raw32(n)
    if d.kind == "f":
        mod = 2 ** _DIGITS[d] + 1
    else:
        mod = int(np.iinfo(d).max) + 1
    return _shaped((r % np.uint64(mod)).astype(d), shape)


def random_full_64(gen, shape, np_dtype):
    """``random_(-2**63, None)``: a whole 64-bit draw as int64."""
    return _shaped(gen._raw64(math.prod(shape)).view(np.int64).astype(np_dtype), shape)


def randperm(gen, n):
    """PyTorch's ``randperm_cpu``: swap ``i`` with ``i + random() % (n - i)`` for each ``i`` (int64)."""
    out = np.arange(n, dtype=np.int64)
    if n < 2:
        return out
    if n >= (2**32 - 1) // 20:  # PyTorch's other branch: the inside-out shuffle on 64-bit draws
        r = gen._raw64(n).tolist()
        for i in range(n):
            z = r[i] % (i + 1)
            out[i] = out[z]
            out[z] = i
        return out
    r = gen._raw32(n - 1)
    z = (r % np.arange(n, 1, -1, dtype=np.uint64)).astype(np.int64).tolist()
    for i, zi in enumerate(z):  # the swaps are sequential (each sees the last): one Python step each
        if zi:
            j = i + zi
            out[i], out[j] = out[j], out[i]
    return out


# --- Bernoulli, exponential, multinomial -------------------------------------------------------


def bernoulli_scalar(gen, shape, np_dtype, p):
    """``bernoulli_(p)`` with a number ``p``: a float64 uniform below ``p`` (PyTorch's default kernel)."""
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    u = _uniform01(gen, math.prod(shape), np.float64)
    return _shaped((u < p).astype(np_dtype), shape)


def bernoulli_tensor(gen, np_dtype, p):
    """``bernoulli_(p)`` with an array ``p`` (already of the output's shape): a uniform of p's precision below p."""
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    pd = np.float64 if p.dtype == np.float64 else np.float32
    u = _uniform01(gen, p.size, pd)
    return _shaped((u < p.astype(pd, copy=False).ravel()).astype(np_dtype), p.shape)


def exponential(gen, shape, np_dtype, lambd=1.0):
    """``exponential_(lambd)``: ``-1 / lambd * log1p(-u)`` of a float64 uniform, rounded to the dtype."""
    u = _uniform01(gen, math.prod(shape), np.float64)
    return _shaped(((-1.0 / lambd) * _log1p(-u)).astype(np_dtype), shape)


def _log1p(x):
    """The C library's ``log1p``, value for value (NumPy's own differs in the last bit of some values)."""
    return np.fromiter(map(math.log1p, x.tolist()), np.float64, count=x.size)


def multinomial(gen, probs, num_samples, replacement=False):
    """PyTorch's CPU ``multinomial`` of a 1-D or 2-D array of weights: int64 indices."""
    rows = probs.reshape(-1, probs.shape[-1]) if probs.ndim else probs.reshape(1, 1)
    n_cat = rows.shape[1]
    if not replacement or num_samples == 1:
        if not (np.isfinite(rows).all() and (rows >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = exponential(gen, rows.shape, rows.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = rows / q
        if num_samples == 1:
            out = np.argmax(q, axis=1)[:, None]
        else:  # topk: largest first; among equal values the lower index first
            out = np.argsort(-q, axis=1, kind="stable")[:, :num_samples]
        return _shaped(out.astype(np.int64), probs.shape[:-1] + (num_samples,))
    out = np.empty((rows.shape[0], num_samples), np.int64)
    for i, row in enumerate(rows):
        if (row < 0).any() or not np.isfinite(row).all():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
        cum = np.cumsum(row)  # sequential sums in the row's precision, as PyTorch's loop
        total = cum[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = cum / total
        cum[-1] = 1
        u = _uniform01(gen, num_samples, np.float64)
        out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return _shaped(out, probs.shape[:-1] + (num_samples,))


def fork_rng(devices=None, enabled=True, **kwargs):
    """A context manager that restores the global generator's state on exit (``torch.random.fork_rng``).

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0)
    >>> with vg.random.fork_rng():
    ...     _ = vg.randn(100)
    >>> vg.rand(1)
    tensor([0.4963])
    """
    import contextlib

    @contextlib.contextmanager
    def fork():
        if not enabled:
            yield
            return
        state = get_rng_state()
        try:
            yield
        finally:
            set_rng_state(state)

    return fork()
