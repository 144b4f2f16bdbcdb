// The Load Image thumbnail URL carries the open workflow and its share token, which the server needs to show a
// viewer the owner's upload (server/inputs/read-access.ts).
import { describe, expect, it } from 'vitest';
import { inputImageUrl } from './input-image-url';

describe('inputImageUrl', () => {
  it('names the workflow and share token of the open editor', () => {
    expect(inputImageUrl('ab12.png', { workflowId: 'w1', shareToken: 'tok-_9' })).toBe('/api/inputs/ab12.png?workflow=w1&share=tok-_9');
    expect(inputImageUrl('ab12.png', { workflowId: 'w1' })).toBe('/api/inputs/ab12.png?workflow=w1');
    expect(inputImageUrl('a b/c.png')).toBe('/api/inputs/a%20b%2Fc.png');
  });
});
