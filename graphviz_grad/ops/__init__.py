"""One class per op: ``forward`` and ``backward`` on arrays, plus the text of its local derivative.

Adding an op means adding a class here and one line in the op tests.
"""
from .arithmetic import Add, Div, Maximum, Minimum, Mul, Neg, Pow, PowTensor, Sub
from .conv import Col2Im, Conv, ConvTranspose, Im2Col
from .compare import BitwiseAnd, BitwiseNot, BitwiseOr, BitwiseXor, Eq, Ge, Gt, Le, LogicalNot, Lt, Ne
from .matmul import Matmul, Mm
from .nn_ops import CrossEntropy, L1Loss, Linear, MseLoss
from .pool import AdaptiveAvgPool, AdaptiveMaxPool, AvgPool, ConstantPad, MaxPool, MaxUnpool, Pad
from .reduce import Max, MaxDim, Mean, Min, MinDim, Sum
from .shape import (Cat, Clone, Copy, Expand, Flatten, Index, Permute, Reshape, SetItem, Squeeze, Stack,
                    ToCopy, ToIntegral, Transpose, Unsqueeze, Where)
from .softmax import LogSoftmax, Softmax
from .unary import Abs, Clamp, Exp, Log, Log10, Relu, Sigmoid, Sqrt, Tanh
# the lessons after the tutorial (makemore, GPT)
from .einsum import Einsum
from .indexing import Gather, IndexAdd, IndexSelect, MaskedFill, Scatter, ScatterAdd, ScatterValue, Tril, Triu
from .reduce import Amax, Amin, Cumsum, LogSumExp, Prod, Std, Var, VectorNorm
from .special import Cos, Erf, Gelu, LeakyRelu, Log1p, Reciprocal, Rsqrt, Silu, Sin, Softplus

ALL_OPS = (
    Add, Sub, Mul, Div, Neg, Pow, PowTensor, Maximum, Minimum, Mm, Matmul, Linear, MseLoss,
    L1Loss, CrossEntropy, Sum, Mean, Max, Min, MaxDim, MinDim, Reshape, Flatten, Transpose,
    Permute, Expand, Squeeze, Unsqueeze, Index, SetItem, Cat, Stack, Clone, Copy, ToCopy, ToIntegral,
    Where, Softmax, LogSoftmax, Abs, Clamp, Exp, Log, Relu, Sigmoid, Sqrt, Tanh, Eq, Ne, Lt, Le,
    Gt, Ge, LogicalNot, BitwiseNot, BitwiseAnd, BitwiseOr, BitwiseXor,
    Conv, MaxPool, AvgPool, AdaptiveAvgPool, AdaptiveMaxPool, ConstantPad,
)

# the layers with state (nn.Embedding, nn.LayerNorm, nn.BatchNorm*d)
from .layers import BatchNorm, BatchNormAffine, Embedding, LayerNorm, LayerNormAffine  # noqa: E402

ALL_OPS += (Embedding, LayerNorm, LayerNormAffine, BatchNorm, BatchNormAffine)
LESSON_OPS = (
    Amax, Amin, Var, Std, LogSumExp, Prod, Cumsum, Gather, IndexSelect, Scatter, ScatterAdd, ScatterValue, IndexAdd,
    MaskedFill, Tril, Triu, Einsum, Sin, Cos, Erf, Gelu, Softplus, LeakyRelu, Silu, Log1p, Rsqrt, Reciprocal,
    Log10, VectorNorm,
)
ALL_OPS += LESSON_OPS

# more shape ops: unbind, split, chunk, repeat, flip, roll, bmm, diag
from .shape_more import Bmm, Diag, Flip, Repeat, Roll, Split, SplitWithSizes, Unbind  # noqa: E402

SHAPE_MORE_OPS = (Unbind, Split, SplitWithSizes, Repeat, Flip, Roll, Bmm, Diag)
ALL_OPS += SHAPE_MORE_OPS

# sorting, running products and numeric clean-ups (sort, topk, cumprod, nan_to_num, logit)
from .cumulative import Cumprod  # noqa: E402
from .numeric import Logit, NanToNum  # noqa: E402
from .sorting import Sort, Topk  # noqa: E402

ALL_OPS += (Sort, Topk, Cumprod, NanToNum, Logit)

# the 60-minute blitz and its neighbours
from .elementwise_more import (BinaryCrossEntropy, Ceil, Exp2, Floor, Fmod, Frac, Remainder, Round,  # noqa: E402
                               Sign, Trunc)

BLITZ_OPS = (Sign, Floor, Ceil, Round, Trunc, Frac, Exp2, Fmod, Remainder, BinaryCrossEntropy)
ALL_OPS += BLITZ_OPS

# the image-model layers after the blitz CNN (autoencoders, GANs, U-Nets, super-resolution)
from .upsample import PixelShuffle, PixelUnshuffle, Upsample  # noqa: E402

CONV_MORE_OPS = (ConvTranspose, Im2Col, Col2Im, Pad, PixelShuffle, PixelUnshuffle, Upsample, MaxUnpool)
ALL_OPS += CONV_MORE_OPS

# the node a module's backward hooks hang on (nn.Module.register_full_backward_hook)
from .module_hooks import BackwardHook  # noqa: E402

ALL_OPS += (BackwardHook,)

# more activations (nn.Hardswish, Mish, LogSigmoid, GLU, PReLU, ...) and nn.GroupNorm
from .activations import (Glu, Hardshrink, Hardsigmoid, Hardswish, LogSigmoid, Mish, Prelu, Softshrink,  # noqa: E402
                          Threshold)

from .layers import GroupNorm, GroupNormAffine  # noqa: E402

ACTIVATION_OPS = (Hardsigmoid, Hardswish, Mish, LogSigmoid, Softshrink, Hardshrink, Threshold, Glu, Prelu,
                  GroupNorm, GroupNormAffine)
ALL_OPS += ACTIVATION_OPS

# attention (F.scaled_dot_product_attention, nn.MultiheadAttention, nn.TransformerEncoderLayer)
from .attention import ScaledDotProductAttention  # noqa: E402

ALL_OPS += (ScaledDotProductAttention,)

# more math (median, quantile, atan2, cross, inverse, det, cdist, unfold, ...)
from .binary_more import (Atan2, Copysign, Deg2rad, FloorDivide, Heaviside, Hypot, Lerp, Logaddexp,  # noqa: E402
                          Logaddexp2, Rad2deg, Xlogy)
from .linalg_ops import Cdist, Cross, Det, Dist, Inverse  # noqa: E402
from .reduce import Nansum  # noqa: E402
from .selection import Cummax, Cummin, Logcumsumexp, Median, MedianDim, Mode  # noqa: E402
from .shape_more import BlockDiag, Diagonal, Unfold  # noqa: E402

MATH_MORE_OPS = (Atan2, Hypot, Logaddexp, Logaddexp2, Xlogy, Copysign, Lerp, Heaviside, FloorDivide, Deg2rad,
                 Rad2deg, Median, MedianDim, Mode, Cummax, Cummin, Logcumsumexp, Inverse, Det, Cross, Dist, Cdist,
                 Diagonal, Unfold, BlockDiag, Nansum)
ALL_OPS += MATH_MORE_OPS
