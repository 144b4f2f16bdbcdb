// The sprites domain of the built-in model pack: palette, shapes, the sprite set with captions, pixel
// rendering and classification of rendered images (for pixel tests of the whole pipeline).
export * from './sprites/palette';
export * from './sprites/shapes';
export * from './sprites/catalog';
export * from './sprites/classify';
