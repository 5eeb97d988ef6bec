// A real OpenID provider for the tests: panva's `oidc-provider` (an OpenID Certified
// implementation), on loopback, with its development sign-in and consent pages. Started by
// `partner_login_testkit::OidcProvider`; nothing here imitates the protocol.
//
// Environment:
//   OIDC_PROVIDER_MODULE  the installed package's folder (tools/node_modules/oidc-provider)
//   PORT                  the port to listen on (127.0.0.1)
//   CLIENTS               JSON: [{client_id, client_secret, redirect_uris: [...]}, ...]
//   ACCOUNTS              JSON: {"<login>": {claims...}}; any other login signs in as an
//                         account whose `email` is the login, verified. An `amr` member
//                         (an array, RFC 8176) is not a claim of the account: it is how the
//                         sign-in went, and the ID token's `amr` says it.
// Prints "listening on <issuer>" when ready.
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const moduleDir = process.env.OIDC_PROVIDER_MODULE;
const port = Number(process.env.PORT);
const clients = JSON.parse(process.env.CLIENTS || '[]');
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const { default: Provider } = await import(pathToFileURL(path.join(moduleDir, 'lib/index.js')).href);

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...c,
  })),
  pkce: { required: () => true },
  claims: {
    // `amr` only when the test's account has one (see ACCOUNTS above).
    openid: ['sub', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  cookies: { keys: ['partner-login test provider'] },
  async findAccount(ctx, login) {
    const { amr, ...own } = accounts[login] || {};
    const claims = { email: login, email_verified: true, ...own };
    return {
      accountId: login,
      async claims() {
        return { sub: login, ...claims };
      },
    };
  },
});
// The development sign-in page finishes the login with an account id only: add the `amr` the
// test gave that account, as a real provider does after its own factors.
const finished = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => {
  const amr = result?.login && accounts[result.login.accountId]?.amr;
  if (amr) result.login.amr = amr;
  return finished(req, res, result, options);
};
provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error', err));

http.createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
