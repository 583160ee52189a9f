#!/usr/bin/env node
// Times an ONNX model with onnxruntime-node on CPU (batch 1) and prints one JSON object.
//
// Usage: node bench/ort_bench.js MODEL.onnx [--threads N] [--iters N] [--warmup N]
//          [--input NAME=FILE.npy]... [--output-dir DIR] [--profile FILE.json]
// Inputs not given as .npy files are filled with seeded random values; symbolic dimensions are
// taken as 1. --output-dir writes each output as DIR/<name>.npy (float32 only), which lets the
// same script serve as a reference runner. Latencies are wall-clock per session.run(), in ms.
// --profile writes onnxruntime's own per-node trace of the timed runs (its enableProfiling
// JSON) to FILE.json, for bench/layer_profile.py.
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function usage(message) {
  process.stderr.write(`ort_bench: error: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = {model: null, threads: 1, iters: 100, warmup: 10, inputs: {}, outputDir: null,
                profile: null};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    const count = (name, v, min) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) {
        usage(`${name} must be an integer >= ${min}, got '${v}'`);
      }
      return n;
    };
    if (a === '--threads') args.threads = count(a, value(), 1);
    else if (a === '--iters') args.iters = count(a, value(), 1);
    else if (a === '--warmup') args.warmup = count(a, value(), 0);
    else if (a === '--output-dir') args.outputDir = value();
    else if (a === '--profile') args.profile = value();
    else if (a === '--input') {
      const v = value();
      const eq = v.indexOf('=');
      if (eq <= 0) usage(`--input expects NAME=FILE.npy, got '${v}'`);
      args.inputs[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (a.startsWith('-')) usage(`unknown option '${a}'`);
    else if (args.model === null) args.model = a;
    else usage(`unexpected argument '${a}'`);
  }
  if (args.model === null) usage('no model given');
  return args;
}

const NPY_TYPES = {'<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array],
                   '<i4': ['int32', Int32Array]};

// Reads a C-order little-endian .npy (format 1.x/2.x) of float32, int32 or int64.
function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') {
    usage(`${file}: not a .npy file`);
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || fortran || !(descr[1] in NPY_TYPES)) {
    usage(`${file}: unsupported .npy header ${header.trim()}`);
  }
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const [type, Ctor] = NPY_TYPES[descr[1]];
  const body = buf.subarray(start + headerLen);
  const data = new Ctor(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
  return new ort.Tensor(type, data, dims);
}

function writeNpy(file, tensor) {
  if (tensor.type !== 'float32') usage(`cannot write ${tensor.type} output to ${file}`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
}

// Deterministic values in [-1, 1): timings should not depend on the run.
function randomTensor(meta) {
  const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const size = dims.reduce((a, b) => a * b, 1);
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2147483648 - 1;
  };
  if (meta.type === 'float32') {
    return new ort.Tensor('float32', Float32Array.from({length: size}, next), dims);
  }
  if (meta.type === 'int64') return new ort.Tensor('int64', new BigInt64Array(size), dims);
  if (meta.type === 'int32') return new ort.Tensor('int32', new Int32Array(size), dims);
  usage(`input '${meta.name}' has type ${meta.type}, which this script cannot generate`);
}

// Where onnxruntime writes its trace before it is moved to FILE.json.
function profilePrefix(file) {
  return path.resolve(file) + '.ort';
}

function percentile(sorted, p) {
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(args.model)) usage(`model '${args.model}' not found`);
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableProfiling: args.profile !== null,
    profileFilePrefix: args.profile !== null ? profilePrefix(args.profile) : undefined,
  });

  const feeds = {};
  for (const meta of session.inputMetadata) {
    const file = args.inputs[meta.name];
    feeds[meta.name] = file !== undefined ? readNpy(file) : randomTensor(meta);
  }
  for (const name of Object.keys(args.inputs)) {
    if (!(name in feeds)) {
      usage(`the model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
  }

  let outputs = null;
  for (let i = 0; i < args.warmup; i++) outputs = await session.run(feeds);
  // The trace starts at session creation: the warm-up runs are told apart by their count.
  const times = [];
  for (let i = 0; i < args.iters; i++) {
    const t0 = process.hrtime.bigint();
    outputs = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }

  if (args.profile !== null) {
    // onnxruntime names the file PREFIX_<date>.json; the trace holds warm-up runs first.
    session.endProfiling();
    const dir = path.dirname(path.resolve(args.profile));
    const base = path.basename(profilePrefix(args.profile));
    const written = fs.readdirSync(dir).filter((f) => f.startsWith(base + '_')).sort();
    if (!written.length) usage('onnxruntime wrote no profile');
    fs.renameSync(path.join(dir, written[written.length - 1]), args.profile);
  }

  if (args.outputDir !== null) {
    fs.mkdirSync(args.outputDir, {recursive: true});
    for (const [name, tensor] of Object.entries(outputs)) {
      writeNpy(path.join(args.outputDir, `${name}.npy`), tensor);
    }
  }

  const sorted = [...times].sort((a, b) => a - b);
  const round = (x) => Math.round(x * 1000) / 1000;
  const result = {
    runtime: `onnxruntime-node ${require('onnxruntime-node/package.json').version}`,
    model: path.basename(args.model),
    threads: args.threads,
    iters: args.iters,
    warmup: args.warmup,
    p50_ms: round(percentile(sorted, 50)),
    p90_ms: round(percentile(sorted, 90)),
    p99_ms: round(percentile(sorted, 99)),
    min_ms: round(sorted[0]),
    mean_ms: round(times.reduce((a, b) => a + b, 0) / times.length),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e) => usage(e && e.message ? e.message.split('\n')[0] : String(e)));
