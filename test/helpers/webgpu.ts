/**
 * Whether this machine has a WebGPU adapter ONNX Runtime can use (a GPU driver, or Mesa's
 * lavapipe Vulkan driver on the CPU: `bash scripts/ensure-webgpu.sh`). GPU tests skip, saying so,
 * when it has none.
 */
import { providerUnavailable } from '../../src/core/engine/device.js';

let probe: Promise<string | undefined> | undefined;

/** undefined when WebGPU works, else the reason it does not. */
export function webgpuUnavailable(): Promise<string | undefined> {
  probe ??= providerUnavailable('webgpu').then((why) => (why ? `no WebGPU adapter on this machine (${why}); run bash scripts/ensure-webgpu.sh` : undefined));
  return probe;
}
