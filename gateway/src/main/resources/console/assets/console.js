// The console's own script (no inline script anywhere: the Content-Security-Policy allows this origin's files only).
(function () {
  'use strict';
  // htmx requests carry the session's CSRF token, from <meta name="csrf-token"> (forms carry it as a field).
  document.addEventListener('htmx:configRequest', function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      e.detail.headers['X-CSRF-Token'] = meta.content;
    }
  });
  // Forms that change something for someone else ask first (data-confirm holds the question).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      e.preventDefault();
    }
  });
})();
