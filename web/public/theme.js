// The colour theme the owner picked (web/src/state/theme.ts), applied before the first paint:
// a blocking script in <head>, so a dark choice never flashes light. An external file because
// the page's CSP allows no inline script.
try {
  var t = localStorage.getItem('pocketpaw.theme');
  if (t === 'light' || t === 'dark') document.documentElement.setAttribute('data-theme', t);
} catch (e) {}
