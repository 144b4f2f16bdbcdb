import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../../nodes/registry';
import { fitsWire, MatchTier, searchNodes, type SearchableNode } from './node-search';

function node(type: string, title: string, extra: Partial<SearchableNode> = {}): SearchableNode {
  return { type, title, category: 'sampling', description: '', params: [], ...extra };
}
const param = (name: string, label?: string) => ({ name, default: 0, ui: { widget: 'number' as const, valueType: 'int' as const, label } });

// Catalog order is deliberately the reverse of the expected ranking for "sampler".
const toy: SearchableNode[] = [
  node('save_image', 'Save Image', { category: 'image', description: 'stores images' }),
  node('empty_latent', 'Empty Latent', { category: 'latent', description: 'A zero latent; the sampler fills it with noise.' }),
  node('refiner', 'Refiner', { params: [param('sampler'), param('seed')] }),
  node('denoiser', 'Denoiser', { aliases: ['MySamplerNode'] }),
  node('custom_sampler', 'Custom Sampler'),
  node('sampler_settings', 'Sampler Settings'),
  node('sampler', 'Sampler', { aliases: ['KSampler', 'Denoise Latents'], params: [param('seed'), param('cfg', 'CFG scale')] }),
];
const order = (query: string, recent: string[] = [], catalog = toy) => searchNodes(catalog, query, recent).map((h) => h.node.type);

describe('node search ranking', () => {
  it('exact title > title prefix > title word > alias > param > loose match', () => {
    const hits = searchNodes(toy, 'sampler');
    expect(hits.map((h) => [h.node.type, h.tier])).toEqual([
      ['sampler', MatchTier.Exact],
      ['sampler_settings', MatchTier.Prefix],
      ['custom_sampler', MatchTier.Prefix],
      ['denoiser', MatchTier.Alias],
      ['refiner', MatchTier.Param],
      ['empty_latent', MatchTier.Fuzzy],
    ]);
    expect(hits.find((h) => h.node.type === 'denoiser')?.via).toBe('MySamplerNode');
    expect(hits.find((h) => h.node.type === 'refiner')?.via).toBe('sampler');
  });

  it('matches aliases whatever their spacing and case: exact alias before alias prefix', () => {
    expect(searchNodes(toy, 'ksampler')[0]).toEqual({ node: toy[6], tier: MatchTier.Alias, via: 'KSampler' });
    expect(order('denoise lat')).toEqual(['sampler']);
    expect(order('mysampler')).toEqual(['denoiser']);
  });

  it('finds params by name and by label; an exact param name before a param word', () => {
    expect(order('seed')).toEqual(['refiner', 'sampler']);
    expect(searchNodes(toy, 'cfg scale')[0]).toMatchObject({ node: { type: 'sampler' }, tier: MatchTier.Param, via: 'CFG scale' });
    expect(order('scale')).toEqual(['sampler']);
  });

  it('falls back to every word anywhere, then to the title letters in order', () => {
    expect(order('noise zero')).toEqual(['empty_latent']);
    expect(searchNodes(toy, 'smplr').map((h) => [h.node.type, h.tier])).toEqual([
      ['custom_sampler', MatchTier.Fuzzy], ['sampler_settings', MatchTier.Fuzzy], ['sampler', MatchTier.Fuzzy],
    ]);
    expect(order('xyzzy')).toEqual([]);
    expect(order('sm')).toEqual([]);
  });

  it('lists recent nodes first on an empty query, most recent first, then the catalog', () => {
    expect(order('', ['sampler', 'empty_latent'])).toEqual(['sampler', 'empty_latent', 'save_image', 'refiner', 'denoiser', 'custom_sampler', 'sampler_settings']);
    expect(order('  ')).toEqual(toy.map((n) => n.type));
  });
});

describe('node search on the real catalog (issue 17)', () => {
  const catalog = getCatalog();
  const first = (query: string) => searchNodes(catalog, query)[0]?.node.type;

  it('"sampler" puts the Sampler before Empty Latent, whose description mentions samplers', () => {
    const types = order('sampler', [], catalog);
    expect(types[0]).toBe('sampler');
    expect(types.indexOf('empty_latent')).toBeGreaterThan(types.indexOf('refiner'));
  });

  it('"seed" lists the Seed primitive, then the nodes with a seed param (Sampler, then Transformer Refiner) before a description that says "seeded"', () => {
    expect(searchNodes(catalog, 'seed').map((h) => [h.node.type, h.tier])).toEqual([
      ['primitive_seed', MatchTier.Exact], ['sampler', MatchTier.Param], ['refiner', MatchTier.Param], ['empty_latent', MatchTier.Fuzzy],
      ['empty_sd3_latent', MatchTier.Fuzzy],
    ]);
  });

  it.each([
    ['ksampler', 'sampler'], ['KSamplerAdvanced', 'sampler'], ['CLIPTextEncode', 'text_encoder'], ['VAEDecode', 'vae_decode'],
    ['VAEEncode', 'vae_encode'], ['CheckpointLoaderSimple', 'checkpoint_loader'], ['LoraLoader', 'lora_loader'],
    ['EmptyLatentImage', 'empty_latent'], ['SaveImage', 'save_image'], ['LoadImage', 'load_image'],
    ['UpscaleModelLoader', 'upscaler_loader'], ['ImageUpscaleWithModel', 'upscale_image'],
    ['Denoise Latents', 'sampler'], ['compel', 'text_encoder'], ['prompt', 'text_encoder'], ['Latents to Image', 'vae_decode'],
    ['Image to Latents', 'vae_encode'], ['main model', 'checkpoint_loader'], ['upscale image', 'upscale_image'],
    ['EmptySD3LatentImage', 'empty_sd3_latent'], ['FluxGuidance', 'flux_guidance'], ['ModelSamplingSD3', 'model_sampling_sd3'],
  ])('"%s" finds %s first', (query, type) => {
    expect(first(query)).toBe(type);
  });
});

describe('fitsWire (a wire dropped on the canvas)', () => {
  const catalog = getCatalog();
  const fitting = (side: 'source' | 'target', type?: string) => catalog.filter((n) => fitsWire(n, { side, type })).map((n) => n.type);

  it('from an IMAGE output: the nodes with an IMAGE input, and reroutes', () => {
    expect(fitting('source', 'IMAGE')).toEqual(['apply_controlnet', 'vae_encode', 'vae_encode_inpaint', 'resize', 'composite', 'crop', 'transform', 'canny', 'save_image', 'preview_image', 'upscale_image', 'reroute']);
  });

  it('from a LATENT input: the nodes with a LATENT output, and reroutes', () => {
    expect(fitting('target', 'LATENT')).toEqual(['empty_latent', 'empty_sd3_latent', 'vae_encode', 'set_latent_noise_mask', 'vae_encode_inpaint', 'latent_upscale', 'sampler', 'refiner', 'reroute']);
  });

  it('a wire of unknown type (an unfed reroute) fits every node with a socket on that side', () => {
    expect(fitting('source')).toEqual(catalog.filter((n) => n.inputs.length > 0).map((n) => n.type));
    expect(fitting('source')).not.toContain('note');
  });
});
