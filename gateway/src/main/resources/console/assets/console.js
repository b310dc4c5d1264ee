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

  // ---- The live board and the screen-pop: one EventSource per page of a counsellor or supervisor
  // (<meta name="console-events">, Server-Sent Events). Event "board": the board's new content (the board page
  // only, ?board=1); "pop": a call was put through to you, go to its contact card; "ended": the session is over.
  var offset = 0; // the gateway's clock minus this browser's, from the last board reading (data-now)
  var dirty = false; // something typed into a form on this page that a pop must not throw away

  function two(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function elapsed(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor(s / 60) % 60;
    return h > 0 ? h + ':' + two(m) + ':' + two(s % 60) : Math.floor(s / 60) + ':' + two(s % 60);
  }

  function syncClock(root) {
    var live = root && root.querySelector('[data-now]');
    if (live) {
      offset = Number(live.getAttribute('data-now')) - Date.now();
    }
  }

  // Waiting and talking times count up here, every second, without asking the gateway.
  function tick() {
    var now = Date.now() + offset;
    var clocks = document.querySelectorAll('.ticker[data-since]');
    for (var i = 0; i < clocks.length; i++) {
      clocks[i].textContent = elapsed(now - Number(clocks[i].getAttribute('data-since')));
    }
  }

  function swapBoard(target, html) {
    var focused = document.activeElement && document.activeElement.id;
    target.innerHTML = html;
    syncClock(target);
    tick();
    if (focused && document.activeElement === document.body) {
      var again = document.getElementById(focused);
      if (again) {
        again.focus();
      }
    }
  }

  function popTo(path) {
    if (!/^\/console\/contacts\/[0-9a-f-]{36}$/.test(path) || window.location.pathname === path) {
      return;
    }
    if (dirty) {
      // never throw away what a counsellor is typing: say so and let her choose
      var notice = document.getElementById('pop-notice');
      var link = document.getElementById('pop-link');
      if (notice && link) {
        link.setAttribute('href', path);
        notice.hidden = false;
        link.focus();
      }
      return;
    }
    window.location.assign(path);
  }

  document.addEventListener('input', function (e) {
    var form = e.target && e.target.form;
    if (form && form.id !== 'presence-form') {
      dirty = true;
    }
  });
  document.addEventListener('submit', function () {
    dirty = false;
  });

  function startEvents() {
    var meta = document.querySelector('meta[name="console-events"]');
    if (!meta || !meta.content || !window.EventSource) {
      return;
    }
    var board = document.getElementById('board-live');
    var source = new EventSource(meta.content + (board ? '?board=1' : ''));
    source.addEventListener('board', function (e) {
      if (board) {
        swapBoard(board, e.data);
      }
    });
    source.addEventListener('pop', function (e) {
      popTo(e.data);
    });
    source.addEventListener('ended', function () {
      source.close();
      window.location.reload(); // the login page, and back here after signing in
    });
    source.addEventListener('error', function () {
      // closed for good (signed out, the gateway gone): try the page again in a while; else it reconnects itself
      if (source.readyState === EventSource.CLOSED) {
        window.setTimeout(function () { window.location.reload(); }, 10000);
      }
    });
    window.addEventListener('pagehide', function () {
      source.close();
    });
  }

  function start() {
    syncClock(document);
    tick();
    window.setInterval(tick, 1000);
    startEvents();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
