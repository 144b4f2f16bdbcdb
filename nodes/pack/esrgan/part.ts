// Pack part: converts @upscalerjs/esrgan-slim's x2 and x4 TF.js models into models/upscalers/*.onnx
// (plus the MIT licence notice the weights come with).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackPart } from '../part';
import { convertLayersModel } from './convert';
import { readLayersModel } from './layers-model';
import {
  ESRGAN_SLIM_PACKAGE, ESRGAN_SLIM_RANGE, PACK_SCALES, esrganSlimDir, esrganSlimFiles, esrganSlimLicense, esrganSlimModelJson, esrganSlimVersion,
} from './esrgan-slim';

const own = (f: string) => fileURLToPath(new URL(f, import.meta.url));

export const LICENSE_FILE = 'esrgan-slim.LICENSE.txt';

export function upscalerFileName(scale: number): string {
  return `esrgan-slim-x${scale}.onnx`;
}

/**
 * Converts one scale and returns the ONNX bytes (also used by tests and the bench, without touching disk).
 * `foldUpsample: false` keeps the upsampled-resolution conv, for the bench's before/after comparison.
 */
export function convertEsrganSlim(scale: number, opts: { foldUpsample?: boolean } = {}): Uint8Array {
  const version = esrganSlimVersion();
  const { bytes } = convertLayersModel(readLayersModel(esrganSlimModelJson(scale)), {
    modelRange: ESRGAN_SLIM_RANGE,
    expectScale: scale,
    foldUpsample: opts.foldUpsample,
    docString: `ESRGAN slim (RDN C1 D2 G4 G0 64) x${scale} from ${ESRGAN_SLIM_PACKAGE}@${version}, converted to ONNX by StepFlow. MIT licence, (c) 2022 Kevin Scott.`,
    metadata: {
      source: `${ESRGAN_SLIM_PACKAGE}@${version} models/x${scale}`,
      license: 'MIT',
      copyright: 'Copyright (c) 2022 Kevin Scott',
      architecture: 'rdn',
    },
  });
  return bytes;
}

export const esrganPart: PackPart = {
  name: 'esrgan',
  get sources() {
    const code = ['./part.ts', './convert.ts', './layer-ops.ts', './layers-model.ts', './esrgan-slim.ts', '../../onnx/builder.ts', '../../onnx/fold-upsample-conv.ts'].map(own);
    return [...code, ...PACK_SCALES.flatMap(esrganSlimFiles), path.join(esrganSlimDir(), 'LICENSE')];
  },
  async generate(modelsDir) {
    const dir = path.join(modelsDir, 'upscalers');
    fs.mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    for (const scale of PACK_SCALES) {
      fs.writeFileSync(path.join(dir, upscalerFileName(scale)), convertEsrganSlim(scale));
      written.push(`upscalers/${upscalerFileName(scale)}`);
    }
    const notice = `The upscalers ${PACK_SCALES.map(upscalerFileName).join(', ')} are converted from the TF.js models of\n` +
      `${ESRGAN_SLIM_PACKAGE}@${esrganSlimVersion()} (https://github.com/thekevinscott/UpscalerJS), used under this licence:\n\n`;
    fs.writeFileSync(path.join(dir, LICENSE_FILE), notice + esrganSlimLicense());
    written.push(`upscalers/${LICENSE_FILE}`);
    return written;
  },
};
