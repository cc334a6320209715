"""The component's matrix products through numpy's BLAS rather than BLIS.

thinc's ``NumpyOps`` multiplies matrices with the ``blis`` package by default. On the CPUs
measured here (docs/benchmarks.md) numpy's own BLAS (OpenBLAS in the numpy wheels) does a
(8192 x 288) x (288 x 288) product three times faster on one thread. ``NumpyOps(use_blis=False)``
is thinc's own switch to it: only ``gemm`` reads it (the LSTM and maxout kernels are thinc's
Cython either way). :func:`use_numpy_blas` puts such an ops on every node of the component's
model that has plain ``NumpyOps``, as ``Model.to_cpu`` does for a device; a GPU's ops
(``CupyOps``) and other CPU backends (``AppleOps``, which has its own BLAS) are left as they are,
and so are the other pipes of the pipeline.
"""
from thinc.api import Model, NumpyOps

_NUMPY_BLAS = NumpyOps(use_blis=False)


def use_numpy_blas(model: Model) -> int:
    """Give every node of ``model`` on plain BLIS ``NumpyOps`` the ops that multiply with
    numpy's BLAS; return how many nodes changed."""
    changed = 0
    for node in model.walk():
        ops = node.ops
        if type(ops) is NumpyOps and getattr(ops, "use_blis", False):
            node.ops = _NUMPY_BLAS
            changed += 1
    return changed


__all__ = ["use_numpy_blas"]
