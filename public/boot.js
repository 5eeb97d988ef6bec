// Loads the WASM application without an inline script, so the page works under a strict
// Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval'). Trunk's pattern_script and
// hooks/full-app.mjs give the hashed file names and their SRI hashes as data attributes of
// this script element.
//
// One WASM per group of screens (issue 21, src/groups.rs): the routes of SIGN_IN_GROUP, under
// the base path, load the sign-in group's smallest WASM (data-js, data-wasm); those of
// SIGN_UP_GROUP the sign-up group's (data-signup-js, data-signup-wasm); any other address
// loads the full app (data-full-js, data-full-wasm), which has every route. A group's WASM
// loads the page again when it is sent to a route outside its group.
(function () {
  var SIGN_IN_GROUP = ['/'];
  var SIGN_UP_GROUP = ['/signup', '/invitation'];
  // The routes whose download waits for their static shell's paint, and whose app then starts
  // in a task of its own (see below): the sign-up shell's (public/shell.js).
  var PAINT_FIRST = ['/signup'];
  var me = document.currentScript;
  var d = me.dataset;
  var base = new URL(d.js, location.href).pathname.replace(/[^/]*$/, '').replace(/\/$/, '');
  var path = location.pathname;
  var route = path.indexOf(base) === 0 ? path.slice(base.length) || '/' : '';
  var routed = route.charAt(0) === '/';
  // The data attributes of the chosen group: js, wasm, jsSri, wasmSri with its prefix.
  var group = routed && SIGN_IN_GROUP.indexOf(route) >= 0 ? ''
    : routed && SIGN_UP_GROUP.indexOf(route) >= 0 ? 'signup' : 'full';
  var at = function (name) {
    return d[group ? group + name.charAt(0).toUpperCase() + name.slice(1) : name];
  };
  var js = at('js');
  // The module and the WASM are fetched side by side, each checked against its SRI hash, as
  // soon as this script runs: index.html has it in <head> after the style sheet, without
  // `defer`, so it runs once the CSS has arrived (the CSS first on a slow link) and before the
  // body is parsed, while the static shell is laid out and painted (issue 21: at 4× CPU + Slow
  // 4G the download starts about 350 ms earlier than at the shell's paint and the sign-in form
  // works about 340 ms sooner; docs/first-load-levers.md, "The eighth stop"). On `/signup` the
  // download waits for the sign-up shell's paint as before: Lighthouse's simulated LCP holds
  // every request that ended before the observed paint, and with the sign-up group's larger
  // WASM in it `/signup` scored 96–99 instead of 99–100 (`/`: 98–99). The app itself starts
  // once the body is parsed (it draws into it) and, where a static shell shows, once the
  // shell's first paint is recorded, so its start never holds the shell's paint back
  // (public/shell.js, which runs after this script, marks the page: `pl-noshell` hides the
  // sign-in shell, `pl-signup` shows the sign-up one). The paint's entry, not the first
  // frame's callback, which runs before the frame is shown. A hidden tab paints nothing, and a
  // browser without paint entries says nothing: the timer starts the app there.
  // config.json (src/deployment.rs `load`) and, for a reader whose language is not English,
  // its language file (src/i18n/mod.rs `Lang::load`) are fetched beside the WASM, not after its
  // start: one round trip less before the app draws (issue 21). The WASM asks for a file by
  // name (partnerLoginFetch) and takes such a pending fetch once; any other ask fetches now.
  // A failed fetch rejects with its message (for the WASM's error), marked handled until the
  // WASM awaits it. The language: ui::wanted_lang's order (`?lang=`, the switcher's choice,
  // the browser's); its file's `?v=` content hash, data-l<tag> (hooks/full-app.mjs).
  var pending = {};
  var get = function (name, cache) {
    var started = fetch(base + '/' + name, { cache: cache }).catch(function (e) {
      throw String(e);
    });
    started.catch(function () {});
    return started;
  };
  window.partnerLoginFetch = function (name, cache) {
    var started = pending[name] || get(name, cache);
    delete pending[name];
    return started;
  };
  var wanted = function () {
    var stored;
    try {
      stored = sessionStorage.getItem('partner-login.lang');
    } catch (e) {}
    var tags = [new URLSearchParams(location.search).get('lang'), stored, navigator.language];
    for (var i = 0; i < tags.length; i++) {
      var tag = (tags[i] || '').trim().split(/[-_]/)[0].toLowerCase();
      var version = d['l' + tag];
      if (version) return tag + '.json?v=' + version;
      if (tag === 'en') return;
    }
  };
  var module;
  var download = function () {
    if (module) return;
    var preload = document.createElement('link');
    preload.rel = 'modulepreload';
    preload.href = js;
    preload.integrity = at('jsSri') || '';
    document.head.appendChild(preload);
    module = fetch(at('wasm'), { integrity: at('wasmSri') || '' });
    pending['config.json'] = get('config.json', 'no-cache');
    var words = wanted();
    if (words) pending[words] = get(words, 'default');
  };
  var paintFirst = PAINT_FIRST.indexOf(route) >= 0;
  if (!paintFirst) download();
  var started = false;
  var start = function () {
    if (started) return;
    started = true;
    download();
    if (!paintFirst) {
      import(js).then(function (bindings) {
        return bindings.default({ module_or_path: module });
      });
      return;
    }
    // A paint-first route's app starts in a task of its own once its module is compiled, not
    // in the task that ends the compilation: Lighthouse's total blocking time counts each
    // task's part over 50 ms, and there the end of the compilation, the instantiation with
    // `main`, and the first render made one long task and one longer. Six Lighthouse runs of
    // `/signup` each way: total blocking time 121-213 ms (median 155), performance 96-99, as
    // one task; 32-149 ms (median 92), 98-100, split (docs/first-load-levers.md, "The ninth
    // stop"). Not on `/`, whose budget is its form's interactive time at 4× CPU: the extra
    // task lets other work in before the app starts, for no gain in its scores. A server that
    // does not say `application/wasm` makes compileStreaming refuse before reading the body:
    // the response then goes to the glue, which falls back to reading it whole.
    var compiled = WebAssembly.compileStreaming
      ? WebAssembly.compileStreaming(module).catch(function () {
          return module;
        })
      : module;
    Promise.all([import(js), compiled]).then(function (loaded) {
      setTimeout(function () {
        loaded[0].default({ module_or_path: loaded[1] });
      }, 0);
    });
  };
  var parsed = function () {
    var html = document.documentElement.classList;
    if (html.contains('pl-noshell') && !html.contains('pl-signup')) return start();
    var types = window.PerformanceObserver && PerformanceObserver.supportedEntryTypes;
    if (types && types.indexOf('paint') >= 0) {
      new PerformanceObserver(function (list, observer) {
        observer.disconnect();
        start();
      }).observe({ type: 'paint', buffered: true });
    } else {
      requestAnimationFrame(function () {
        setTimeout(start, 0);
      });
    }
    setTimeout(start, 500);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', parsed);
  else parsed();
})();

// Passkeys (issue 20): the sign-in ceremony of src/webauthn.rs, and the sign-in screen's
// passkey button (src/pages/sign_in.rs).
(function () {
  var pending;
  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json', 'x-requested-with': 'partner-login' },
      body: body
    });
  }
  // The sign-in screen's "or" and "Sign in with a passkey" after its form, and its email
  // field's `autocomplete="username webauthn"`, drawn here rather than by the WASM's view
  // (src/pages/sign_in.rs; issue 20's 3 KB), or their words and state set again: true when
  // drawn now. A moment later: in the full app the router mounts the screen after the WASM
  // first calls this.
  var drawing;
  window.partnerLoginPasskeyButton = function (or, label, disabled, busy) {
    var fresh = !drawing && !document.getElementById('passkey-sign-in');
    drawing = true;
    setTimeout(function () {
      drawing = false;
      var password = document.getElementById('password');
      var button = document.getElementById('passkey-sign-in');
      if (!password) return;
      if (!button) {
        var line = document.createElement('p');
        line.className = 'or';
        line.setAttribute('aria-hidden', 'true');
        line.appendChild(document.createElement('span'));
        button = document.createElement('button');
        button.type = 'button';
        button.id = 'passkey-sign-in';
        button.className = 'passkey';
        password.form.after(line, button);
        // The email field offers the passkeys in its autofill (conditional mediation).
        document.getElementById('email').autocomplete = 'username webauthn';
      }
      button.previousSibling.firstChild.textContent = or;
      button.textContent = label;
      button.disabled = disabled;
      if (busy) button.setAttribute('aria-busy', 'true');
      else button.removeAttribute('aria-busy');
    });
    return fresh;
  };
  window.partnerLoginPasskey = function (url, conditional) {
    if (pending) pending.abort();
    if (!url) return (pending = null);
    var signal = (pending = new AbortController()).signal;
    var pkc = PublicKeyCredential;
    var begun;
    return post(url, '{}')
      .then(function (answer) {
        if (!answer.ok) throw answer;
        return Promise.all([answer.json(), !conditional || pkc.isConditionalMediationAvailable()]);
      })
      .then(function (both) {
        if (!both[1]) throw '';
        begun = both[0];
        return navigator.credentials.get({
          publicKey: pkc.parseRequestOptionsFromJSON(begun.options.publicKey),
          mediation: conditional ? 'conditional' : 'optional',
          signal: signal
        });
      })
      .then(function (credential) {
        var body = { ceremony: begun.ceremony, credential: credential.toJSON() };
        return post(url + '/finish', JSON.stringify(body));
      })
      .catch(function (error) {
        throw error instanceof Response ? error : String(error && error.name);
      });
  };
})();
