// The kl dialect and its ops (declarations generated from LoopOps.td).
#ifndef KILN_IR_LOOP_LOOPDIALECT_H
#define KILN_IR_LOOP_LOOPDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/loop/LoopDialect.h.inc"

#define GET_OP_CLASSES
#include "ir/loop/LoopOps.h.inc"

#endif
