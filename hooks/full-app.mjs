// Trunk post_build hook (Trunk.toml): one WASM per group of screens (issue 21, src/groups.rs).
//
// Trunk writes each `data-type="worker"` rust link of index.html (the sign-up group, sign-up.js
// and sign-up_bg.wasm; the full app, partner-login.js and partner-login_bg.wasm) without a
// content hash. This names them <name>-<hash>.js and <name>-<hash>_bg.wasm (the hash: the
// first 16 hex digits of the SHA-256 of both files; the server's `is_hashed_asset` and a CDN
// cache such names forever), puts the names in index.html's boot.js element (data-signup-js,
// data-signup-wasm, data-full-js, data-full-wasm: Trunk's pattern_script wrote the unhashed
// names there) and adds the SRI hash (sha384) of the six files boot.js may load (data-js-sri,
// data-wasm-sri, data-signup-js-sri, ..., data-full-wasm-sri).
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
// Each worker-linked WASM: its cargo bin (Trunk's file name) and its boot.js attributes' prefix.
const WORKERS = [
  ['sign-up', 'signup'],
  ['partner-login', 'full'],
];
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
  // wasm-streams' three classes in a glue (`IntoUnderlyingSource`, `…Sink`, `…ByteSource`,
  // their finalization registries and dispose hooks): the WASM's exports they call are removed
  // by wasm-opt (index.html's `--remove-exports`), and nothing makes one (no import of the glue
  // builds one; leptos links wasm-streams through server_fn). Exported, terser would keep them.
  // If wasm-bindgen writes them another way, the glue is left whole (still correct).
  const withoutStreams = (code) => {
    const out = code
      .replace(/^export class IntoUnderlying\w+ \{\n[\s\S]*?\n\}\n/gm, '')
      .replace(/^if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype\[.*\n/gm, '')
      .replace(/^const IntoUnderlying\w+Finalization = [^;]*;\n/gm, '');
    return out.includes('IntoUnderlying') || out.includes('intounderlying') ? code : out;
  };
  const minify = async (name, module) => {
    const code = readFileSync(at(name), 'utf8');
    const kept = module ? withoutStreams(code) : code;
    const out = await terser.minify(kept, { module, compress: {}, mangle: {} });
    writeFileSync(at(name), out.code);
    console.log(`hooks/full-app.mjs: ${name} minified, ${code.length} → ${out.code.length} B`);
  };
  await minify(file(signInJs), true);
  for (const [name] of WORKERS) await minify(`${name}.js`, true);
  await minify('boot.js', false);
  await minify('shell.js', false);
}

const set = {
  'data-js-sri': sri(readFileSync(at(file(signInJs)))),
  'data-wasm-sri': sri(readFileSync(at(file(signInWasm)))),
};
let element = tag[0];
for (const [name, prefix] of WORKERS) {
  const jsUrl = attr(`data-${prefix}-js`);
  const wasmUrl = attr(`data-${prefix}-wasm`);
  if (file(jsUrl) !== `${name}.js` || file(wasmUrl) !== `${name}_bg.wasm`) {
    throw new Error(`data-${prefix}-js / data-${prefix}-wasm must name ${name}.js and ${name}_bg.wasm`);
  }
  const js = readFileSync(at(`${name}.js`));
  const wasm = readFileSync(at(`${name}_bg.wasm`));
  const hash = createHash('sha256').update(js).update(wasm).digest('hex').slice(0, 16);
  const hashedJs = `${name}-${hash}.js`;
  const hashedWasm = `${name}-${hash}_bg.wasm`;
  renameSync(at(`${name}.js`), at(hashedJs));
  renameSync(at(`${name}_bg.wasm`), at(hashedWasm));
  set[`data-${prefix}-js`] = `${base(jsUrl)}${hashedJs}`;
  set[`data-${prefix}-wasm`] = `${base(wasmUrl)}${hashedWasm}`;
  set[`data-${prefix}-js-sri`] = sri(js);
  set[`data-${prefix}-wasm-sri`] = sri(wasm);
  element = element
    .replace(new RegExp(`\\s+data-${prefix}-js=(?:"[^"]*"|'[^']*'|[^\\s>]+)`), '')
    .replace(new RegExp(`\\s+data-${prefix}-wasm=(?:"[^"]*"|'[^']*'|[^\\s>]+)`), '');
  console.log(`hooks/full-app.mjs: ${name} is ${hashedJs}, ${hashedWasm}`);
}
// Each language file's `?v=` (build.rs: the FNV-1a 64 of locales/<tag>.json, 16 hex digits),
// as data-l<tag>, so that boot.js fetches the reader's file beside the WASM under the very name
// the WASM asks for (src/i18n/mod.rs `Lang::file_name`): data-lfr, data-les, ... (not English,
// which is compiled in).
const fnv1a = (bytes) => {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
};
for (const lang of ['fr', 'es', 'ar', 'zh', 'ru']) {
  set[`data-l${lang}`] = fnv1a(readFileSync(at(`${lang}.json`)));
}
const added = Object.entries(set).map(([k, v]) => ` ${k}="${v}"`).join('');
element = element.replace(/^<script\b/, `<script${added}`);
html = html.replace(tag[0], element);
writeFileSync(htmlFile, html);
