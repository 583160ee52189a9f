"""The documented reasons an ONNX backend test does not apply to an inference compiler that
produces a shared object with a tensor-in, tensor-out C ABI. Every test not excluded here
must pass."""

import onnx

# Values drawn from a random generator: no fixed expected output to compare against.
RANDOM_OPS = {"RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
              "Multinomial", "Bernoulli"}
# Ops of the ai.onnx.preview.training domain, and gradient computation.
TRAINING_OPS = {"Gradient", "Adagrad", "Adam", "Momentum"}
NON_TENSOR = {"sequence_type": "sequence", "map_type": "map", "optional_type": "optional",
              "sparse_tensor_type": "sparse tensor"}
# Ops whose inputs or outputs are sequences, maps, optionals or strings by definition.
NON_TENSOR_OPS = {
    "SequenceAt": "sequence", "SequenceConstruct": "sequence", "SequenceEmpty": "sequence",
    "SequenceErase": "sequence", "SequenceInsert": "sequence", "SequenceLength": "sequence",
    "SequenceMap": "sequence", "SplitToSequence": "sequence", "ConcatFromSequence": "sequence",
    "Optional": "optional", "OptionalGetElement": "optional", "OptionalHasElement": "optional",
    "StringNormalizer": "string", "RegexFullMatch": "string", "StringConcat": "string",
    "StringSplit": "string",
}


def _value_kind(type_proto):
    kind = type_proto.WhichOneof("value")
    if kind in NON_TENSOR:
        return NON_TENSOR[kind]
    if kind == "tensor_type" and type_proto.tensor_type.elem_type == onnx.TensorProto.STRING:
        return "string"
    return None


def _graphs(graph):
    yield graph
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                yield from _graphs(attribute.g)
            for g in attribute.graphs:
                yield from _graphs(g)


def not_applicable_reason(model, test_name=""):
    """The reason the test of this model does not apply, or None when it must pass. Training-mode
    Dropout is random, except in the suite's zero-ratio tests, whose output is exact (y = x)."""
    for value in list(model.graph.input) + list(model.graph.output):
        kind = _value_kind(value.type)
        if kind:
            return f"{kind} values at the model boundary ('{value.name}')"
    for graph in _graphs(model.graph):
        for node in graph.node:
            if node.op_type in RANDOM_OPS:
                return f"random op {node.op_type}"
            if node.op_type in TRAINING_OPS or node.domain == "ai.onnx.preview.training":
                return f"training-only op {node.op_type}"
            if (node.op_type == "Dropout" and len(node.input) >= 3 and node.input[2]
                    and "zero_ratio" not in test_name):
                return "Dropout in training mode draws a random mask"
            if node.op_type in NON_TENSOR_OPS:
                return f"{NON_TENSOR_OPS[node.op_type]} op {node.op_type}"
        for value in list(graph.value_info):
            kind = _value_kind(value.type)
            if kind:
                return f"{kind} value '{value.name}'"
    return None
