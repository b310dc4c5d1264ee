// The public report form, enhanced: one step at a time (Back / Next), and a small proof of work (hashcash over
// the form's token with SHA-256) sent with the form. Without this script the form works as it is: every step on
// one page and one Send button. Nothing here talks to the network except the form's own POST.
(function () {
  'use strict';
  var form = document.getElementById('report-form');
  if (!form) {
    return;
  }
  var steps = Array.prototype.slice.call(form.querySelectorAll('fieldset.step'));
  var back = document.getElementById('back');
  var next = document.getElementById('next');
  var send = document.getElementById('send');
  var working = document.getElementById('working');
  var current = 0;

  // Start on the first step with a problem (the server shows the form again with what to correct).
  for (var i = 0; i < steps.length; i++) {
    if (steps[i].querySelector('.invalid')) {
      current = i;
      break;
    }
  }

  function show(n) {
    current = n;
    steps.forEach(function (s, k) { s.hidden = k !== n; });
    back.hidden = n === 0;
    next.hidden = n === steps.length - 1;
    send.hidden = n !== steps.length - 1;
  }

  // What the browser can check by itself on this step (a category chosen on the first).
  function stepOk(n) {
    var radios = steps[n].querySelectorAll('input[type=radio][required]');
    if (radios.length && !steps[n].querySelector('input[type=radio]:checked')) {
      radios[0].reportValidity();
      return false;
    }
    return true;
  }

  back.addEventListener('click', function () { show(Math.max(0, current - 1)); });
  next.addEventListener('click', function () {
    if (stepOk(current)) {
      show(Math.min(steps.length - 1, current + 1));
      window.scrollTo(0, 0); // the danger numbers stay in sight at every step
    }
  });
  show(current);

  var bits = parseInt(form.getAttribute('data-pow-bits'), 10) || 0;
  var subtle = window.crypto && window.crypto.subtle;

  function zeroBits(buf) {
    var bytes = new Uint8Array(buf);
    var n = 0;
    for (var k = 0; k < bytes.length; k++) {
      if (bytes[k] === 0) {
        n += 8;
        continue;
      }
      var b = bytes[k];
      while ((b & 0x80) === 0) {
        n++;
        b <<= 1;
      }
      return n;
    }
    return n;
  }

  // Finds a counter whose hash has enough leading zero bits, 64 hashes at a time.
  function work(token) {
    var enc = new TextEncoder();
    function batch(from) {
      var tries = [];
      for (var c = from; c < from + 64; c++) {
        tries.push(subtle.digest('SHA-256', enc.encode(token + ':' + c)));
      }
      return Promise.all(tries).then(function (hashes) {
        for (var h = 0; h < hashes.length; h++) {
          if (zeroBits(hashes[h]) >= bits) {
            return String(from + h);
          }
        }
        return from > 4000000 ? '' : batch(from + 64);
      });
    }
    return batch(0);
  }

  var sending = false;
  form.addEventListener('submit', function (e) {
    if (sending) {
      e.preventDefault();
      return;
    }
    if (!stepOk(0)) {
      e.preventDefault();
      show(0);
      return;
    }
    sending = true;
    send.disabled = true;
    working.hidden = false;
    if (!subtle || !bits || !window.TextEncoder || !window.Promise) {
      return; // sent as it is, without the proof: the server accepts that too
    }
    e.preventDefault();
    work(document.getElementById('token').value).then(function (counter) {
      document.getElementById('pow').value = counter;
      form.submit();
    }, function () {
      form.submit();
    });
  });
})();
