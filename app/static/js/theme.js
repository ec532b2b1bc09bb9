// Follow the system's light or dark setting with Bootstrap's colour modes (data-bs-theme on <html>).
// Loaded synchronously in <head>, before the stylesheets, so the first paint is already in the right scheme.
(function () {
  'use strict';
  var dark = window.matchMedia('(prefers-color-scheme: dark)');
  function apply() {
    document.documentElement.setAttribute('data-bs-theme', dark.matches ? 'dark' : 'light');
  }
  apply();
  dark.addEventListener('change', apply);
})();
