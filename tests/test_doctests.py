"""The examples in the package's docstrings run and print what they say (DESIGN: docstrings with runnable examples)."""
import doctest
import importlib
import pkgutil

import pytest

import graphviz_grad


def _modules():
    import graphviz_grad.cli  # mapped from cli/ when installed (and in the editable install)

    for package in (graphviz_grad, graphviz_grad.cli):
        for _, name, _ in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".examples." not in name and name != "graphviz_grad.cli.__main__":  # (run whole elsewhere)
                yield name


MODULES = sorted(set(_modules()))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:  # graphviz_grad.cli is mapped from cli/ when installed
        pytest.skip(str(error))
    tests = [t for t in doctest.DocTestFinder().find(module, name) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL)
    for test in tests:
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} docstring example(s) of {name} failed (run with -s to see them)"
