import process from 'node:process';
// Builds the operations console into dist/console: one minified ES module and one stylesheet,
// both named by content hash, and index.html pointing at them. No CDN, nothing fetched at run time.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'console');
const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 8).toUpperCase();

const js = await build({
  entryPoints: [join(root, 'console', 'src', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  write: false,
  legalComments: 'none',
});
const code = js.outputFiles[0].contents;
const css = await readFile(join(root, 'console', 'style.css'));
const jsName = `app-${hash(code)}.js`;
const cssName = `style-${hash(css)}.css`;
await mkdir(out, { recursive: true });
for (const f of await readdir(out)) await rm(join(out, f));
await writeFile(join(out, jsName), code);
await writeFile(join(out, cssName), css);
const html = (await readFile(join(root, 'console', 'index.html'), 'utf8')).replace('__JS__', jsName).replace('__CSS__', cssName);
await writeFile(join(out, 'index.html'), html);
process.stdout.write(`console: ${jsName} ${code.length} bytes, ${cssName} ${css.length} bytes\n`);
