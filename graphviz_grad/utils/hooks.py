"""``utils.hooks.RemovableHandle``: what registering a hook returns, as ``torch.utils.hooks``.

>>> import graphviz_grad as vg
>>> layer = vg.nn.Identity()
>>> handle = layer.register_forward_hook(lambda module, args, output: output + 1)
>>> layer(vg.ones(2))
tensor([2., 2.])
>>> handle.remove()
>>> len(layer._forward_hooks)
0
"""
import weakref


class RemovableHandle:
    """Removes hook ``id`` from ``hooks_dict`` (and from ``extra_dict``, a dict or a list of dicts) on
    ``remove()``; a context manager that removes it on exit. Holds the dicts weakly, as PyTorch's."""

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict or ())

    def remove(self):
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None:
                hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
