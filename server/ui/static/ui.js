// lunawall UI behaviour (CSP script-src 'self'): CSRF header for htmx, set counts, and the apply dialog
// (live steps over SSE, the confirm countdown, and LuCI-style retrying of Confirm while the router is unreachable).
(function () {
  'use strict';
  var csrf = function () {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  };

  document.addEventListener('htmx:config:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    if (ctx && ctx.request && ctx.request.headers) ctx.request.headers['X-CSRF-Token'] = csrf();
  });

  document.addEventListener('input', function (evt) {
    var t = evt.target;
    if (!t || !t.dataset || !t.dataset.countTarget) return;
    var out = document.getElementById(t.dataset.countTarget);
    if (!out) return;
    var n = t.value.split('\n').filter(function (l) { return l.trim() !== ''; }).length;
    out.textContent = n + (n === 1 ? ' element' : ' elements');
  });

  var inFlight = ['pending', 'preflighted', 'loading', 'probing', 'rolling_back'];
  var terminal = ['confirmed', 'rolled_back', 'rollback_failed', 'failed'];
  var timers = [];
  var source = null;
  var sleep = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };

  function stopAll() {
    timers.forEach(clearInterval);
    timers = [];
    if (source) { source.close(); source = null; }
  }

  function dialogHost(dlg) {
    var backdrop = dlg.closest('#apply-backdrop');
    return { el: backdrop || dlg, modal: backdrop ? '1' : '0' };
  }

  function replaceDialog(html) {
    var dlg = document.getElementById('apply-dialog');
    if (!dlg) return;
    var host = dialogHost(dlg);
    var tpl = document.createElement('template');
    tpl.innerHTML = html.trim();
    var fresh = tpl.content.firstElementChild;
    if (!fresh) return;
    stopAll();
    host.el.replaceWith(fresh);
    init();
  }

  async function refresh(id) {
    var dlg = document.getElementById('apply-dialog');
    if (!dlg) return;
    try {
      var res = await fetch('/applies/' + encodeURIComponent(id) + '/dialog?modal=' + dialogHost(dlg).modal, { headers: { 'HX-Request': 'true' }, cache: 'no-store' });
      if (res.ok) {
        var html = await res.text();
        var probe = document.createElement('template');
        probe.innerHTML = html.trim();
        var d = probe.content.querySelector('#apply-dialog');
        if (d && d.dataset.state !== dlg.dataset.state) replaceDialog(html);
        return true;
      }
    } catch (e) { /* unreachable for a moment: try again on the next tick */ }
    return false;
  }

  function streamSteps(dlg) {
    var id = dlg.dataset.applyId;
    var list = dlg.querySelector('#apply-steps');
    source = new EventSource('/applies/' + encodeURIComponent(id) + '/events');
    source.addEventListener('reset', function () { if (list) list.textContent = ''; });
    source.addEventListener('step', function (e) {
      var s = JSON.parse(e.data);
      if (list) {
        var li = document.createElement('li');
        li.className = s.kind === 'error' ? 'fail' : 'ok';
        li.textContent = s.message;
        list.appendChild(li);
      }
      if (inFlight.indexOf(s.state) < 0) refresh(id);
    });
    source.addEventListener('end', function () { refresh(id); });
    // A slow network or a dropped stream must not leave the dialog stale.
    timers.push(setInterval(function () { refresh(id); }, 3000));
  }

  function countdown(dlg) {
    var id = dlg.dataset.applyId;
    var deadline = Number(dlg.dataset.deadline);
    var skew = Number(dlg.dataset.now) - Date.now();
    var windowS = Number(dlg.dataset.window) || 1;
    var retry = dlg.querySelector('[data-retry]');
    var tick = function () {
      var left = Math.max(0, Math.ceil((deadline - (Date.now() + skew)) / 1000));
      dlg.querySelectorAll('[data-countdown]').forEach(function (el) { el.textContent = String(left); });
      var bar = dlg.querySelector('[data-progress]');
      if (bar) bar.value = Math.min(100, Math.round((left * 100) / windowS));
      if (left === 0 && retry && retry.hidden) {
        retry.hidden = false;
        retry.textContent = 'Failed to confirm apply within ' + windowS + 's, waiting for rollback…';
      }
    };
    tick();
    timers.push(setInterval(tick, 1000));
    timers.push(setInterval(function () { refresh(id); }, 2000));
  }

  async function postForm(form) {
    return fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { 'HX-Request': 'true', 'X-CSRF-Token': csrf() },
      signal: AbortSignal.timeout ? AbortSignal.timeout(5000) : undefined,
    });
  }

  /** Like LuCI: keep confirming about once a second until the router answers or the window is long gone. */
  async function confirmLoop(form, dlg) {
    var retry = dlg.querySelector('[data-retry]');
    var deadline = Number(dlg.dataset.deadline);
    var skew = Number(dlg.dataset.now) - Date.now();
    form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    for (;;) {
      try {
        var res = await postForm(form);
        if (res.status < 500) { replaceDialog(await res.text()); return; }
      } catch (e) { /* network error: the router may be busy reloading its rules */ }
      if (retry) { retry.hidden = false; retry.textContent = 'The router does not answer; still trying to confirm…'; }
      if (Date.now() + skew > deadline + 30000) {
        if (retry) retry.textContent = 'Could not reach the router to confirm; it has rolled back by itself.';
        return;
      }
      await sleep(1000);
    }
  }

  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    var dlg = form && form.closest && form.closest('#apply-dialog');
    if (!dlg || !form.dataset.applyAction) return;
    evt.preventDefault();
    if (form.dataset.applyAction === 'confirm') { confirmLoop(form, dlg); return; }
    form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    postForm(form).then(function (r) { return r.text(); }).then(replaceDialog, function () { refresh(dlg.dataset.applyId); });
  });

  var initialState = null;

  function init() {
    var dlg = document.getElementById('apply-dialog');
    if (!dlg) return;
    var state = dlg.dataset.state;
    if (initialState === null) initialState = state;
    if (inFlight.indexOf(state) >= 0) streamSteps(dlg);
    else if (state === 'awaiting_confirm') countdown(dlg);
    // Like LuCI after "Configuration changes applied.": once the apply settles, reload so the badge,
    // the journal and the summary show the new state (the dialog stays until dismissed if it rolled back).
    else if (terminal.indexOf(state) >= 0 && terminal.indexOf(initialState) < 0) setTimeout(function () { location.reload(); }, 1500);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
