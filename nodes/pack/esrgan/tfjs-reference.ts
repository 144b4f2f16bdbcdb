// The original TF.js model run by @tensorflow/tfjs: the reference the converted ONNX model is checked against
// (pure JS CPU backend) and benchmarked against (WASM backend, SIMD). Only tests and the bench import this
// (tfjs and tfjs-backend-wasm are dev dependencies).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Tensor } from '../../runtime/tensor';

export { tf };

export type TfjsBackend = 'cpu' | 'wasm';

let wasmPathsSet = false;

/**
 * Makes `backend` TF.js's current backend. In Node the WASM backend runs single-threaded (its threaded build
 * needs Blob-URL workers, which Node's Worker refuses), with SIMD when the engine has it.
 */
export async function useTfjsBackend(backend: TfjsBackend): Promise<void> {
  if (backend === 'wasm' && !wasmPathsSet) {
    // The .wasm binaries sit next to the package's Node entry point (dist/).
    setWasmPaths(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    wasmPathsSet = true;
  }
  // engine().backendName, not getBackend(): the latter first initialises the highest-priority backend (wasm).
  if (tf.engine().backendName === backend) return;
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend "${backend}" failed to initialise`);
}

/** Loads model.json + shards from disk (tfjs's file:// handler needs tfjs-node, which is not installed). */
export async function loadTfjsModel(modelJsonPath: string, backend: TfjsBackend = 'cpu'): Promise<tf.LayersModel> {
  await useTfjsBackend(backend);
  const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(path.dirname(modelJsonPath), p)))));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData,
  }));
}

/**
 * Runs the Keras model on an NCHW image in [0,1] the way UpscalerJS does (scaled to the model's range,
 * NHWC), and returns NCHW in [0,1], clipped.
 */
export function predictNchw(model: tf.LayersModel, image: Tensor, modelRange: number): Tensor {
  const [, c, h, w] = image.dims;
  const out = tf.tidy(() => {
    const x = tf.tensor4d(image.data, [1, c, h, w]).transpose([0, 2, 3, 1]).mul(modelRange);
    const y = model.predict(x) as tf.Tensor4D;
    return y.div(modelRange).clipByValue(0, 1).transpose([0, 3, 1, 2]);
  });
  const data = out.dataSync() as Float32Array;
  const dims = [...out.shape];
  out.dispose();
  return { data: new Float32Array(data), dims };
}
