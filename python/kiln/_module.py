"""kiln.Module: runs a compiled model.so on numpy arrays through its C API (runtime.h)."""

import ctypes
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Mapping
from typing import NamedTuple, Optional, Tuple

import numpy as np

from . import _capi


class TensorInfo(NamedTuple):
    """A model input or output: ONNX value name, numpy dtype (uint16 bits for bfloat16), shape
    (-1 for a symbolic dim) and, per dim, None or the symbolic dim's expression ("seq")."""

    name: str
    dtype: Optional[np.dtype]
    shape: Tuple[int, ...]
    dim_names: Tuple[Optional[str], ...] = ()


def _public(info):
    return TensorInfo(info.name, info.dtype, info.shape, info.dim_names)


def _format_shape(shape):
    return "[" + ", ".join("?" if d < 0 else str(d) for d in shape) + "]"


def _shape_matches(expected, actual):
    # A negative dimension is one the model left symbolic: any size fits it.
    return len(expected) == len(actual) and all(e < 0 or e == a for e, a in zip(expected, actual))


class Module:
    """A compiled model, loaded in this process.

    Create one with kiln.compile() or kiln.load(). Inputs are numpy arrays (other array-likes
    are converted to the input's dtype); an ndarray of the wrong dtype raises TypeError and one
    of the wrong shape, or a missing or unknown input name, raises ValueError, each naming the
    input. Failures reported by the model raise kiln.RuntimeError.

    Thread safety: a Module owns one kiln_context (one workspace and thread pool), which is not
    thread-safe, so calls on one Module from several threads are serialised by a lock. To run
    in parallel, give each thread its own Module (kiln.load the same file again: the code is
    shared, each Module has its own context).
    """

    def __init__(self, library, num_threads=0, thread_affinity="auto"):
        """Internal: use kiln.load() or kiln.compile()."""
        if num_threads is None:
            num_threads = 0
        if isinstance(num_threads, bool) or not isinstance(num_threads, int):
            raise TypeError(f"num_threads must be an int, got {type(num_threads).__name__}")
        if thread_affinity not in _capi.THREAD_AFFINITIES:
            raise ValueError(f"thread_affinity must be one of "
                             f"{', '.join(_capi.THREAD_AFFINITIES)}, got {thread_affinity!r}")
        self._lib = library
        self._in = library.inputs
        self._out = library.outputs
        self._in_index = {info.name: i for i, info in enumerate(self._in)}
        self._lock = threading.Lock()
        self._context = library.create_context(num_threads, thread_affinity)
        self._finalizer = weakref.finalize(self, library.destroy_context, self._context)

    # -- metadata -------------------------------------------------------------------------

    @property
    def inputs(self):
        """Tuple of TensorInfo(name, dtype, shape), in the model's input order."""
        return tuple(_public(i) for i in self._in)

    @property
    def outputs(self):
        """Tuple of TensorInfo(name, dtype, shape), in the model's output order."""
        return tuple(_public(o) for o in self._out)

    @property
    def symbols(self):
        """{name: (min, max)}: the symbolic dims the model runs at any size of."""
        return dict(self._lib.symbols)

    @property
    def path(self):
        """The model.so this Module runs (a temporary file for kiln.compile() results)."""
        return self._lib.path

    @property
    def num_threads(self):
        """Threads the context runs on, including the caller's."""
        with self._lock:
            self._check_open()
            return int(self._lib.fn.kiln_context_num_threads(self._context))

    # -- running --------------------------------------------------------------------------

    def run(self, inputs):
        """Runs the model on {input name: array} and returns {output name: array}."""
        if not isinstance(inputs, Mapping):
            raise TypeError(f"run() takes a mapping of input name to array, got "
                            f"{type(inputs).__name__}")
        for name in inputs:
            if name not in self._in_index:
                raise ValueError(f"unknown input '{name}'; the model's inputs are "
                                 f"{self._names(self._in)}")
        missing = [info.name for info in self._in if info.name not in inputs]
        if missing:
            raise ValueError(f"missing input '{missing[0]}'; the model's inputs are "
                             f"{self._names(self._in)}")
        arrays = [self._convert(info, inputs[info.name]) for info in self._in]
        results = self._run_arrays(arrays)
        return {info.name: r for info, r in zip(self._out, results)}

    def __call__(self, *args, **kwargs):
        """Runs the model on inputs given in model order (or by name) and returns the single
        output, or a tuple of outputs in model order."""
        if len(args) > len(self._in):
            raise TypeError(f"the model takes {len(self._in)} input(s) "
                            f"{self._names(self._in)}, {len(args)} given")
        feed = {info.name: a for info, a in zip(self._in, args)}
        for name, value in kwargs.items():
            if name in feed:
                raise TypeError(f"input '{name}' given both by position and by name")
            feed[name] = value
        if len(feed) < len(self._in) and not kwargs:
            raise TypeError(f"the model takes {len(self._in)} input(s) "
                            f"{self._names(self._in)}, {len(args)} given")
        results = tuple(self.run(feed).values())
        return results[0] if len(results) == 1 else results

    def _convert(self, info, value):
        if info.dtype is None:
            raise TypeError(f"input '{info.name}' has dtype {info.dtype_name}, which numpy "
                            f"cannot represent")
        if isinstance(value, np.ndarray):
            if value.dtype != info.dtype:
                raise TypeError(f"input '{info.name}' must have dtype {info.dtype_name}, got "
                                f"{value.dtype}")
        else:
            try:
                value = np.asarray(value, dtype=info.dtype)
            except (TypeError, ValueError) as e:
                raise TypeError(f"input '{info.name}': cannot convert {type(value).__name__} "
                                f"to {info.dtype_name}: {e}") from None
        if not _shape_matches(info.shape, value.shape):
            raise ValueError(f"input '{info.name}' must have shape {_format_shape(info.shape)}, "
                             f"got {_format_shape(value.shape)}")
        if not (value.flags.c_contiguous and value.flags.aligned):
            value = value.copy(order="C")
        return value

    def _run_arrays(self, arrays):
        """Runs on already-validated arrays, leaving every check to the model (tests use this
        to reach the runtime's own validation)."""
        keep = []  # ctypes shape arrays must outlive the call

        def describe(tensor, code, array):
            shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
            keep.append(shape)
            tensor.dtype, tensor.rank = code, array.ndim
            tensor.shape = ctypes.cast(shape, ctypes.POINTER(ctypes.c_int64))
            tensor.data = array.ctypes.data

        ins = (_capi.TensorC * max(len(arrays), 1))()
        for t, info, a in zip(ins, self._in, arrays):
            describe(t, info.code, a)
        results = []
        for j, o in enumerate(self._out):
            if o.dtype is None:
                raise TypeError(f"output '{o.name}' ({o.dtype_name}{_format_shape(o.shape)}) "
                                f"cannot be allocated as a numpy array")
            shape = o.shape
            if any(d < 0 for d in shape):  # symbolic: the inputs decide
                sizes = (ctypes.c_int64 * max(len(shape), 1))()
                self._lib.check(self._lib.fn.kiln_model_output_shape(ins, len(arrays), j, sizes))
                shape = tuple(sizes[i] for i in range(len(shape)))
            results.append(np.empty(shape, dtype=o.dtype))
        outs = (_capi.TensorC * max(len(results), 1))()
        for t, info, r in zip(outs, self._out, results):
            describe(t, info.code, r)
        with self._lock:
            self._check_open()
            # ctypes releases the GIL here, so Modules on other threads run concurrently.
            status = self._lib.fn.kiln_context_run(self._context, ins, len(arrays), outs,
                                                   len(results))
        self._lib.check(status)
        return results

    # -- lifetime -------------------------------------------------------------------------

    def export(self, path):
        """Copies the model.so to `path` (atomically: a reader never sees a partial file)."""
        path = os.fspath(path)
        if os.path.exists(path) and os.path.samefile(path, self._lib.path):
            return
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".kiln-export-", suffix=".so", dir=folder)
        try:
            with os.fdopen(fd, "wb") as dst, open(self._lib.path, "rb") as src:
                shutil.copyfileobj(src, dst)
            shutil.copymode(self._lib.path, tmp)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def close(self):
        """Destroys the context now rather than when the Module is garbage collected."""
        with self._lock:
            self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _check_open(self):
        if not self._finalizer.alive:
            raise ValueError("the Module is closed")

    @staticmethod
    def _names(infos):
        return "[" + ", ".join(f"'{i.name}'" for i in infos) + "]"

    def __repr__(self):
        def sig(infos):
            return ", ".join(f"{i.name}: {i.dtype_name}{_format_shape(i.shape)}" for i in infos)
        return f"<kiln.Module {self._lib.path!r} ({sig(self._in)}) -> ({sig(self._out)})>"


def load(path, num_threads=0, thread_affinity="auto"):
    """Loads a model.so written by kilnc or Module.export(). `num_threads` <= 0 uses all
    cores. `thread_affinity`: "auto" pins the worker threads (never the caller) when there is
    one thread per CPU, "none" leaves them to the OS, "spread" always pins. Loading the same
    file again shares its code and gives the new Module its own context."""
    return Module(_capi.open_library(path), num_threads, thread_affinity)
