"""Bad inputs and bad models: each raises a clear error naming the input, file, op or node."""

import numpy as np
import pytest

import kiln
import onnx_models


@pytest.fixture(scope="module")
def matmul(compiled):
    return compiled("matmul_add")[0]


def feeds(a_dtype=np.float32, a_shape=(3, 16)):
    return {"a": np.zeros(a_shape, a_dtype), "b": np.zeros((16, 5), np.float32)}


def test_wrong_dtype_names_the_input(matmul):
    with pytest.raises(TypeError, match=r"input 'a' must have dtype float32, got float64"):
        matmul.run(feeds(a_dtype=np.float64))
    with pytest.raises(TypeError, match=r"'a'.*int32"):
        matmul(np.zeros((3, 16), np.int32), np.zeros((16, 5), np.float32))


def test_wrong_shape_names_the_input_and_both_shapes(matmul):
    with pytest.raises(ValueError, match=r"input 'a' must have shape \[3, 16\], got \[16, 3\]"):
        matmul.run(feeds(a_shape=(16, 3)))
    with pytest.raises(ValueError, match=r"'a'.*\[3, 16\].*\[3, 16, 1\]"):
        matmul.run(feeds(a_shape=(3, 16, 1)))


def test_missing_and_unknown_input_names(matmul):
    with pytest.raises(ValueError, match=r"missing input 'b'.*'a', 'b'"):
        matmul.run({"a": np.zeros((3, 16), np.float32)})
    with pytest.raises(ValueError, match=r"unknown input 'c'"):
        matmul.run({**feeds(), "c": np.zeros(1, np.float32)})


def test_wrong_number_of_positional_inputs(matmul):
    with pytest.raises(TypeError, match=r"takes 2 input\(s\).*1 given"):
        matmul(np.zeros((3, 16), np.float32))
    with pytest.raises(TypeError, match=r"3 given"):
        matmul(*feeds().values(), np.zeros(1, np.float32))


def test_runtime_status_becomes_kiln_runtime_error(matmul):
    """Skips the Python-side checks to reach the model's own validation and its kiln_status."""
    with pytest.raises(kiln.RuntimeError) as info:
        matmul._run_arrays([np.zeros((16, 3), np.float32), np.zeros((16, 5), np.float32)])
    assert info.value.code == kiln.StatusCode.INVALID_ARGUMENT
    message = str(info.value)
    assert message and "\n" not in message.strip()


def test_compiling_a_file_that_is_not_onnx(tmp_path):
    path = tmp_path / "notes.onnx"
    path.write_text("this is not an ONNX model\n")
    with pytest.raises(kiln.CompileError, match="notes.onnx"):
        kiln.compile(str(path))


def test_compiling_a_truncated_model(tmp_path):
    model, _ = onnx_models.conv_relu()
    data = model.SerializeToString()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(kiln.CompileError, match="truncated.onnx"):
        kiln.compile(str(path))


def test_compiling_a_missing_file(tmp_path):
    with pytest.raises(kiln.CompileError, match="absent.onnx"):
        kiln.compile(str(tmp_path / "absent.onnx"))


def test_unsupported_ops_are_all_named_with_their_nodes():
    with pytest.raises(kiln.CompileError) as info:
        kiln.compile(onnx_models.unsupported_ops())
    message = str(info.value)
    for op, node in onnx_models.UNSUPPORTED:
        assert op in message and node in message, message


def test_bad_options_are_rejected_before_compiling():
    model, _ = onnx_models.softmax()
    with pytest.raises(ValueError, match="opt_level"):
        kiln.compile(model, opt_level=4)
    with pytest.raises(TypeError, match="model must be"):
        kiln.compile(42)
    with pytest.raises(ValueError, match="form"):
        kiln.emit(model, "bitcode")
