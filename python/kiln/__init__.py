"""Kiln: compile ONNX models ahead of time into self-contained model.so files and run them.

    import kiln
    module = kiln.compile("model.onnx", opt_level=3)    # or an onnx.ModelProto
    probs = module(image)                               # numpy in, numpy out
    module.export("model.so")
    same = kiln.load("model.so")
    tuned = kiln.tune("model.onnx", trials=2000, tuning_db="db.jsonl")   # auto-scheduled
"""

from ._compile import check, compile, emit, tune, tune_report  # noqa: A004 - kiln.compile is the API
from ._errors import CompileError, RuntimeError, StatusCode  # noqa: A004
from ._module import Module, TensorInfo, load

__all__ = ["CompileError", "Module", "RuntimeError", "StatusCode", "TensorInfo", "check", "compile",
           "emit", "load", "tune", "tune_report"]
