// The static sign-in shell (issue 21): `cargo xtask dist` writes a snapshot of the sign-in
// screen the app renders into dist/index.html (<main id="pl-shell">) and this classic script
// into its <head>. It runs before the body is parsed (tiny, fetched beside the CSS), so:
// 1. the shell is hidden (class `pl-noshell` on <html>, style/main.css) where the app will not
//    show the English sign-in screen: another route than the base path, or another language
//    (`?lang=`, the switcher's stored choice, the browser's language: ui::wanted_lang's order);
// 2. the shell's form never submits (ASVS 5.0 V14.2.1: no password in a URL);
// 3. when the app's own screen is in the DOM, what was typed into the shell is put into the
//    app's fields (an `input` event, so its signals see it), the focus and caret move to the
//    same field, and the shell is removed: all in one MutationObserver callback, before the
//    next paint, so nothing flickers or jumps.
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
  if (lang !== 'en' || (path !== base && path + '/' !== base)) {
    root.classList.add('pl-noshell');
  }
  var shell = function () {
    return doc.getElementById('pl-shell');
  };
  doc.addEventListener(
    'submit',
    function (e) {
      var s = shell();
      if (s && s.contains(e.target)) e.preventDefault();
    },
    true,
  );
  var takeOver = function (observer) {
    var s = shell();
    if (!s) return observer.disconnect();
    var app = null;
    var mains = doc.querySelectorAll('body > main');
    for (var i = 0; i < mains.length; i++) {
      if (mains[i] !== s && mains[i].querySelector('h1')) app = mains[i];
    }
    if (!app) return;
    observer.disconnect();
    var active = doc.activeElement;
    var focused = s.contains(active) ? active.id : null;
    var start = focused && active.selectionStart;
    var end = focused && active.selectionEnd;
    var typed = [];
    var fields = s.querySelectorAll('input[id], select[id], textarea[id]');
    for (var j = 0; j < fields.length; j++) {
      var f = fields[j];
      var changed = f.tagName === 'SELECT' ? !f.options[f.selectedIndex].defaultSelected : f.value !== f.defaultValue;
      if (changed) typed.push([f.id, f.value, f.tagName === 'SELECT' ? 'change' : 'input']);
    }
    s.remove();
    for (var k = 0; k < typed.length; k++) {
      var target = doc.getElementById(typed[k][0]);
      if (!target) continue;
      target.value = typed[k][1];
      target.dispatchEvent(new Event(typed[k][2], { bubbles: true }));
    }
    var again = focused && doc.getElementById(focused);
    if (!again) return;
    again.focus({ preventScroll: true });
    // The caret too (an email field has none); again once the app has written the value
    // back from its state (its effects run in microtasks, before this timer).
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
