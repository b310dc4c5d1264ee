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
  // The contact form: the subcategory list offers the chosen category's subcategories only.
  function subcategoriesOfCategory() {
    var category = document.getElementById('f-category');
    var sub = document.getElementById('f-subcategory');
    if (!category || !sub) {
      return;
    }
    Array.prototype.forEach.call(sub.querySelectorAll('optgroup'), function (group) {
      var mine = group.getAttribute('data-category') === category.value;
      group.hidden = !mine;
      group.disabled = !mine;
    });
    var chosen = sub.options[sub.selectedIndex];
    if (chosen && chosen.parentNode.tagName === 'OPTGROUP' && chosen.parentNode.disabled) {
      sub.value = '';
    }
  }
  document.addEventListener('change', function (e) {
    if (e.target && e.target.id === 'f-category') {
      subcategoriesOfCategory();
    }
  });
  document.addEventListener('DOMContentLoaded', subcategoriesOfCategory);
  // A part of a page that refreshes itself (htmx polling) is not replaced while someone works in it: a refresh
  // waits while the focus is inside (a counsellor being chosen, a button about to be pressed).
  document.addEventListener('htmx:beforeRequest', function (e) {
    var elt = e.detail && e.detail.elt;
    var focused = document.activeElement;
    if (elt && elt.hasAttribute && elt.hasAttribute('data-hold-while-focused') && focused && focused !== document.body
        && elt.contains(focused)) {
      e.preventDefault();
    }
  });
})();
