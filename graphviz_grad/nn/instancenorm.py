"""``nn.InstanceNorm1d`` and ``nn.InstanceNorm2d``: normalize each channel of each sample over its own
spatial dims (style transfer, GAN generators), by ``F.instance_norm``; by default without a weight and
without running statistics, as PyTorch's.

>>> import graphviz_grad as vg
>>> norm = vg.nn.InstanceNorm2d(3, affine=True)
>>> norm
InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=False)
>>> norm(vg.randn(2, 3, 4, 4)).shape
graphviz_grad.Size([2, 3, 4, 4])
"""
from .._warnings import warn_user as _warn
from . import functional as F
from .batchnorm import _BatchNorm


class _InstanceNorm(_BatchNorm):
    _no_batch_dim = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        # PyTorch's _InstanceNorm.forward, step for step (num_batches_tracked is never counted).
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            _warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this warning by "
                  "not passing in num_features, which is not used because affine=False")
        if input.dim() == self._no_batch_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance norm of (N, C, L) or (C, L) inputs: each channel of each sample over L."""

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class InstanceNorm2d(_InstanceNorm):
    """Instance norm of (N, C, H, W) or (C, H, W) images: each channel of each sample over H, W."""

    _no_batch_dim = 3

    def _check_input_dim(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"expected 3D or 4D input (got {input.dim()}D input)")
