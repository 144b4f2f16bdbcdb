// The contract every piece of the built-in model pack implements (sprites checkpoint, refiner,
// upscalers, demo LoRA, tiny SD): the generator orchestrates parts through this interface only.
// Convention: a part owned by another folder exports `const part: PackPart` from nodes/pack/<folder>/part.ts
// (nodes/pack/esrgan/part.ts, nodes/pack/lora/part.ts, nodes/pack/tiny-sd/part.ts); generate.ts lists them.

export interface PackPart {
  /** Short id used in progress output and errors, e.g. 'sprites-checkpoint', 'esrgan', 'lora'. */
  readonly name: string;
  /**
   * Absolute paths of the source files whose content determines this part's output (its own
   * generator code plus any data it reads). Their bytes are hashed into `.pack.json`'s generator
   * hash, so editing any of them triggers a regeneration. Use `fileURLToPath(new URL('./x.ts', import.meta.url))`.
   */
  readonly sources: readonly string[];
  /**
   * Writes the part's files under `modelsDir` (e.g. `${modelsDir}/loras/sprites-palette.safetensors`)
   * and resolves to their paths relative to `modelsDir`, '/'-separated. Must be deterministic:
   * the same bytes on every run. Creates its own folders.
   */
  generate(modelsDir: string): Promise<string[]>;
}
