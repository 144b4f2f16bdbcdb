import { describe, expect, it } from 'vitest';
import { convertFeed, convertOutput, outputFloat32, prepareFeeds, OnnxRunError } from './feeds';

describe('convertFeed', () => {
  it('passes data of the wanted type through untouched', () => {
    const ids = Int32Array.from([49406, 320, 49407]);
    expect(convertFeed('input_ids', ids, 'int32')).toBe(ids);
  });

  it('narrows int64 ids to int32 and widens int32 to int64', () => {
    expect(convertFeed('input_ids', BigInt64Array.from([49406n, 49407n]), 'int32')).toEqual(Int32Array.from([49406, 49407]));
    expect(convertFeed('input_ids', Int32Array.from([49406, -1]), 'int64')).toEqual(BigInt64Array.from([49406n, -1n]));
    expect(() => convertFeed('input_ids', BigInt64Array.of(2n ** 40n), 'int32')).toThrow(/1099511627776 does not fit/);
  });

  it('turns float timesteps into ints only when they are whole', () => {
    expect(convertFeed('timestep', Float32Array.of(999, 0), 'int64')).toEqual(BigInt64Array.of(999n, 0n));
    expect(() => convertFeed('timestep', Float32Array.of(999, 980.5), 'int64')).toThrow(/value 980.5 at index 1 is not a whole number/);
    expect(convertFeed('timestep', BigInt64Array.of(981n), 'float32')).toEqual(Float32Array.of(981));
  });

  it('converts float32 to half bits, and reads a Uint16Array as half for a float32 input', () => {
    expect(convertFeed('sample', Float32Array.of(1, -2, 65504), 'float16')).toEqual(Uint16Array.of(0x3c00, 0xc000, 0x7bff));
    expect(convertFeed('sample', Uint16Array.of(0x3c00, 0x3800), 'float32')).toEqual(Float32Array.of(1, 0.5));
  });

  it('names the array to pass when it cannot convert', () => {
    expect(() => convertFeed('mask', Float32Array.of(1), 'bool')).toThrow('input "mask" wants bool; pass a Uint8Array (got Float32Array)');
  });
});

describe('outputs', () => {
  it('widens half outputs and gives float32 views of integer ones', () => {
    expect(convertOutput('float16', Uint16Array.of(0x3c00, 0xc000))).toEqual(Float32Array.of(1, -2));
    expect(convertOutput('bfloat16', Uint16Array.of(0x3f80))).toEqual(Float32Array.of(1));
    expect(outputFloat32({ type: 'int64', dims: [2], data: BigInt64Array.of(3n, -4n) })).toEqual(Float32Array.of(3, -4));
    expect(outputFloat32({ type: 'uint16', dims: [1], data: Uint16Array.of(0x3c00) })).toEqual(Float32Array.of(0x3c00));
  });
});

describe('prepareFeeds', () => {
  const inputs = [
    { name: 'sample', type: 'float32' as const, dims: ['batch', 4, 8, 8] },
    { name: 'timestep', type: 'int64' as const, dims: ['batch'] },
  ];

  it('reports every problem at once with what was given and expected', () => {
    const err = (() => {
      try {
        prepareFeeds('unet', inputs, { sample: { data: new Float32Array(10), dims: [1, 4, 8, 8] }, extra: { data: new Float32Array(1), dims: [1] } });
      } catch (e) {
        return e as OnnxRunError;
      }
    })()!;
    expect(err).toBeInstanceOf(OnnxRunError);
    expect(err.modelKey).toBe('unet');
    expect(err.message).toBe(
      'model "unet": unknown input "extra"; input "sample" has 10 values but dims [1, 4, 8, 8] need 256; missing input "timestep". ' +
      'Given: sample Float32Array [1, 4, 8, 8]; extra Float32Array [1]. Expected: sample float32 [batch, 4, 8, 8]; timestep int64 [batch]',
    );
  });

  it('accepts any size for symbolic dims and converts types', () => {
    const out = prepareFeeds('unet', inputs, {
      sample: { data: new Float32Array(2 * 256), dims: [2, 4, 8, 8] },
      timestep: { data: Int32Array.of(999, 999), dims: [2] },
    });
    expect(out.timestep).toEqual({ type: 'int64', data: BigInt64Array.of(999n, 999n), dims: [2] });
  });
});
