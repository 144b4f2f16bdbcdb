// GET /api/inputs/<name>: an input image (an upload or a shipped example) for the Load Image widget and for
// remote workers. With accounts on, `mayRead` (read-access.ts) decides; refused looks exactly like unknown.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { isPlainModelName } from '../../nodes/engine/params';
import { IMAGE_MIME, sniffImageFile } from '../artifacts/image-kind';
import type { InputReadCheck } from './read-access';
import { percentDecode } from '../http/percent-decode';

export const INPUTS_PREFIX = '/api/inputs/';
/** Names the handler looks for; what a file is served as comes from its bytes. */
const IMAGE_NAME = /\.(png|jpe?g|webp)$/i;

function sendJson(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** The name after the prefix; undefined when its percent-escapes are broken (`%zz`), which names no file. */
function pathName(url: string | undefined): string | undefined {
  return percentDecode(new URL(url ?? '/', 'http://localhost').pathname.slice(INPUTS_PREFIX.length));
}

export function createInputHandler(inputDirs: readonly string[], mayRead: InputReadCheck = async () => true) {
  return async function handleInput(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendJson(res, 405, 'method_not_allowed', 'upload images with inputs.upload; this path only reads them');
    }
    const name = pathName(req.url);
    if (!name || !isPlainModelName(name) || !IMAGE_NAME.test(name)) return sendJson(res, 404, 'not_found', `no input image "${name ?? ''}"`);
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
      // Uploads were decoded when stored, but a file dropped into the folder by hand was not: check its bytes.
      const kind = await sniffImageFile(file);
      if (!kind) return sendJson(res, 403, 'not_an_image', `input "${name}" is not a PNG, JPEG or WebP image, so it is not served`);
      res.writeHead(200, {
        'Content-Type': IMAGE_MIME[kind], 'Content-Length': st.size, 'Cache-Control': 'private, max-age=3600', 'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file).pipe(res);
      return;
    }
    sendJson(res, 404, 'not_found', `no input image "${name}"`);
  };
}
