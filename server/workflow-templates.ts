// The shipped example workflows (workflows/*.json) offered as templates in the library.
import fs from 'node:fs';
import path from 'node:path';
import { workflowsDir } from './paths';
import { templatePreviewUrl } from './http/template-previews';

export interface WorkflowTemplate {
  file: string;
  name: string;
  description: string;
  /** The picture of what it makes (workflows/previews/), or null when none is shipped. */
  previewUrl: string | null;
}

export class TemplateError extends Error {
  constructor(readonly file: string, message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export function listTemplates(dir = workflowsDir): WorkflowTemplate[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      try {
        const meta = readTemplateGraph(file, dir).meta ?? {};
        return [{
          file,
          name: typeof meta.name === 'string' ? meta.name : file.replace(/\.json$/, ''),
          description: typeof meta.description === 'string' ? meta.description : '',
          previewUrl: templatePreviewUrl(file, dir),
        }];
      } catch {
        return []; // a broken example must not hide the others
      }
    });
}

/** Reads one template by its file name; only plain names inside the workflows folder. */
export function readTemplateGraph(file: string, dir = workflowsDir): { meta?: Record<string, unknown> } & Record<string, unknown> {
  if (file !== path.basename(file) || !file.endsWith('.json')) {
    throw new TemplateError(file, `template "${file}" must be a file name like image-ops.json`);
  }
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) {
    throw new TemplateError(file, `no template "${file}"; available: ${fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).join(', ') : 'none'}`);
  }
  return JSON.parse(fs.readFileSync(full, 'utf8'));
}
