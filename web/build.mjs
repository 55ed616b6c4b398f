// Bundle the front end: node web/build.mjs --outdir DIR
//
// Writes DIR/app.js (iife, minified, es2020), DIR/app.css (our styles and uPlot's) and
// DIR/index.html. CMake embeds the three files into the qneuro binary; `qneuro report` inlines
// app.js and app.css into report.html, so the bundle must not contain "</script" (esbuild
// escapes it in strings) or "</style". Works offline from web/node_modules.

import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const i = argv.indexOf('--outdir');
  if (i < 0 || !argv[i + 1]) {
    console.error('usage: node build.mjs --outdir DIR');
    process.exit(2);
  }
  return { outdir: resolve(argv[i + 1]) };
}

async function main() {
  const { outdir } = parseArgs(process.argv.slice(2));
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: here,
    entryPoints: [join(here, 'frontend/src/main.js')],
    bundle: true,
    format: 'iife',
    minify: true,
    target: 'es2020',
    outfile: join(outdir, 'app.js'),
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'frontend/index.html'), join(outdir, 'index.html'));
  // The report inlines these files into <script> and <style>: refuse what would end them early.
  const js = readFileSync(join(outdir, 'app.js'), 'utf8');
  const css = readFileSync(join(outdir, 'app.css'), 'utf8');
  if (/<\/script/i.test(js) || /<!--/.test(js)) throw new Error('app.js contains "</script" or "<!--": it cannot be inlined into report.html');
  if (/<\/style/i.test(css)) throw new Error('app.css contains "</style": it cannot be inlined into report.html');
}

main().catch((e) => {
  console.error(e && e.message ? e.message : e);
  process.exit(1);
});
