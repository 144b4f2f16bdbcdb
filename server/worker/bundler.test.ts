// Worker → host messages leave in bundles (worker/bundler.ts): in order, urgent ones at once with what came before.
import { describe, expect, it } from 'vitest';
import { MessageBundler } from './bundler';

describe('MessageBundler', () => {
  it('sends the messages of one tick as one write, in order', async () => {
    const writes: string[][] = [];
    const b = new MessageBundler<string>((m) => writes.push(m), (m) => m.startsWith('!'));
    b.send('p1');
    b.send('p2');
    b.send('p3');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([['p1', 'p2', 'p3']]);
    b.send('p4');
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([['p1', 'p2', 'p3'], ['p4']]);
  });

  it('sends an urgent message at once, after those waiting', async () => {
    const writes: string[][] = [];
    const b = new MessageBundler<string>((m) => writes.push(m), (m) => m.startsWith('!'));
    b.send('progress');
    b.send('!started');
    expect(writes).toEqual([['progress', '!started']]);
    b.send('late');
    b.flush();
    expect(writes).toEqual([['progress', '!started'], ['late']]);
    // The scheduled flush finds nothing left.
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2);
  });
});
