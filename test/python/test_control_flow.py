"""If, Loop and Scan: inlined and unrolled by the frontend, checked against numpy; and the
clear errors for what cannot be unrolled at compile time."""

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln

F32 = TensorProto.FLOAT


def make(nodes, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, "control_flow", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    return model


def test_if_with_run_time_condition_selects_a_branch():
    x = helper.make_tensor_value_info("x", F32, [2, 3])
    then_graph = helper.make_graph([helper.make_node("Mul", ["x", "x"], ["t"])], "then_body", [],
                                   [helper.make_tensor_value_info("t", F32, [2, 3])])
    else_graph = helper.make_graph([helper.make_node("Neg", ["x"], ["e"])], "else_body", [],
                                   [helper.make_tensor_value_info("e", F32, [2, 3])])
    model = make([helper.make_node("If", ["c"], ["y"], then_branch=then_graph,
                                   else_branch=else_graph)],
                 [helper.make_tensor_value_info("c", TensorProto.BOOL, []), x],
                 [helper.make_tensor_value_info("y", F32, [2, 3])])
    m = kiln.compile(model)
    xs = np.arange(6, dtype=np.float32).reshape(2, 3) - 2
    np.testing.assert_array_equal(m.run({"c": np.array(True), "x": xs})["y"], xs * xs)
    np.testing.assert_array_equal(m.run({"c": np.array(False), "x": xs})["y"], -xs)


def loop_model(trip_count_is_input=False):
    """y_final, scan = Loop(M=4): y += x[i] (a slice at the iteration number), scan = y."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Unsqueeze", ["i", "zero"], ["start"]),
         helper.make_node("Add", ["i", "one"], ["end_scalar"]),
         helper.make_node("Unsqueeze", ["end_scalar", "zero"], ["end"]),
         helper.make_node("Slice", ["x", "start", "end"], ["row"]),
         helper.make_node("Add", ["y_in", "row"], ["y_out"]),
         helper.make_node("Identity", ["y_out"], ["scan_out"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_in", F32, [1, 3])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("y_out", F32, [1, 3]),
         helper.make_tensor_value_info("scan_out", F32, [1, 3])],
        [numpy_helper.from_array(np.array([0], np.int64), "zero"),
         numpy_helper.from_array(np.array(1, np.int64), "one")])
    inits = [numpy_helper.from_array(np.array(True), "cond")]
    inputs = [helper.make_tensor_value_info("x", F32, [4, 3]),
              helper.make_tensor_value_info("y0", F32, [1, 3])]
    if trip_count_is_input:
        inputs.append(helper.make_tensor_value_info("M", TensorProto.INT64, []))
    else:
        inits.append(numpy_helper.from_array(np.array(4, np.int64), "M"))
    return make([helper.make_node("Loop", ["M", "cond", "y0"], ["y", "scan"], body=body)],
                inputs, [helper.make_tensor_value_info("y", F32, [1, 3]),
                         helper.make_tensor_value_info("scan", F32, [4, 1, 3])], inits)


def test_loop_with_constant_trip_count_is_unrolled():
    m = kiln.compile(loop_model())
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    y0 = np.ones((1, 3), np.float32)
    got = m.run({"x": x, "y0": y0})
    partial = y0 + np.cumsum(x, axis=0)
    np.testing.assert_allclose(got["y"], partial[-1:], rtol=1e-6)
    np.testing.assert_allclose(got["scan"], partial[:, None, :], rtol=1e-6)


def test_loop_with_run_time_trip_count_is_a_clear_error():
    with pytest.raises(kiln.CompileError, match=r"trip count \(input 'M'\) is computed at run time"):
        kiln.compile(loop_model(trip_count_is_input=True))


@pytest.mark.parametrize("reverse_in,reverse_out,out_axis", [(0, 0, 0), (1, 0, 1), (0, 1, -1)])
def test_scan_accumulates_along_its_axes(reverse_in, reverse_out, out_axis):
    body = helper.make_graph(
        [helper.make_node("Add", ["s_in", "next"], ["s_out"]),
         helper.make_node("Mul", ["s_out", "two"], ["emitted"])],
        "scan_body",
        [helper.make_tensor_value_info("s_in", F32, [2]),
         helper.make_tensor_value_info("next", F32, [2])],
        [helper.make_tensor_value_info("s_out", F32, [2]),
         helper.make_tensor_value_info("emitted", F32, [2])],
        [numpy_helper.from_array(np.array(2, np.float32), "two")])
    model = make([helper.make_node("Scan", ["init", "xs"], ["final", "all"], body=body,
                                   num_scan_inputs=1, scan_input_axes=[1],
                                   scan_input_directions=[reverse_in],
                                   scan_output_directions=[reverse_out],
                                   scan_output_axes=[out_axis])],
                 [helper.make_tensor_value_info("init", F32, [2]),
                  helper.make_tensor_value_info("xs", F32, [2, 5])],
                 [helper.make_tensor_value_info("final", F32, [2]),
                  helper.make_tensor_value_info("all", F32, None)])
    m = kiln.compile(model)
    init = np.array([1, -1], np.float32)
    xs = np.random.default_rng(1).standard_normal((2, 5)).astype(np.float32)
    steps = xs.T[::-1] if reverse_in else xs.T
    states = init + np.cumsum(steps, axis=0)
    emitted = 2 * states
    if reverse_out:
        emitted = emitted[::-1]
    want = np.moveaxis(emitted, 0, out_axis if out_axis >= 0 else emitted.ndim + out_axis)
    got = m.run({"init": init, "xs": xs})
    np.testing.assert_allclose(got["final"], states[-1], rtol=1e-5)
    np.testing.assert_allclose(got["all"], want, rtol=1e-5)



def reshape_branch(name, target):
    """A branch that reshapes x [2, 3] to the run-time shape `target` (declared [3, 2])."""
    return helper.make_graph([helper.make_node("Reshape", ["x", target], [name + "_out"])], name, [],
                             [helper.make_tensor_value_info(name + "_out", F32, [3, 2])])


def test_if_checks_only_the_branch_taken():
    """Both branches run; a failing run-time check in the branch not taken must not fail."""
    model = make([helper.make_node("If", ["c"], ["y"], then_branch=reshape_branch("then", "s"),
                                   else_branch=reshape_branch("else", "t"))],
                 [helper.make_tensor_value_info("c", TensorProto.BOOL, [1]),
                  helper.make_tensor_value_info("x", F32, [2, 3]),
                  helper.make_tensor_value_info("s", TensorProto.INT64, [2]),
                  helper.make_tensor_value_info("t", TensorProto.INT64, [2])],
                 [helper.make_tensor_value_info("y", F32, [3, 2])])
    m = kiln.compile(model)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    good, bad = np.array([3, 2], np.int64), np.array([6, 1], np.int64)
    # The [1]-shaped condition selects as a scalar: y keeps rank 2.
    y = m.run({"c": np.array([True]), "x": x, "s": good, "t": bad})["y"]
    np.testing.assert_array_equal(y, x.reshape(3, 2))
    y = m.run({"c": np.array([False]), "x": x, "s": bad, "t": good})["y"]
    np.testing.assert_array_equal(y, x.reshape(3, 2))
    with pytest.raises(kiln.RuntimeError, match=r"input 's' \(Reshape shape"):
        m.run({"c": np.array([True]), "x": x, "s": bad, "t": good})


def test_loop_without_trip_count_or_condition_runs_into_the_unroll_limit():
    """Loop("", ""): the body's condition is ignored, so the loop never ends (ONNX spec)."""
    body = helper.make_graph(
        [helper.make_node("Constant", [], ["stop"], value=numpy_helper.from_array(np.array(False))),
         helper.make_node("Identity", ["v_in"], ["v_out"])],
        "body", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                 helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                 helper.make_tensor_value_info("v_in", F32, [2])],
        [helper.make_tensor_value_info("stop", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_out", F32, [2])])
    model = make([helper.make_node("Loop", ["", "", "v"], ["w"], body=body)],
                 [helper.make_tensor_value_info("v", F32, [2])],
                 [helper.make_tensor_value_info("w", F32, [2])])
    with pytest.raises(kiln.CompileError, match=r"runs more than 4096 iterations"):
        kiln.compile(model)
