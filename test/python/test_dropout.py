"""Dropout at inference: the identity, also in training mode when its ratio is 0 (exporters
emit eval-mode attention dropout that way); a real training-mode dropout is refused."""

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln
from test_control_flow import F32, make

def test_dropout_in_training_mode_with_ratio_zero_is_the_identity():
    """Exporters emit eval-mode attention dropout as Dropout(ratio=0, training_mode=True)."""
    model = make([helper.make_node("Dropout", ["x", "ratio", "training"], ["y", "mask"])],
                 [helper.make_tensor_value_info("x", F32, [2, 3])],
                 [helper.make_tensor_value_info("y", F32, [2, 3]),
                  helper.make_tensor_value_info("mask", TensorProto.BOOL, [2, 3])],
                 [numpy_helper.from_array(np.array(0.0, np.float32), "ratio"),
                  numpy_helper.from_array(np.array(True), "training")])
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    got = kiln.compile(model).run({"x": x})
    np.testing.assert_array_equal(got["y"], x)
    assert got["mask"].all()
    model.graph.initializer[0].CopyFrom(numpy_helper.from_array(np.array(0.5, np.float32), "ratio"))
    with pytest.raises(kiln.CompileError, match="training_mode is true with a non-zero ratio"):
        kiln.compile(model)


def test_training_mode_and_ratio_given_at_run_time_are_checked():
    model = make([helper.make_node("Dropout", ["x", "ratio", "training"], ["y"], name="drop")],
                 [helper.make_tensor_value_info("x", F32, [4]),
                  helper.make_tensor_value_info("ratio", F32, []),
                  helper.make_tensor_value_info("training", TensorProto.BOOL, [])],
                 [helper.make_tensor_value_info("y", F32, [4])])
    m = kiln.compile(model)
    x = np.arange(4, dtype=np.float32)
    for ratio, training in ((0.0, True), (0.5, False)):
        got = m.run({"x": x, "ratio": np.float32(ratio), "training": np.array(training)})["y"]
        np.testing.assert_array_equal(got, x)
    with pytest.raises(kiln.RuntimeError, match=r"training mode needs ratio 0"):
        m.run({"x": x, "ratio": np.float32(0.5), "training": np.array(True)})
