// What the specs generate, in one place: the shipped txt2img template on the built-in sprites model,
// a prompt with its expected colours, a connection the editor must refuse, and the Stop spec's long run.
import { COLORS } from '../nodes/pack/sprites/palette';
import { templateGraph } from './api';

/** The template a newcomer opens first (workflows/<file>); also the base of the two-page and Stop specs. */
export const TXT2IMG_TEMPLATE = 'txt2img.json';

/** Node type whose live preview must show >= 3 distinct frames during a run. */
export const PREVIEW_NODE_TYPE = 'sampler';

/**
 * Sampler steps of the runs whose previews are checked. The sprites model's prediction settles after about a
 * quarter of the steps, and only frames before that differ in pixels; a step takes ~2.5 ms and the e2e server
 * passes PREVIEW_FPS=60 frames a second per run. 60 steps left ~40 ms of changing frames, two or three frames:
 * a busy machine showed only two (a flaky failure). 240 left ~150 ms until worker messages were bundled (one IPC
 * write per event-loop turn) and steps got faster: then CI saw changing frames only up to step ~75, two of them (a
 * flaky failure again). 600 keep the changing part several times longer than the frame interval.
 */
export const PREVIEW_STEPS = 600;

/** The prompt typed by hand, and the pack's exact colours it must come out in (PNG output: lossless). */
export const HAND_PROMPT = {
  text: 'green square on navy background',
  shape: COLORS.green,
  background: COLORS.navy,
} as const;

/** Two different socket types the editor must refuse to connect, with the reason it must show. */
export const WRONG_TYPE_CONNECTION = {
  from: 'empty_latent', output: 'latent', to: 'save_image', input: 'images',
  reason: /LATENT output .* cannot connect to IMAGE input/,
} as const;

/**
 * The Stop and Pause specs' long run: the template at the most steps a sampler takes and 1024 px (the sprites U-Net
 * takes any multiple of 256 px; 16 times the work of a 256 px step), so Stop and Pause land in the middle of sampling
 * however fast the worker gets. At 256 px, 1000 steps took ~2 s, and after the worker's memory got faster a run could
 * end between the spec seeing step 2 and its click on Pause.
 */
export const SAMPLER_STOP = { template: TXT2IMG_TEMPLATE, samplerNodeId: 'sampler', steps: 1000, size: 1024 } as const;

/** SAMPLER_STOP's graph with `seed`. */
export function samplerStopGraph(seed: number) {
  const { samplerNodeId, steps, size } = SAMPLER_STOP;
  return templateGraph(SAMPLER_STOP.template, { [samplerNodeId]: { seed, steps }, latent: { width: size, height: size } });
}
