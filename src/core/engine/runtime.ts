/**
 * The only module that imports onnxruntime-node: session creation (threads, optimization level,
 * execution provider with CPU fallback), run (with optional pre-allocated outputs), dispose.
 *
 * `session.run()` blocks the calling thread for the whole run: call it from a worker, never from the
 * VS Code extension host's main thread.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { sessionCacheEntry } from './session-cache.js';
import { type DeviceTensor, type DType, type HostTensor, isDeviceTensor, type TypedArray } from './tensor.js';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';

/** A provider, or 'auto': CUDA when its binaries are installed, else the CPU. */
export type ProviderChoice = ExecutionProvider | 'auto';

export interface SessionOptions {
  /** Intra-op threads; default: ONNX Runtime's choice (one per physical core). */
  threads?: number;
  executionProvider?: ProviderChoice;
  optimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Receives the warning when the requested provider is unavailable and CPU is used instead. */
  onWarning?: (message: string) => void;
  /**
   * Keep these outputs on the GPU (WebGPU only): `run` returns them as DeviceTensors, which can be
   * fed back as inputs without a copy. On any other provider they come back as host tensors.
   */
  keepOnDevice?: readonly string[];
  /** Write ONNX Runtime's per-node profile (JSON) with this file prefix (benchmarks). */
  profilePrefix?: string;
  /** ONNX Runtime's CPU memory arena (default true). */
  memoryArena?: boolean;
  /** ONNX Runtime's memory pattern planning (default true). */
  memoryPattern?: boolean;
  /**
   * Whether idle intra-op threads spin between ops (ONNX Runtime's default) or sleep at once.
   * Spinning saves the wake-up between small ops on an idle machine; on a machine whose cores are
   * busy with other work it takes their time.
   */
  spinning?: boolean;
  /**
   * A folder where ONNX Runtime's optimized form of each model is kept (CPU provider; see
   * ./session-cache.ts): a session for a model seen before loads it with the graph optimizations
   * already applied.
   */
  cacheDir?: string;
}

export interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly executionProvider: ExecutionProvider;
  /**
   * Runs the graph. `into` supplies pre-allocated output tensors (ONNX Runtime writes into them, no
   * copy); outputs not listed come back as freshly allocated tensors.
   */
  run(
    feeds: Readonly<Record<string, HostTensor | DeviceTensor>>,
    fetch?: readonly string[],
    into?: Readonly<Record<string, HostTensor>>,
  ): Promise<Record<string, HostTensor>>;
  /**
   * Runs the graph and returns the `keepOnDevice` outputs as DeviceTensors (host tensors when the
   * session is not on a GPU), the others as host tensors. Feeds may be DeviceTensors from any
   * session of this process on the same provider.
   */
  runOnDevice(feeds: Readonly<Record<string, HostTensor | DeviceTensor>>, fetch: readonly string[]): Promise<Record<string, HostTensor | DeviceTensor>>;
  /** Ends profiling and returns the profile file's path (when profilePrefix was set). */
  endProfiling(): string | undefined;
  dispose(): Promise<void>;
}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = {
  float32: 'float32',
  float64: 'float64',
  float16: 'float16',
  int64: 'int64',
  int32: 'int32',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

/** The ORT tensor behind each DeviceTensor this module made. */
const onDevice = new WeakMap<DeviceTensor, ort.Tensor>();

function toOrt(t: HostTensor | DeviceTensor): ort.Tensor {
  if (isDeviceTensor(t)) {
    const inner = onDevice.get(t);
    if (!inner) throw new Error('a device tensor was used after it was disposed');
    return inner;
  }
  return new ort.Tensor(ORT_TYPE[t.dtype], t.data as never, t.dims as number[]);
}

function wrapDevice(t: ort.Tensor): DeviceTensor {
  const handle: DeviceTensor = {
    location: 'device',
    dtype: t.type as DType,
    dims: [...t.dims],
    dispose() {
      onDevice.get(handle)?.dispose();
      onDevice.delete(handle);
    },
  };
  onDevice.set(handle, t);
  return handle;
}

function fromOrt(t: ort.Tensor): HostTensor {
  return { dtype: t.type as DType, dims: [...t.dims], data: t.data as TypedArray };
}

export function availableProviders(): string[] {
  return ort.listSupportedBackends().map((b) => b.name);
}

/**
 * Whether onnxruntime-node's CUDA provider library is installed (the npm package lists 'cuda' as
 * a backend on Linux x64 even when its CUDA binaries were skipped at install).
 */
function cudaInstalled(): boolean {
  try {
    const base = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
    const root = dirname(createRequire(base).resolve('onnxruntime-node/package.json'));
    const dir = join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return ['libonnxruntime_providers_cuda.so', 'onnxruntime_providers_cuda.dll'].some((f) => existsSync(join(dir, f)));
  } catch {
    return false;
  }
}

/** The provider a choice asks for where it is available (`auto`: CUDA when installed, else the CPU); no fallback checks. */
export function requestedProvider(choice: ProviderChoice | undefined): ExecutionProvider {
  if (choice === 'auto') return availableProviders().includes('cuda') && cudaInstalled() ? 'cuda' : 'cpu';
  return choice ?? 'cpu';
}

function resolveProvider(requested: ProviderChoice, warn: (m: string) => void): ExecutionProvider {
  if (requested === 'cpu') return 'cpu';
  const available = availableProviders();
  if (requested === 'auto') return available.includes('cuda') && cudaInstalled() ? 'cuda' : 'cpu';
  if (available.includes(requested) && (requested !== 'cuda' || cudaInstalled())) return requested;
  const hint =
    requested === 'cuda'
      ? 'reinstall onnxruntime-node with its CUDA binaries (npm install onnxruntime-node --onnxruntime-node-install=cuda12) on a machine with an NVIDIA driver and CUDA 12'
      : 'use a build of onnxruntime-node that includes WebGPU on this platform';
  const why =
    requested === 'cuda' && available.includes('cuda')
      ? "its libraries are not installed (onnxruntime-node's CUDA download was skipped)"
      : `available: ${available.join(', ')}`;
  warn(`Execution provider "${requested}" is not available (${why}); training on the CPU instead. To use it, ${hint}.`);
  return 'cpu';
}

/**
 * A CPU session from the cache's optimized form of `model` (see ./session-cache.ts); on a miss,
 * the session is created from `model` and ONNX Runtime writes its optimized form there.
 */
async function openCached(model: Uint8Array, dir: string, base: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession | undefined> {
  const level = base.graphOptimizationLevel ?? 'all';
  const entry = await sessionCacheEntry(model, dir, { ort: ort.env.versions.common ?? '', level });
  if (!entry) return undefined;
  const cpu = { ...base, executionProviders: ['cpu'] };
  if (entry.hit) {
    try {
      return await ort.InferenceSession.create(entry.path, { ...cpu, graphOptimizationLevel: 'disabled' });
    } catch {
      await entry.discard();
    }
  }
  // ONNX Runtime warns that an optimized model is specific to this machine: the key says so.
  const session = await ort.InferenceSession.create(model, { ...cpu, optimizedModelFilePath: entry.tmp, logSeverityLevel: 3 });
  await entry.commit();
  return session;
}

/** ONNX Runtime's start-up error without its source paths, and what to do about it. */
function startFailure(provider: ExecutionProvider, message: string): string {
  const adapter = /Failed to get a WebGPU adapter:[^\n)]*/.exec(message)?.[0];
  if (provider === 'webgpu' && adapter) return `${adapter.trim()}: install the GPU's driver with Vulkan (Linux), D3D12 (Windows) or Metal (macOS) support`;
  return message.split('\n')[0]!.replace(/^\/onnxruntime_src\/\S+ /, '');
}

export async function createSession(model: Uint8Array, options: SessionOptions = {}): Promise<Session> {
  const warn = options.onWarning ?? ((m: string) => process.emitWarning(m));
  let provider = resolveProvider(options.executionProvider ?? 'cpu', warn);
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.optimizationLevel ?? 'all',
    executionMode: 'sequential',
    ...(process.env.FT_ORT_VERBOSE ? { logSeverityLevel: 0 as const, logVerbosityLevel: 1 } : {}),
    enableCpuMemArena: options.memoryArena ?? true,
    enableMemPattern: options.memoryPattern ?? true,
    ...(options.profilePrefix ? { enableProfiling: true, profileFilePrefix: options.profilePrefix } : {}),
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    ...(options.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
  let inner: ort.InferenceSession;
  const cached = provider === 'cpu' && options.cacheDir ? await openCached(model, options.cacheDir, base) : undefined;
  try {
    if (cached) inner = cached;
    else
      inner = await ort.InferenceSession.create(model, {
        ...base,
        // On a GPU, ONNX Runtime warns at every session that shape ops run on the CPU (by design).
        ...(provider !== 'cpu' && !process.env.FT_ORT_VERBOSE ? { logSeverityLevel: 3 as const } : {}),
        executionProviders: [provider],
        ...(provider === 'webgpu' && options.keepOnDevice?.length
          ? { preferredOutputLocation: Object.fromEntries(options.keepOnDevice.map((n) => [n, 'gpu-buffer' as const])) }
          : {}),
      });
  } catch (err) {
    if (provider === 'cpu') throw err;
    warn(`Execution provider "${provider}" failed to start (${startFailure(provider, (err as Error).message)}); training on the CPU instead.`);
    provider = 'cpu';
    inner = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
  }
  return {
    inputNames: inner.inputNames,
    outputNames: inner.outputNames,
    executionProvider: provider,
    async run(feeds, fetch, into) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v);
      const names = fetch ?? inner.outputNames;
      const fetches: Record<string, ort.Tensor | null> = {};
      for (const n of names) fetches[n] = into?.[n] ? toOrt(into[n]) : null;
      const out = await inner.run(ortFeeds, fetches as ort.InferenceSession.FetchesType);
      const result: Record<string, HostTensor> = {};
      for (const n of names) result[n] = into?.[n] ?? fromOrt(out[n]!);
      return result;
    },
    async runOnDevice(feeds, fetch) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v);
      // Every output, in the graph's order: onnxruntime-node 1.30 pairs preferredOutputLocation
      // with the fetched outputs by position, so fetching a subset put one kept output on the host
      // and another in GPU memory it was not meant for (cf. microsoft/onnxruntime#26865).
      const out = await inner.run(ortFeeds, [...inner.outputNames]);
      const result: Record<string, HostTensor | DeviceTensor> = {};
      for (const n of fetch) {
        const t = out[n]!;
        result[n] = t.location === 'gpu-buffer' ? wrapDevice(t) : fromOrt(t);
      }
      for (const [n, t] of Object.entries(out)) if (!fetch.includes(n) && t.location === 'gpu-buffer') t.dispose();
      return result;
    },
    endProfiling() {
      const prefix = options.profilePrefix;
      if (!prefix) return undefined;
      inner.endProfiling();
      // ONNX Runtime writes <prefix>_<timestamp>.json; return the newest.
      const dir = dirname(prefix);
      const files = readdirSync(dir)
        .filter((f) => f.startsWith(`${basename(prefix)}_`) && f.endsWith('.json'))
        .map((f) => join(dir, f))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
      return files[0];
    },
    async dispose() {
      await inner.release();
    },
  };
}
