// Provider choice: a provider that cannot run here falls back to the CPU with a warning that says
// what to install, and the session still computes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GraphBuilder } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';

const cudaLib = join('node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');

describe('execution providers', () => {
  test(
    'cuda without its libraries: CPU, and a warning naming the install command',
    { skip: existsSync(cudaLib) ? 'the CUDA provider is installed here' : false },
    async () => {
      const g = new GraphBuilder();
      const x = g.input('x', 'float32', [3]);
      g.output(g.mul(x, x), 'y');
      const warnings: string[] = [];
      const s = await createSession(serialize(g), { executionProvider: 'cuda', onWarning: (m) => warnings.push(m) });
      assert.equal(s.executionProvider, 'cpu');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /"cuda" is not available .*training on the CPU instead.*--onnxruntime-node-install=cuda12/);
      const out = await s.run({ x: { dtype: 'float32', dims: [3], data: Float32Array.of(1, 2, 3) } });
      assert.deepEqual(Array.from(out.y!.data as Float32Array), [1, 4, 9]);
      await s.dispose();
    },
  );

  test(
    "'auto' picks the CPU where CUDA is not installed, without a warning",
    { skip: existsSync(cudaLib) ? 'the CUDA provider is installed here' : false },
    async () => {
      const g = new GraphBuilder();
      g.output(g.add(g.input('x', 'float32', [1]), g.scalarConst('float32', 1)), 'y');
      const warnings: string[] = [];
      const s = await createSession(serialize(g), { executionProvider: 'auto', onWarning: (m) => warnings.push(m) });
      assert.equal(s.executionProvider, 'cpu');
      assert.deepEqual(warnings, []);
      await s.dispose();
    },
  );

  test(
    'webgpu without an adapter: CPU, and a warning that says what to install, without ONNX Runtime source paths',
    { skip: process.platform !== 'linux' && 'Vulkan ICD override is Linux-only' },
    async () => {
      process.env.VK_ICD_FILENAMES = '/nonexistent-icd.json'; // Dawn (first WebGPU use in this process) then finds no adapter
      const g = new GraphBuilder();
      g.output(g.add(g.input('x', 'float32', [2]), g.scalarConst('float32', 1)), 'y');
      const warnings: string[] = [];
      const s = await createSession(serialize(g), { executionProvider: 'webgpu', onWarning: (m) => warnings.push(m) });
      assert.equal(s.executionProvider, 'cpu');
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0]!,
        /^Execution provider "webgpu" failed to start \(Failed to get a WebGPU adapter: .*install the GPU's driver with Vulkan \(Linux\)/,
      );
      assert.doesNotMatch(warnings[0]!, /onnxruntime_src|\.cc:\d+/);
      const out = await s.run({ x: { dtype: 'float32', dims: [2], data: Float32Array.of(1, 2) } });
      assert.deepEqual(Array.from(out.y!.data as Float32Array), [2, 3]);
      await s.dispose();
    },
  );
});
