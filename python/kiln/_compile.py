"""kiln.compile, kiln.emit and kiln.check: the compiler C API (kiln_compiler.h) through _kiln_compiler."""

import os
import shutil
import tempfile

from . import _capi
from ._module import Module

EMIT_FORMS = ("graph", "loop", "llvm", "asm")


def _extension():
    try:
        from . import _kiln_compiler
    except ImportError as e:
        raise ImportError(f"the kiln compiler extension is not available ({e}); kiln.load() "
                          f"still runs models compiled with kilnc") from None
    return _kiln_compiler


def _shape_strings(input_shapes):
    if input_shapes is None:
        return []
    if isinstance(input_shapes, dict):
        return [f"{name}={'x'.join(str(int(d)) for d in shape)}"
                for name, shape in input_shapes.items()]
    return [str(s) for s in input_shapes]


def _range_strings(dim_ranges):
    return [f"{name}={int(lo)}:{int(hi)}" for name, (lo, hi) in (dim_ranges or {}).items()]


def _options(target, opt_level, mcpu, mtriple, input_shapes):
    if isinstance(opt_level, bool) or opt_level not in (0, 1, 2, 3):
        raise ValueError(f"opt_level must be 0, 1, 2 or 3, got {opt_level!r}")
    return dict(target=str(target), opt_level=int(opt_level), mcpu=str(mcpu),
                mtriple=None if mtriple is None else str(mtriple),
                input_shapes=_shape_strings(input_shapes))


def _model_file(model, folder):
    """Returns a path to the ONNX model, serialising an in-memory one into `folder`."""
    if isinstance(model, (str, os.PathLike)):
        return os.fspath(model)
    if isinstance(model, (bytes, bytearray)):
        data = bytes(model)
    elif hasattr(model, "SerializeToString"):  # onnx.ModelProto, without importing onnx
        data = model.SerializeToString()
    else:
        raise TypeError(f"model must be a path, an onnx.ModelProto or serialised bytes, got "
                        f"{type(model).__name__}")
    path = os.path.join(folder, "model.onnx")
    with open(path, "wb") as f:
        f.write(data)
    return path


def compile(model, target="cpu", opt_level=3, mcpu="native", *, mtriple=None,  # noqa: A001
            input_shapes=None, dim_ranges=None, num_threads=0, tuning_db=None,
            conv_layout=None, conv_algorithm=None):
    """Compiles an ONNX model (a path, an onnx.ModelProto or its bytes) and loads it.

    Symbolic dimensions stay symbolic: the Module runs at every size in each one's range,
    dim_ranges={"seq": (1, 512)} (default 1..128 each; Module.symbols lists them).
    input_shapes specialises them instead: {"input": (1, 3, 224, 224)} or
    ["input=1x3x224x224"]. num_threads is for the returned Module's context (<= 0: all
    cores). tuning_db: a tuning database (see kiln.tune) whose fastest schedule each kernel
    with a record uses. conv_layout: "nhwc" (the default: convolutions run channels last) or
    "nchw". conv_algorithm: how 3x3 stride-1 convolutions run: "auto" (the default: direct
    or by Winograd, whichever tuning_db's records found faster; direct without one), "direct"
    or "winograd". Raises kiln.CompileError with the compiler's message when the model is rejected.
    The .so lives in a temporary folder until the Module is gone; Module.export()
    keeps it."""
    ext = _extension()
    options = _options(target, opt_level, mcpu, mtriple, input_shapes)
    if tuning_db is not None:
        options["tuning_db"] = os.fspath(tuning_db)
    if dim_ranges:
        options["dim_ranges"] = _range_strings(dim_ranges)
    if conv_layout is not None:
        options["conv_layout"] = conv_layout
    if conv_algorithm is not None:
        options["conv_algorithm"] = conv_algorithm
    folder = tempfile.mkdtemp(prefix="kiln-compile-")
    try:
        source = _model_file(model, folder)
        output = os.path.join(folder, "model.so")
        ext.compile_file(source, output, **options)
        if os.path.dirname(source) == folder:
            os.unlink(source)
        library = _capi.open_library(output, owned_dir=folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Module(library, num_threads)


def tune(model, trials=1000, tuning_db=None, *, trials_per_task=0, num_threads=0,
         tune_threads=0, progress=True, seed=0, mcpu="native", input_shapes=None,
         dim_ranges=None, conv_layout=None, conv_algorithm=None):
    """Tunes every task of an ONNX model, appending each measured schedule to tuning_db (a
    JSON-lines file, created when missing), then compiles with the fastest ones and returns
    the Module, like `kilnc --tune --trials N --tuning-db DB`.

    trials counts every search trial in tuning_db for the model's tasks, so a rerun resumes
    where an interrupted one stopped. tune_threads: threads candidates are timed with (0: all
    cores); num_threads: the returned Module's. The per-task table is printed to stdout, the
    live progress (when progress) to stderr. Ctrl-C stops tuning with every record kept and
    raises KeyboardInterrupt. input_shapes, dim_ranges, conv_layout and conv_algorithm as for
    kiln.compile (symbolic dims' kernels are tuned at the range maxima; records of one
    conv_layout do not apply to the other's kernels; with conv_algorithm "auto" each 3x3
    convolution's direct and Winograd forms are tuned side by side)."""
    if tuning_db is None:
        raise ValueError("kiln.tune needs a tuning_db path to keep its records in")
    if isinstance(trials, bool) or int(trials) < 0:
        raise ValueError(f"trials must be a non-negative integer, got {trials!r}")
    ext = _extension()
    folder = tempfile.mkdtemp(prefix="kiln-tune-")
    try:
        source = _model_file(model, folder)
        report, interrupted = ext.tune(source, os.fspath(tuning_db), trials=int(trials),
                                       trials_per_task=int(trials_per_task),
                                       threads=int(tune_threads), progress=bool(progress),
                                       seed=int(seed), mcpu=str(mcpu),
                                       input_shapes=_shape_strings(input_shapes),
                                       dim_ranges=_range_strings(dim_ranges),
                                       conv_layout=conv_layout,
                                       conv_algorithm=conv_algorithm)
        print(report, end="")
        if interrupted:
            raise KeyboardInterrupt(f"tuning interrupted; every record so far is in {tuning_db}")
        return compile(source, mcpu=mcpu, input_shapes=input_shapes, dim_ranges=dim_ranges,
                       num_threads=num_threads, tuning_db=tuning_db, conv_layout=conv_layout,
                       conv_algorithm=conv_algorithm)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def tune_report(tuning_db, output_path):
    """Draws the tuning curves of tuning_db (best latency against trials, per task and end to
    end) to an HTML page, or only the end-to-end chart when output_path ends in .svg."""
    _extension().tune_report(os.fspath(tuning_db), os.fspath(output_path))


def emit(model, form="graph", target="cpu", opt_level=3, mcpu="native", *, mtriple=None,
         input_shapes=None):
    """Returns an intermediate form of the compiled model as text: "graph" (kg dialect),
    "loop" (kl dialect), "llvm" (LLVM IR) or "asm"."""
    if form not in EMIT_FORMS:
        raise ValueError(f"form must be one of {', '.join(EMIT_FORMS)}, got {form!r}")
    ext = _extension()
    options = _options(target, opt_level, mcpu, mtriple, input_shapes)
    folder = tempfile.mkdtemp(prefix="kiln-emit-")
    try:
        return ext.compile_emit(_model_file(model, folder), form, **options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check(model, *, input_shapes=None):
    """The preflight of `kilnc --check`: a list of every unsupported op and shape problem of
    the model (a path, an onnx.ModelProto or its bytes), one string each, without compiling.
    An empty list means the model compiles."""
    ext = _extension()
    folder = tempfile.mkdtemp(prefix="kiln-check-")
    try:
        return ext.compile_check(_model_file(model, folder),
                                 input_shapes=_shape_strings(input_shapes))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
