import process from 'node:process';
// Builds the operations console into dist/console: one minified ES module and one stylesheet,
// both named by content hash, and index.html pointing at them. No CDN, nothing fetched at run time.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'console');
const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 8).toUpperCase();

// Code splitting: what a page imports lazily (the browser phone's SIP library) becomes its own
// chunk, fetched only when used; the first load is app-*.js and the chunks it imports statically.
const js = await build({
  entryPoints: { app: join(root, 'console', 'src', 'main.ts') },
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  outdir: out,
  write: false,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  legalComments: 'none',
  metafile: true,
});
// esbuild's hashes are base32 (A-Z, 2-7) and 8 long: the names the API caches for a year.
const files = js.outputFiles.map((f) => ({ name: f.path.slice(out.length + 1), code: f.contents }));
const entry = files.find((f) => f.name.startsWith('app-'));
const jsName = entry.name;
const css = await readFile(join(root, 'console', 'style.css'));
const cssName = `style-${hash(css)}.css`;
// Several builds may run at once (the test shards each build before their console tests) while
// a console is being served from the folder: each file is written whole under a temporary name
// and renamed, and only files this build does not produce are removed (force: another build may
// have removed them first). The names are content hashes, so two builds of the same sources agree.
await mkdir(out, { recursive: true });
const put = async (name, bytes) => {
  const tmp = join(out, `.${name}.${process.pid}.tmp`);
  await writeFile(tmp, bytes);
  await rename(tmp, join(out, name));
};
const keep = new Set([...files.map((f) => f.name), cssName, 'index.html']);
for (const f of await readdir(out)) if (!keep.has(f) && !f.startsWith('.')) await rm(join(out, f), { force: true });
for (const f of files) await put(f.name, f.code);
await put(cssName, css);
// First load: the entry and every chunk it imports statically (not the dynamic imports).
const meta = js.metafile.outputs;
const firstLoad = new Set();
const walk = (name) => {
  if (firstLoad.has(name)) return;
  firstLoad.add(name);
  for (const i of meta[`dist/console/${name}`]?.imports ?? []) if (i.kind === 'import-statement') walk(i.path.replace(/^dist\/console\//, ''));
};
walk(jsName);
const firstBytes = files.filter((f) => firstLoad.has(f.name)).reduce((n, f) => n + f.code.length, 0);
const lazyBytes = files.filter((f) => !firstLoad.has(f.name)).reduce((n, f) => n + f.code.length, 0);
const html = (await readFile(join(root, 'console', 'index.html'), 'utf8')).replace('__JS__', jsName).replace('__CSS__', cssName);
await put('index.html', html);
process.stdout.write(`console: ${jsName}, first-load script ${firstBytes} bytes, lazy chunks ${lazyBytes} bytes, ${cssName} ${css.length} bytes\n`);
