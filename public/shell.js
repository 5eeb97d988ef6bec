// The static shells' script (issue 21; how and why: xtask/src/shell.rs). Before the body is
// parsed: shows the sign-in shell on the base path and the sign-up shell on `signup` below
// it, neither where another screen or language comes; their forms never submit (ASVS 5.0
// V14.2.1); at the take-over, typed values, focus and caret go to the app (the sign-up
// shell's ids carry the prefix `pl-su-`, the app's field has the id without it).
(function () {
  var doc = document;
  var root = doc.documentElement;
  var base = new URL(doc.currentScript.src).pathname.replace(/[^/]*$/, '');
  var langs = ['en', 'fr', 'es', 'ar', 'zh', 'ru'];
  var primary = function (tag) {
    tag = (tag || '').trim().split(/[-_]/)[0].toLowerCase();
    return langs.indexOf(tag) < 0 ? null : tag;
  };
  var stored = null;
  try {
    stored = sessionStorage.getItem('partner-login.lang');
  } catch (e) {}
  var lang =
    primary(new URLSearchParams(location.search).get('lang')) ||
    primary(stored) ||
    primary(navigator.language) ||
    'en';
  var path = location.pathname;
  var signup = lang === 'en' && path === base + 'signup';
  if (lang !== 'en' || (path !== base && path + '/' !== base)) {
    root.classList.add('pl-noshell');
  }
  if (signup) root.classList.add('pl-signup');
  var prefix = signup ? 'pl-su-' : '';
  // The shell shown (the other is hidden, and goes at the take-over too).
  var shell = function () {
    return doc.getElementById(signup ? 'pl-shell-signup' : 'pl-shell');
  };
  var inShell = function (node) {
    var a = doc.getElementById('pl-shell');
    var b = doc.getElementById('pl-shell-signup');
    return (a && a.contains(node)) || (b && b.contains(node));
  };
  doc.addEventListener(
    'submit',
    function (e) {
      if (inShell(e.target)) e.preventDefault();
    },
    true,
  );
  var takeOver = function (observer) {
    var s = shell();
    if (!s) return observer.disconnect();
    var app = null;
    var mains = doc.querySelectorAll('body > main');
    for (var i = 0; i < mains.length; i++) {
      if (!inShell(mains[i]) && mains[i].querySelector('h1')) app = mains[i];
    }
    if (!app) return;
    observer.disconnect();
    var active = doc.activeElement;
    var focused = s.contains(active) ? active.id.slice(prefix.length) : null;
    var start = focused && active.selectionStart;
    var end = focused && active.selectionEnd;
    var typed = [];
    var fields = s.querySelectorAll('input[id], select[id], textarea[id]');
    for (var j = 0; j < fields.length; j++) {
      var f = fields[j];
      var changed = f.tagName === 'SELECT' ? !f.options[f.selectedIndex].defaultSelected : f.value !== f.defaultValue;
      if (changed) typed.push([f.id.slice(prefix.length), f.value, f.tagName === 'SELECT' ? 'change' : 'input']);
    }
    s.remove();
    var other = doc.getElementById(signup ? 'pl-shell' : 'pl-shell-signup');
    if (other) other.remove();
    for (var k = 0; k < typed.length; k++) {
      var target = doc.getElementById(typed[k][0]);
      if (!target) continue;
      target.value = typed[k][1];
      target.dispatchEvent(new Event(typed[k][2], { bubbles: true }));
    }
    var again = focused && doc.getElementById(focused);
    if (!again) return;
    again.focus({ preventScroll: true });
    // Again after the app's effects (microtasks) have written its value back.
    var caret = function () {
      try {
        if (start !== null && doc.activeElement === again) again.setSelectionRange(start, end);
      } catch (e) {}
    };
    caret();
    setTimeout(caret, 0);
  };
  doc.addEventListener('DOMContentLoaded', function () {
    if (!shell()) return;
    var observer = new MutationObserver(function () {
      takeOver(observer);
    });
    observer.observe(doc.body, { childList: true, subtree: true });
  });
})();
