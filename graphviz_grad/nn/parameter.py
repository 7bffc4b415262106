"""``nn.Parameter``: a leaf tensor that a Module registers as one of its weights.

>>> import graphviz_grad as vg
>>> w = vg.nn.Parameter(vg.ones(2))
>>> w
Parameter containing:
tensor([1., 1.], requires_grad=True)
>>> isinstance(w, vg.Tensor), w.is_leaf
(True, True)
"""
import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module parameter: a leaf that requires grad by default.

    It shares memory (and the version counter) with ``data``; nothing is copied.
    """

    # The drawing label a Module gave it (see ``module.label_parameters``); a label
    # set in any other way (``name=``) is the user's and is never overwritten.
    _auto_label = None

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._make(np.empty(0, dtype=np.float32))
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(data) expects a Tensor, but got {type(data).__name__}; "
                "wrap it first, e.g. nn.Parameter(torch.tensor(values))"
            )
        param = cls._make(data._data, data._version)
        if data._name != getattr(data, "_auto_label", None):
            param._name = data._name  # a name the user gave; a module's label is not inherited
        if requires_grad:
            param.requires_grad_(True)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happened in __new__; Tensor.__init__ must not run again

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__
