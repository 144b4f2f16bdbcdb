// GET /api/inputs/<name>: an input image (an upload or a shipped example) for the Load Image widget and for
// remote workers. With accounts on, `mayRead` (read-access.ts) decides; refused looks exactly like unknown.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { isPlainModelName } from '../../nodes/engine/params';
import type { InputReadCheck } from './read-access';

export const INPUTS_PREFIX = '/api/inputs/';
const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };

function sendJson(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message } }));
}

export function createInputHandler(inputDirs: readonly string[], mayRead: InputReadCheck = async () => true) {
  return async function handleInput(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendJson(res, 405, 'method_not_allowed', 'upload images with inputs.upload; this path only reads them');
    }
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname.slice(INPUTS_PREFIX.length));
    const mime = MIME[path.extname(name).toLowerCase()];
    if (!name || !isPlainModelName(name) || !mime) return sendJson(res, 404, 'not_found', `no input image "${name}"`);
    if (!(await mayRead(req, name))) return sendJson(res, 404, 'not_found', `no input image "${name}"`);
    for (const dir of inputDirs) {
      const file = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(file);
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      res.writeHead(200, { 'Content-Type': mime, 'Content-Length': st.size, 'Cache-Control': 'private, max-age=3600' });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file).pipe(res);
      return;
    }
    sendJson(res, 404, 'not_found', `no input image "${name}"`);
  };
}
