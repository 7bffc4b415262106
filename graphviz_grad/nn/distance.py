"""``nn.CosineSimilarity`` and ``nn.PairwiseDistance``: ``F.cosine_similarity`` and ``F.pairwise_distance`` as
layers.

>>> import graphviz_grad as vg
>>> vg.nn.CosineSimilarity(dim=0)(vg.tensor([1., 0.]), vg.tensor([1., 1.]))
tensor(0.7071)
>>> vg.nn.PairwiseDistance()(vg.tensor([[0., 0.]]), vg.tensor([[3., 4.]]))
tensor([5.0000])
"""
from . import functional as F
from .module import Module


class CosineSimilarity(Module):
    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
