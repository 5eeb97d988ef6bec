// Loads the WASM application without an inline script, so the page works under a strict
// Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval'). Trunk's pattern_script gives
// the hashed file names as data attributes of this script element.
(function () {
  var me = document.currentScript;
  import(me.dataset.js).then(function (bindings) {
    return bindings.default({ module_or_path: me.dataset.wasm });
  });
})();
