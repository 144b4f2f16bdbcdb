// Errors raised while reading a model folder or file: each names the file and says what to fix.

/** A model file or folder that does not have the layout, inputs or config StepFlow needs. */
export class ModelFormatError extends Error {
  readonly code = 'model_format';
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelFormatError';
  }
}

/** Input that does not fit the loaded model (latent size, channel count): the user can change it. */
export class ModelInputError extends Error {
  readonly code = 'model_input';
  constructor(readonly model: string, message: string) {
    super(`${model}: ${message}`);
    this.name = 'ModelInputError';
  }
}
