"""ctypes declarations of runtime.h and the loading of model.so files.

Each model.so carries its own runtime and exports the C API of runtime/include/kiln/runtime.h.
Models are opened with RTLD_LOCAL so that several can coexist in one process, and never closed
(unloading code that a live context may still run is not worth the risk).
"""

import ctypes
import os
import shutil
import tempfile
import threading
import weakref

import numpy as np

from ._errors import RuntimeError as KilnRuntimeError
from ._errors import StatusCode

ABI_VERSION = 2

# kiln_dtype -> (numpy dtype, name). numpy has no bfloat16: it travels as its raw uint16 bits.
DTYPES = {
    1: (np.dtype(np.float32), "float32"),
    2: (np.dtype(np.float16), "float16"),
    3: (np.dtype(np.uint16), "bfloat16"),
    4: (np.dtype(np.float64), "float64"),
    5: (np.dtype(np.int8), "int8"),
    6: (np.dtype(np.uint8), "uint8"),
    7: (np.dtype(np.int32), "int32"),
    8: (np.dtype(np.int64), "int64"),
    9: (np.dtype(np.bool_), "bool"),
    10: (np.dtype(np.int16), "int16"),
    11: (np.dtype(np.uint16), "uint16"),
    12: (np.dtype(np.uint32), "uint32"),
    13: (np.dtype(np.uint64), "uint64"),
}

_status_p = ctypes.c_void_p
_context_p = ctypes.c_void_p


class TensorInfoC(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("dim_names", ctypes.POINTER(ctypes.c_char_p))]


class TensorC(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("data", ctypes.c_void_p)]


class ContextOptionsC(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("num_threads", ctypes.c_int32),
                ("thread_affinity", ctypes.c_int32)]


# kiln_thread_affinity, by the names the Python API takes.
THREAD_AFFINITIES = {"auto": 0, "none": 1, "spread": 2}


# Checked in this order: the first one missing is named in the error, so the most
# characteristic symbol comes first.
_SIGNATURES = {
    "kiln_model_abi_version": (ctypes.c_int32, []),
    "kiln_status_get_code": (ctypes.c_int, [_status_p]),
    "kiln_status_get_message": (ctypes.c_char_p, [_status_p]),
    "kiln_status_free": (None, [_status_p]),
    "kiln_model_num_inputs": (ctypes.c_int32, []),
    "kiln_model_num_outputs": (ctypes.c_int32, []),
    "kiln_model_input_info": (_status_p, [ctypes.c_int32, ctypes.POINTER(TensorInfoC)]),
    "kiln_model_output_info": (_status_p, [ctypes.c_int32, ctypes.POINTER(TensorInfoC)]),
    "kiln_model_num_symbols": (ctypes.c_int32, []),
    "kiln_model_symbol_info": (_status_p, [ctypes.c_int32, ctypes.POINTER(ctypes.c_char_p),
                                           ctypes.POINTER(ctypes.c_int64),
                                           ctypes.POINTER(ctypes.c_int64)]),
    "kiln_model_output_shape": (_status_p, [ctypes.POINTER(TensorC), ctypes.c_size_t,
                                            ctypes.c_int32, ctypes.POINTER(ctypes.c_int64)]),
    "kiln_context_options_init_sized": (None, [ctypes.POINTER(ContextOptionsC), ctypes.c_size_t]),
    "kiln_context_create": (_status_p, [ctypes.POINTER(ContextOptionsC),
                                        ctypes.POINTER(_context_p)]),
    "kiln_context_destroy": (None, [_context_p]),
    "kiln_context_num_threads": (ctypes.c_int32, [_context_p]),
    "kiln_context_run": (_status_p, [_context_p, ctypes.POINTER(TensorC), ctypes.c_size_t,
                                     ctypes.POINTER(TensorC), ctypes.c_size_t]),
}


class IOInfo:
    """One model input or output as the model reports it."""

    __slots__ = ("name", "code", "dtype", "dtype_name", "shape", "dim_names")

    def __init__(self, info):
        self.name = info.name.decode("utf-8", "replace")
        self.code = info.dtype
        self.dtype, self.dtype_name = DTYPES.get(info.dtype, (None, f"unknown({info.dtype})"))
        self.shape = tuple(int(info.shape[i]) for i in range(info.rank))
        # Per dim: None when fixed, else its expression in the model's symbols ("seq").
        self.dim_names = tuple(
            info.dim_names[i].decode("utf-8", "replace") if info.dim_names and info.dim_names[i]
            else None for i in range(info.rank))


class Library:
    """A loaded model.so: its C functions and its input/output signature."""

    def __init__(self, path, owned_dir=None):
        self.path = path
        try:
            self._dll = ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
        except OSError as e:
            raise KilnRuntimeError(f"cannot load model '{path}': {e}") from None
        self.fn = _Functions()
        for name, (restype, argtypes) in _SIGNATURES.items():
            try:
                f = getattr(self._dll, name)
            except AttributeError:
                raise KilnRuntimeError(
                    f"'{path}' is not a Kiln model: it does not export {name}") from None
            f.restype, f.argtypes = restype, argtypes
            setattr(self.fn, name, f)
        version = self.fn.kiln_model_abi_version()
        if version != ABI_VERSION:
            raise KilnRuntimeError(f"'{path}' has model ABI version {version}; this kiln "
                                   f"package supports version {ABI_VERSION}")
        self.inputs = self._infos(self.fn.kiln_model_num_inputs(), self.fn.kiln_model_input_info)
        self.outputs = self._infos(self.fn.kiln_model_num_outputs(),
                                   self.fn.kiln_model_output_info)
        self.symbols = {}
        for i in range(max(self.fn.kiln_model_num_symbols(), 0)):
            name, lo, hi = ctypes.c_char_p(), ctypes.c_int64(), ctypes.c_int64()
            self.check(self.fn.kiln_model_symbol_info(i, ctypes.byref(name), ctypes.byref(lo),
                                                      ctypes.byref(hi)))
            self.symbols[name.value.decode("utf-8", "replace")] = (lo.value, hi.value)
        if owned_dir is not None:
            # The file must outlive every Module that may export it; the mapping itself does not
            # need it.
            weakref.finalize(self, shutil.rmtree, owned_dir, True)

    def _infos(self, count, query):
        if count < 0:
            # Malformed metadata: the info query returns the runtime's message for it.
            self.check(query(0, ctypes.byref(TensorInfoC())))
            raise KilnRuntimeError("the model's metadata is malformed")
        infos = []
        for i in range(count):
            info = TensorInfoC()
            self.check(query(i, ctypes.byref(info)))
            infos.append(IOInfo(info))
        return tuple(infos)

    def check(self, status):
        """Raises kiln.RuntimeError for a non-NULL kiln_status, which it frees."""
        if not status:
            return
        try:
            code = self.fn.kiln_status_get_code(status)
            message = self.fn.kiln_status_get_message(status)
        finally:
            self.fn.kiln_status_free(status)
        text = message.decode("utf-8", "replace") if message else "(no message)"
        try:
            code = StatusCode(code)
        except ValueError:
            pass
        raise KilnRuntimeError(text, code)

    def create_context(self, num_threads, thread_affinity="auto"):
        options = ContextOptionsC()
        self.fn.kiln_context_options_init_sized(ctypes.byref(options), ctypes.sizeof(options))
        options.num_threads = num_threads
        options.thread_affinity = THREAD_AFFINITIES[thread_affinity]
        context = _context_p()
        self.check(self.fn.kiln_context_create(ctypes.byref(options), ctypes.byref(context)))
        return context

    def destroy_context(self, context):
        self.fn.kiln_context_destroy(context)


class _Functions:
    pass


_cache_lock = threading.Lock()
_live = {}  # realpath -> (file identity, weakref to its Library)
_named = {}  # realpath -> identity of the file when it was dlopen'ed under that name


def _identity(st):
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def open_library(path, owned_dir=None):
    """Loads the model.so at `path`, sharing the Library of an identical earlier load.

    dlopen hands back the image already loaded under a name even when the file has since been
    replaced (e.g. a model exported again to the same path), and libraries are never unloaded,
    so a file that changed after being loaded by name is loaded from a private copy instead."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"model file '{path}' not found")
    real = os.path.realpath(path)
    ident = _identity(os.stat(real))
    with _cache_lock:
        live = _live.get(real)
        library = live[1]() if live and live[0] == ident else None
        if library is not None:
            return library
        if _named.setdefault(real, ident) == ident:
            library = Library(real, owned_dir)
        else:
            private = tempfile.mkdtemp(prefix="kiln-model-")
            try:
                copy = os.path.join(private, os.path.basename(real))
                shutil.copyfile(real, copy)
                library = Library(copy, private)
            except BaseException:
                shutil.rmtree(private, ignore_errors=True)
                raise
        _live[real] = (ident, weakref.ref(library))
        return library
