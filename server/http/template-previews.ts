// GET/HEAD /api/template-previews/<name>.png: the shipped picture of a template (workflows/previews/, made by
// `npm run templates:previews`), public like the template list; URLs carry the file's hash, so browsers keep them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { workflowsDir } from '../paths';

export const TEMPLATE_PREVIEWS_PREFIX = '/api/template-previews/';
const PLAIN_PNG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.png$/;

function previewPath(templateFile: string, dir: string): string {
  return path.join(dir, 'previews', templateFile.replace(/\.json$/, '.png'));
}

/** The preview's URL with its content hash (`?v=`), or null when the template has no shipped preview. */
export function templatePreviewUrl(templateFile: string, dir = workflowsDir): string | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(previewPath(templateFile, dir));
  } catch {
    return null;
  }
  const v = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return `${TEMPLATE_PREVIEWS_PREFIX}${encodeURIComponent(path.basename(previewPath(templateFile, dir)))}?v=${v}`;
}

export function createTemplatePreviewHandler(dir = workflowsDir) {
  return function handleTemplatePreview(req: http.IncomingMessage, res: http.ServerResponse): void {
    const fail = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ error: { code, message } }));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return fail(405, 'method_not_allowed', 'template previews are read-only: use GET');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const name = url.pathname.slice(TEMPLATE_PREVIEWS_PREFIX.length);
    // Plain file names only: nothing outside workflows/previews/ can be named.
    const bytes = PLAIN_PNG_NAME.test(name) ? readOrNull(path.join(dir, 'previews', name)) : null;
    if (!bytes) return fail(404, 'not_found', `no template preview "${name}"`);
    res.writeHead(200, {
      'Content-Type': 'image/png',
      'Content-Length': String(bytes.length),
      // A changed picture gets a new ?v= in the template list, so a versioned URL never goes stale.
      'Cache-Control': url.searchParams.has('v') ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
}

function readOrNull(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}
