/**
 * Copies GPU-resident tensors (DeviceTensors) back to the host. onnxruntime-node 1.30's own
 * `Tensor.getData()` on a WebGPU buffer aborts the process, so the copy is a session of Identity
 * nodes on the same provider: the DeviceTensors go in as inputs (no transfer) and ONNX Runtime
 * returns the outputs in host memory. One session per set of shapes, built on first use.
 */
import { GraphBuilder } from './graph.js';
import { serialize } from './onnx/serialize.js';
import { createSession, type ExecutionProvider, type Session } from './runtime.js';
import type { DeviceTensor, HostTensor } from './tensor.js';

export class DeviceDownloader {
  private session: Promise<Session> | undefined;
  private signature = '';

  constructor(private readonly provider: ExecutionProvider) {}

  /** Host copies of `tensors`, in order. */
  async download(tensors: readonly DeviceTensor[]): Promise<HostTensor[]> {
    if (tensors.length === 0) return [];
    const signature = tensors.map((t) => `${t.dtype}[${t.dims.join(',')}]`).join(';');
    if (!this.session || signature !== this.signature) {
      if (this.session) await (await this.session).dispose();
      const g = new GraphBuilder();
      tensors.forEach((t, i) => g.output(g.input(`x${i}`, t.dtype, t.dims), `y${i}`));
      this.session = createSession(serialize(g, { producer: 'finetune-download' }), { executionProvider: this.provider, optimizationLevel: 'disabled' });
      this.signature = signature;
    }
    const session = await this.session;
    const out = await session.run(
      Object.fromEntries(tensors.map((t, i) => [`x${i}`, t])),
      tensors.map((_, i) => `y${i}`),
    );
    return tensors.map((_, i) => out[`y${i}`]!);
  }

  async dispose(): Promise<void> {
    if (this.session) await (await this.session).dispose();
    this.session = undefined;
  }
}

/**
 * Whether `provider` really runs here: builds a one-node session on it. Returns undefined when it
 * does, else why not (the runtime's fallback warning). WebGPU can be bundled yet have no adapter.
 */
export async function providerUnavailable(provider: ExecutionProvider): Promise<string | undefined> {
  if (provider === 'cpu') return undefined;
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [2]);
  g.output(g.add(x, x), 'y');
  let warning: string | undefined;
  const s = await createSession(serialize(g), { executionProvider: provider, onWarning: (m) => (warning = m) });
  await s.dispose();
  return s.executionProvider === provider ? undefined : (warning ?? `${provider} is not available`);
}
