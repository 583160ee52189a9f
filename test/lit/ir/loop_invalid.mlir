// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @bad_extent() {
  // expected-error @+1 {{loop 'l' has non-positive extent 0}}
  kl.for %i : "l" in 0 {
  }
  return
}

// -----

func.func @bad_kind() {
  // expected-error @+1 {{unknown loop kind 'sideways'}}
  "kl.for"() <{extent = 4 : i64, kind = "sideways", loop_name = "l"}> ({
  ^bb0(%i: index):
    "kl.yield"() : () -> ()
  }) : () -> ()
  return
}

// -----

func.func @bad_body_args() {
  // expected-error @+1 {{body must take one index induction variable}}
  "kl.for"() <{extent = 4 : i64, kind = "serial", loop_name = "l"}> ({
  ^bb0(%i: index, %j: index):
    "kl.yield"() : () -> ()
  }) : () -> ()
  return
}

// -----

func.func @bindings_count(%A: memref<4xf32>) {
  kl.for %i : "l" in 4 {
    // expected-error @+1 {{block 'b' needs one kind and binding per iter var}}
    kl.block "b" [%i] affine_map<(d0) -> (d0, d0)> iter_vars(%v: spatial 4) {
    }
  }
  return
}

// -----

func.func @bindings_dims(%A: memref<4xf32>) {
  kl.for %i : "l" in 4 {
    // expected-error @+1 {{bindings must map exactly the 1 loop vars}}
    kl.block "b" [%i] affine_map<(d0, d1) -> (d0)> iter_vars(%v: spatial 4) {
    }
  }
  return
}

// -----

func.func @bad_domain() {
  kl.for %i : "l" in 4 {
    // expected-error @+1 {{iter var 0 has non-positive domain}}
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%v: spatial 0) {
    }
  }
  return
}

// -----

func.func @bad_iter_kind() {
  kl.for %i : "l" in 4 {
    // expected-error @+1 {{iter var 0 kind must be 0 (spatial) or 1 (reduce)}}
    "kl.block"(%i) <{bindings = affine_map<(d0) -> (d0)>, block_name = "b", domains = array<i64: 4>, iter_kinds = array<i64: 2>}> ({
    }, {
    ^bb0(%v: index):
      "kl.yield"() : () -> ()
    }) : (index) -> ()
  }
  return
}

// -----

func.func @not_a_loop_var(%n: index) {
  kl.for %i : "l" in 4 {
    // expected-error @+1 {{binding operand is not the induction var of an enclosing kl.for}}
    kl.block "b" [%n] affine_map<(d0) -> (d0)> iter_vars(%v: spatial 4) {
    }
  }
  return
}

// -----

func.func @init_args() {
  kl.for %i : "l" in 4 {
    // expected-error @+1 {{regions must take the 1 iter vars as index arguments}}
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%v: reduce 4) init {
    ^bb0(%a: index, %b: index):
    } {
    }
  }
  return
}

// -----

func.func @init_without_reduce() {
  kl.for %i : "l" in 4 {
    // expected-error @+1 {{has an init region but no reduce iter var}}
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%v: spatial 4) init {
    ^bb0(%a: index):
    } {
    }
  }
  return
}

// -----

func.func @bad_iter_var_kind_keyword() {
  kl.for %i : "l" in 4 {
    // expected-error @+1 {{expected 'spatial'}}
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%v: parallel 4) {
    }
  }
  return
}
