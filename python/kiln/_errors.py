"""The exceptions the kiln package raises for compiler and runtime failures."""

import builtins
import enum


class StatusCode(enum.IntEnum):
    """kiln_status_code from runtime.h."""

    OK = 0
    INVALID_ARGUMENT = 1
    OUT_OF_MEMORY = 2
    OUT_OF_RANGE = 3
    INTERNAL = 4


class CompileError(Exception):
    """The compiler rejected a model; the message names the file, node, op or shape at fault."""


class RuntimeError(builtins.RuntimeError):  # noqa: A001 - kiln.RuntimeError by design
    """A compiled model returned a non-NULL kiln_status, or a file is not a loadable model.

    `code` is the StatusCode (None when the failure happened before the model could run, e.g.
    the file is not a Kiln model)."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code
