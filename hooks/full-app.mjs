// Trunk post_build hook (Trunk.toml): one WASM per group of screens (issue 21, src/groups.rs).
//
// Trunk writes the full app (index.html's `data-type="worker"` rust link) as partner-login.js
// and partner-login_bg.wasm, without a content hash. This names them
// partner-login-<hash>.js and partner-login-<hash>_bg.wasm (the hash: the first 16 hex digits
// of the SHA-256 of both files; the server's `is_hashed_asset` and a CDN cache such names
// forever), puts the names in index.html's boot.js element (data-full-js, data-full-wasm:
// Trunk's pattern_script wrote the unhashed names there) and adds the SRI hash (sha384) of the
// four files boot.js may load (data-js-sri, data-wasm-sri, data-full-js-sri, data-full-wasm-sri).
// It runs in TRUNK_STAGING_DIR, before Trunk moves the build to dist/.
//
// First, in release builds, it minifies the JavaScript Trunk does not (issue 21, "Other bytes
// of the first load" in docs/first-load-levers.md): both wasm-bindgen glues (ES modules) and
// public/boot.js and public/shell.js (classic scripts), with terser (`cargo xtask setup`
// installs it in tools/node_modules at setup.rs's TERSER_VERSION; TOOLS_DIR overrides the
// folder). The hashes and SRI hashes below are then those of the minified files. Only names
// local to a script are mangled, never a property: the glue's import object keys (the WASM's
// import names) and exports stay. Hooks of one stage run side by side in Trunk, so this is one
// hook doing both, in order.

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const stage = process.env.TRUNK_STAGING_DIR;
if (!stage) throw new Error('TRUNK_STAGING_DIR is not set: run by Trunk (Trunk.toml [[hooks]])');
const NAME = 'partner-login';
const at = (file) => path.join(stage, file);
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

const htmlFile = at('index.html');
let html = readFileSync(htmlFile, 'utf8');
// The boot.js element, its attributes quoted or not (Trunk minifies index.html in release).
const tag = html.match(/<script\b[^>]*\bdata-full-js=[^>]*>/);
if (!tag) throw new Error('index.html has no boot.js element with data-full-js (Trunk.toml pattern_script)');
const attr = (name) => {
  const m = tag[0].match(new RegExp(`\\b${name}=(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`));
  if (!m) throw new Error(`the boot.js element has no ${name}`);
  return m[1] ?? m[2] ?? m[3];
};
// A URL of the element (`{base}file`, the base maybe absolute) → the file in the stage.
const file = (url) => decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
const base = (url) => url.slice(0, url.lastIndexOf('/') + 1);
const signInJs = attr('data-js');
const signInWasm = attr('data-wasm');

if (process.env.TRUNK_PROFILE === 'release') {
  const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
  const tools = process.env.TOOLS_DIR ?? path.join(source, 'tools');
  let terser;
  try {
    const resolved = createRequire(path.join(tools, 'package.json')).resolve('terser');
    terser = await import(pathToFileURL(resolved).href);
  } catch (e) {
    throw new Error(`terser is not in ${tools}/node_modules (cargo xtask setup installs it): ${e.message}`);
  }
  const minify = async (name, module) => {
    const code = readFileSync(at(name), 'utf8');
    const out = await terser.minify(code, { module, compress: {}, mangle: {} });
    writeFileSync(at(name), out.code);
    console.log(`hooks/full-app.mjs: ${name} minified, ${code.length} → ${out.code.length} B`);
  };
  await minify(file(signInJs), true);
  await minify(`${NAME}.js`, true);
  await minify('boot.js', false);
  await minify('shell.js', false);
}

const js = readFileSync(at(`${NAME}.js`));
const wasm = readFileSync(at(`${NAME}_bg.wasm`));
const hash = createHash('sha256').update(js).update(wasm).digest('hex').slice(0, 16);
const fullJs = `${NAME}-${hash}.js`;
const fullWasm = `${NAME}-${hash}_bg.wasm`;
renameSync(at(`${NAME}.js`), at(fullJs));
renameSync(at(`${NAME}_bg.wasm`), at(fullWasm));

const fullBase = base(attr('data-full-js'));
if (file(attr('data-full-js')) !== `${NAME}.js` || file(attr('data-full-wasm')) !== `${NAME}_bg.wasm`) {
  throw new Error(`data-full-js / data-full-wasm must name ${NAME}.js and ${NAME}_bg.wasm`);
}
const set = {
  'data-full-js': `${fullBase}${fullJs}`,
  'data-full-wasm': `${fullBase}${fullWasm}`,
  'data-js-sri': sri(readFileSync(at(file(signInJs)))),
  'data-wasm-sri': sri(readFileSync(at(file(signInWasm)))),
  'data-full-js-sri': sri(js),
  'data-full-wasm-sri': sri(wasm),
};
let element = tag[0]
  .replace(/\s+data-full-js=(?:"[^"]*"|'[^']*'|[^\s>]+)/, '')
  .replace(/\s+data-full-wasm=(?:"[^"]*"|'[^']*'|[^\s>]+)/, '');
const added = Object.entries(set).map(([k, v]) => ` ${k}="${v}"`).join('');
element = element.replace(/^<script\b/, `<script${added}`);
html = html.replace(tag[0], element);
writeFileSync(htmlFile, html);
console.log(`hooks/full-app.mjs: the full app is ${fullJs}, ${fullWasm}`);
