// The browser's WebAuthn for the SPA (issue 20), JSON text in and out: no WebAuthn types in
// the WASM. wasm-bindgen copies this file next to its glue (a same-origin module, so the CSP's
// `script-src 'self'` holds). Each ceremony takes the server's begin answer as it came
// (`{"ceremony", "options": {"publicKey": …}}`) and gives back the finish body
// (`{"ceremony", "credential": <toJSON()>}`).

let pending = null;

// WebAuthn Level 3's JSON helpers are what this needs (Chromium 129+, Firefox 119+, Safari 18.4+).
export function supported() {
  const pkc = globalThis.PublicKeyCredential;
  return typeof pkc === "function"
    && typeof pkc.parseCreationOptionsFromJSON === "function"
    && typeof pkc.parseRequestOptionsFromJSON === "function"
    && typeof pkc.prototype.toJSON === "function"
    && !!navigator.credentials;
}

// Ends a waiting sign-in (the autofill's, when its page is left or a button takes over).
export function abort() {
  if (pending) {
    pending.abort();
    pending = null;
  }
}

function answer(ceremony, credential) {
  return JSON.stringify({ ceremony, credential: credential.toJSON() });
}

// A new passkey. A waiting autofill sign-in is ended first: one ceremony at a time.
export async function create(begun) {
  abort();
  const { ceremony, options } = JSON.parse(begun);
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey);
  return answer(ceremony, await navigator.credentials.create({ publicKey }));
}

// A sign-in: `conditional` offers the passkeys in the email field's autofill and waits until
// one is chosen or abort() is called; otherwise the browser asks now (the server's
// `mediation` is dropped: a button's sign-in is modal).
export async function get(begun, conditional) {
  abort();
  const { ceremony, options } = JSON.parse(begun);
  if (conditional && !(await PublicKeyCredential.isConditionalMediationAvailable?.())) {
    throw new DOMException("no autofill", "NotSupportedError");
  }
  const controller = new AbortController();
  pending = controller;
  const request = {
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey),
    signal: controller.signal,
  };
  if (conditional) request.mediation = "conditional";
  try {
    return answer(ceremony, await navigator.credentials.get(request));
  } finally {
    if (pending === controller) pending = null;
  }
}

// What a refusal was: the DOMException's name ("NotAllowedError" when the person cancelled).
export function errorName(error) {
  return (error && error.name) || "Error";
}
