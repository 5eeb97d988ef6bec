// A test relying party: panva's `openid-client` 6.x (an OpenID Certified relying party), on
// loopback, signing people in at an OpenID Provider with the authorization code flow and PKCE.
// Started by `partner_login_testkit::TestRelyingParty`; every protocol check is the library's
// (discovery, state, iss, nonce, the ID token's signature and claims, max_age, userinfo's sub),
// plus the back-channel logout token's, verified here with `jose` (openid-client's own JOSE
// library) as Back-Channel Logout 1.0 §2.6 says.
//
// Environment:
//   OPENID_CLIENT_MODULE  the installed package's folder (tools/node_modules/openid-client)
//   PORT                  the port to listen on (127.0.0.1)
//   ISSUER                the provider's issuer; discovery reads {ISSUER}/.well-known/openid-configuration
//   CLIENT_ID             this relying party's client id at the provider
//   CLIENT_SECRET         its secret (client_secret_basic); absent or empty: a public client
//                         (token_endpoint_auth_method none, PKCE alone)
// Prints "listening on <base url>" once discovery succeeded.
//
// Routes (base = http://127.0.0.1:PORT):
//   GET  /             a page with its two links: "Sign in at …" and "Sign out at the relying party"
//   GET  /login        starts a sign-in; prompt, max_age, login_hint, ui_locales pass through
//   GET  /callback     the redirect_uri: the code exchanged, the ID token verified, userinfo
//                      fetched; a page with <pre id="claims"> or <p id="error">
//   GET  /logout       RP-initiated logout (id_token_hint, or client_id when it holds no ID
//                      token for this browser; post_logout_redirect_uri, state)
//   GET  /logged-out   the post_logout_redirect_uri: <pre id="logout"> (the state received,
//                      whether we sent it, and with id_token_hint or client_id)
//   POST /backchannel  the backchannel_logout_uri (form: logout_token)
//   GET  /backchannel/received  JSON: the claims of every verified logout token, in order (with
//                               its header as _header and the token itself as _token)
//   GET  /backchannel/rejected  JSON: why each refused logout token was refused
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const moduleDir = process.env.OPENID_CLIENT_MODULE;
const port = Number(process.env.PORT);
const issuer = process.env.ISSUER;
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET || '';
const base = `http://127.0.0.1:${port}`;
const redirectUri = `${base}/callback`;
const postLogoutRedirectUri = `${base}/logged-out`;

const client = await import(pathToFileURL(path.join(moduleDir, 'build/index.js')).href);
// jose as openid-client itself resolves it (its dependency, beside it in node_modules).
const require = createRequire(path.join(moduleDir, 'package.json'));
const jose = await import(pathToFileURL(require.resolve('jose')).href);

const auth = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None();
const config = await client.discovery(new URL(issuer), clientId, { redirect_uris: [redirectUri] }, auth, {
  // Loopback over plain HTTP in tests; and the ID token's signature checked against the
  // provider's JWKS even though it came straight from the token endpoint.
  execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
});
const metadata = config.serverMetadata();
const jwks = jose.createRemoteJWKSet(new URL(metadata.jwks_uri));

// Authorization requests started and not yet answered, by state.
const pending = new Map();
// Signed-in browsers (cookie rp_session), by session id: the ID token for logout.
const sessions = new Map();
// Each RP-initiated logout sent: its state → what named the session ('id_token_hint', or
// 'client_id' when this relying party holds no ID token for the browser).
const logouts = new Map();
const received = [];
const rejected = [];

const escape = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page(res, status, title, body, headers = {}) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'",
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
      `<body><h1>${escape(title)}</h1>${body}` +
      `<p><a href="/login">Sign in at the relying party</a> <a href="/logout">Sign out at the relying party</a></p>` +
      `</body></html>`,
  );
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value, null, 2));
}

function cookie(req, name) {
  for (const part of (req.headers.cookie || '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function describe(err) {
  if (err instanceof client.AuthorizationResponseError) {
    return { error: err.error, error_description: err.error_description ?? null };
  }
  if (err instanceof client.ResponseBodyError) {
    return { error: err.error, error_description: err.error_description ?? null, status: err.status };
  }
  const cause = err && err.cause ? ` (${err.cause.message || JSON.stringify(err.cause)})` : '';
  return { error: `${err.name}: ${err.message}${err.code ? ` [${err.code}]` : ''}${cause}` };
}

// OpenID Connect Core §3.1.3.6: at_hash is the left half of SHA-256(access_token), base64url.
function atHashCheck(claims, accessToken) {
  if (claims.at_hash === undefined) return 'missing';
  const digest = crypto.createHash('sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, 16).toString('base64url') === claims.at_hash ? 'valid' : 'mismatch';
}

async function login(req, res, url) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params = {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  for (const name of ['prompt', 'max_age', 'login_hint', 'ui_locales']) {
    const value = url.searchParams.get(name);
    if (value !== null) params[name] = value;
  }
  const maxAge = params.max_age === undefined ? undefined : Number(params.max_age);
  pending.set(state, { codeVerifier, nonce, maxAge });
  const target = client.buildAuthorizationUrl(config, params);
  res.writeHead(303, { location: target.href, 'cache-control': 'no-store' });
  res.end();
}

async function callback(req, res, url) {
  const state = url.searchParams.get('state');
  const checks = pending.get(state);
  if (!checks) {
    page(res, 400, 'Sign-in failed', `<p id="error">unknown state ${escape(state)}</p>`);
    return;
  }
  pending.delete(state);
  try {
    const tokens = await client.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: state,
      expectedNonce: checks.nonce,
      maxAge: checks.maxAge,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    const sid = crypto.randomUUID();
    sessions.set(sid, { idToken: tokens.id_token, claims });
    const shown = {
      id_token: claims,
      userinfo,
      token_type: tokens.token_type,
      scope: tokens.scope ?? null,
      checks: { at_hash: atHashCheck(claims, tokens.access_token), iss: url.searchParams.get('iss') },
    };
    page(res, 200, 'Signed in at the relying party', `<pre id="claims">${escape(JSON.stringify(shown, null, 2))}</pre>`, {
      'set-cookie': `rp_session=${sid}; Path=/; HttpOnly; SameSite=Lax`,
    });
  } catch (err) {
    const problem = describe(err);
    console.error('callback refused:', JSON.stringify(problem));
    page(
      res,
      400,
      'Sign-in failed',
      `<p id="error">${escape(problem.error)}</p><pre id="problem">${escape(JSON.stringify(problem, null, 2))}</pre>`,
    );
  }
}

function logout(req, res) {
  const sid = cookie(req, 'rp_session');
  const session = sid && sessions.get(sid);
  const state = client.randomState();
  const params = { post_logout_redirect_uri: postLogoutRedirectUri, state };
  if (session) {
    params.id_token_hint = session.idToken;
    sessions.delete(sid);
  } else {
    params.client_id = clientId;
  }
  logouts.set(state, session ? 'id_token_hint' : 'client_id');
  const target = client.buildEndSessionUrl(config, params);
  res.writeHead(303, {
    location: target.href,
    'cache-control': 'no-store',
    'set-cookie': 'rp_session=; Path=/; Max-Age=0',
  });
  res.end();
}

function loggedOut(req, res, url) {
  const state = url.searchParams.get('state');
  const sent = (state !== null && logouts.get(state)) || null;
  logouts.delete(state);
  const shown = { state, state_sent_by_us: sent !== null, sent_with: sent };
  page(res, 200, 'Signed out at the relying party', `<pre id="logout">${escape(JSON.stringify(shown, null, 2))}</pre>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// Back-Channel Logout 1.0 §2.6: a JWT signed by the provider, typ logout+jwt, iss, aud, iat,
// jti, the back-channel logout event, sub or sid, and no nonce.
async function backchannel(req, res) {
  const form = await readForm(req);
  const token = form.get('logout_token');
  try {
    if (!token) throw new Error('no logout_token');
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
      issuer: metadata.issuer,
      audience: clientId,
      typ: 'logout+jwt',
      requiredClaims: ['iat', 'jti', 'events'],
    });
    const events = payload.events;
    const event = events && events['http://schemas.openid.net/event/backchannel-logout'];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new Error('events lacks the back-channel logout event');
    }
    if (payload.sub === undefined && payload.sid === undefined) throw new Error('neither sub nor sid');
    if ('nonce' in payload) throw new Error('a logout token must not carry a nonce');
    if (received.some((p) => p.jti === payload.jti)) throw new Error('a replayed jti');
    received.push({ ...payload, _header: protectedHeader, _token: token });
    res.writeHead(200, { 'cache-control': 'no-store' });
    res.end();
  } catch (err) {
    const reason = `${err.code ? `${err.code}: ` : ''}${err.message}`;
    console.error('logout token refused:', reason);
    rejected.push({ reason, token: token ?? null });
    json(res, 400, { error: 'invalid_request', error_description: reason });
  }
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, base);
    try {
      if (req.method === 'GET' && url.pathname === '/') return page(res, 200, 'Test relying party', '');
      if (req.method === 'GET' && url.pathname === '/login') return await login(req, res, url);
      if (req.method === 'GET' && url.pathname === '/callback') return await callback(req, res, url);
      if (req.method === 'GET' && url.pathname === '/logout') return logout(req, res);
      if (req.method === 'GET' && url.pathname === '/logged-out') return loggedOut(req, res, url);
      if (req.method === 'POST' && url.pathname === '/backchannel') return await backchannel(req, res);
      if (req.method === 'GET' && url.pathname === '/backchannel/received') return json(res, 200, received);
      if (req.method === 'GET' && url.pathname === '/backchannel/rejected') return json(res, 200, rejected);
      page(res, 404, 'Not found', '');
    } catch (err) {
      console.error('relying party error:', err);
      if (!res.headersSent) page(res, 500, 'Relying party error', `<p id="error">${escape(describe(err).error)}</p>`);
    }
  })
  .listen(port, '127.0.0.1', () => {
    console.log(`listening on ${base}`);
  });
