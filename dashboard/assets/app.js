// The resilience dashboard: draws the snapshots pushed on
// /dashboard/events and drives the manual controls. Plain JavaScript, no
// framework, nothing loaded from elsewhere.
'use strict';

(() => {
  const POINTS = 60; // sparkline history per series
  const MAX_EVENTS = 100;
  const token = document.querySelector('meta[name="dashboard-token"]').content;
  const controlsMode = document.body.dataset.controls; // on, remote or off

  const $ = (id) => document.getElementById(id);
  const grid = $('instances');
  const eventList = $('events');
  const connText = $('connection-text');
  const conn = $('connection');
  const updated = $('updated');
  const actionStatus = $('action-status');

  const cards = new Map(); // name -> card view
  const histories = new Map(); // policy/name -> {rps, err, rej, p50, p99}
  let targets = new Map(); // kind/name -> target
  let events = []; // newest last
  let lastSeq = 0;
  let uid = 0;

  if (controlsMode === 'remote') {
    const note = $('controls-note');
    note.textContent = 'Controls are disabled: they only work from this host, at localhost or 127.0.0.1.';
    note.hidden = false;
  }

  // ---- helpers -----------------------------------------------------------

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // stateClass maps any policy state to a colour class.
  function stateClass(state) {
    switch (state) {
      case 'closed': case 'healthy': case 'serving': case 'ready': case 'up':
        return 'ok';
      case 'half_open': case 'degraded': case 'probing': case 'enabled': case 'metrics_only':
        return 'warn';
      case 'open': case 'forced_open': case 'ejected': case 'unhealthy': case 'down': case 'failing':
        return 'bad';
      default:
        return 'neutral';
    }
  }

  function label(state) {
    return String(state).replace(/_/g, ' ');
  }

  function setState(badge, state) {
    badge.textContent = state ? label(state) : 'no state';
    badge.dataset.state = state || '';
    badge.className = 'state state-' + (state || 'none') + ' ' + stateClass(state);
  }

  function num(v, digits) {
    if (!Number.isFinite(v)) return '–';
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return v.toFixed(digits);
  }

  function pct(v) {
    return Number.isFinite(v) ? num(v * 100, 1) + '%' : '–';
  }

  // duration formats nanoseconds; 0 is below the clock's resolution.
  function duration(ns) {
    if (!Number.isFinite(ns) || ns < 0) return '–';
    if (ns === 0) return '<1ms';
    if (ns < 1e3) return ns.toFixed(0) + 'ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(ns < 1e4 ? 1 : 0) + 'µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1) + 'ms';
    return (ns / 1e9).toFixed(2) + 's';
  }

  function clock(t) {
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour12: false });
  }

  function rate(inst, kind) {
    return (inst.rate_10s && inst.rate_10s[kind]) || 0;
  }

  // ---- sparklines (canvas) -------------------------------------------------

  function sparkline(title) {
    const c = el('canvas', 'spark');
    c.width = 120;
    c.height = 28;
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', title + ', last ' + POINTS + ' updates');
    return c;
  }

  function draw(canvas, series, colors) {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 120;
    const h = canvas.clientHeight || 28;
    if (canvas.width !== Math.round(w * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    let max = 0;
    for (const s of series) for (const v of s) max = Math.max(max, v);
    if (max <= 0) max = 1;
    series.forEach((s, i) => {
      if (s.length === 0) return;
      const step = w / (POINTS - 1);
      const x0 = w - (s.length - 1) * step;
      const y = (v) => h - 2 - (v / max) * (h - 4);
      ctx.beginPath();
      s.forEach((v, j) => (j ? ctx.lineTo(x0 + j * step, y(v)) : ctx.moveTo(x0, y(v))));
      ctx.strokeStyle = colors[i];
      ctx.lineWidth = 1.5;
      ctx.stroke();
      if (i === 0) {
        ctx.lineTo(w, h);
        ctx.lineTo(x0, h);
        ctx.closePath();
        ctx.globalAlpha = 0.12;
        ctx.fillStyle = colors[i];
        ctx.fill();
        ctx.globalAlpha = 1;
      }
    });
  }

  function push(arr, v) {
    arr.push(Number.isFinite(v) ? v : 0);
    if (arr.length > POINTS) arr.shift();
  }

  // ---- views ---------------------------------------------------------------

  function cardFor(name) {
    let card = cards.get(name);
    if (card) return card;
    const root = el('article', 'card');
    root.dataset.name = name;
    const head = el('header', 'card-head');
    const h3 = el('h3', '', name);
    head.append(h3);
    const body = el('div', 'card-body');
    root.append(head, body);
    card = { root, body, sections: new Map() };
    cards.set(name, card);
    const names = [...cards.keys()].sort();
    const next = names[names.indexOf(name) + 1];
    grid.insertBefore(root, next ? cards.get(next).root : null);
    $('empty').hidden = true;
    return card;
  }

  function metric(dl, title, spark) {
    const box = el('div', 'metric');
    const dt = el('dt', '', title);
    const dd = el('dd', '', '–');
    box.append(dt, dd);
    let canvas = null;
    if (spark) {
      canvas = sparkline(title);
      box.append(canvas);
    }
    dl.append(box);
    return { dd, canvas };
  }

  function sectionFor(policy, name) {
    const card = cardFor(name);
    let v = card.sections.get(policy);
    if (v) return v;
    const root = el('section', 'policy');
    root.dataset.policy = policy;
    root.dataset.name = name;
    const head = el('div', 'policy-head');
    const h4 = el('h4', '', policy);
    const badge = el('span');
    badge.dataset.policy = policy;
    badge.dataset.name = name;
    setState(badge, '');
    badge.hidden = true;
    head.append(h4, badge);
    const dl = el('dl', 'metrics');
    v = {
      root, badge, dl, policy, name,
      rps: metric(dl, 'requests/s', true),
      err: metric(dl, 'errors', true),
      rej: metric(dl, 'rejected', true),
      lat: metric(dl, 'p50/p99', true),
      gauges: el('div', 'gauges'),
      gaugeViews: new Map(),
      controls: el('div', 'controls'),
    };
    dl.hidden = true;
    root.append(head, dl, v.gauges, v.controls);
    card.sections.set(policy, v);
    const policies = [...card.sections.keys()].sort(byPolicy);
    const next = policies[policies.indexOf(policy) + 1];
    card.body.insertBefore(root, next ? card.sections.get(next).root : null);
    return v;
  }

  // Policies in a card come in pipeline order, the breaker first; others
  // follow by name.
  const policyOrder = ['circuitbreaker', 'ratelimit', 'bulkhead', 'adaptive', 'retry', 'timeout', 'hedge', 'fallback', 'chaos'];
  function byPolicy(a, b) {
    const ia = policyOrder.indexOf(a);
    const ib = policyOrder.indexOf(b);
    if (ia !== ib) return (ia < 0 ? policyOrder.length : ia) - (ib < 0 ? policyOrder.length : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function history(key) {
    let h = histories.get(key);
    if (!h) {
      h = { rps: [], err: [], rej: [], p50: [], p99: [] };
      histories.set(key, h);
    }
    return h;
  }

  function updateInstance(inst) {
    const v = sectionFor(inst.policy, inst.name);
    if (inst.state) {
      setState(v.badge, inst.state);
      v.badge.hidden = false;
    }
    const ok = rate(inst, 'success');
    const failed = rate(inst, 'failure');
    const rejected = rate(inst, 'rejected') + rate(inst, 'shadow_rejected');
    const calls = ok + failed;
    const requests = calls + rejected;
    const lat = inst.recent_latency && inst.recent_latency.count ? inst.recent_latency : inst.latency || {};
    const h = history(inst.policy + '/' + inst.name);
    push(h.rps, requests);
    push(h.err, calls ? failed / calls : 0);
    push(h.rej, requests ? rejected / requests : 0);
    push(h.p50, lat.p50_ns || 0);
    push(h.p99, lat.p99_ns || 0);
    const seen = Object.keys(inst.counts || {}).length > 0;
    v.dl.hidden = !seen;
    if (seen) {
      v.rps.dd.textContent = num(requests, 1);
      v.err.dd.textContent = calls ? pct(failed / calls) : '–';
      v.rej.dd.textContent = requests ? pct(rejected / requests) : '–';
      v.lat.dd.textContent = lat.count ? duration(lat.p50_ns || 0) + ' / ' + duration(lat.p99_ns || 0) : '–';
      draw(v.rps.canvas, [h.rps], ['#0550ae']);
      draw(v.err.canvas, [h.err], ['#cf222e']);
      draw(v.rej.canvas, [h.rej], ['#9a6700']);
      draw(v.lat.canvas, [h.p99, h.p50], ['#6639ba', '#8c959f']);
    }
    updateGauges(v, (inst.gauges && inst.gauges.values) || {});
  }

  // updateGauges renders every gauge generically: ratios and usage as
  // meters, the rest as numbers.
  function updateGauges(v, values) {
    const capacity = values.max_concurrent || values.limit || values.workers || 0;
    const keys = Object.keys(values).sort();
    for (const [k, g] of v.gaugeViews) {
      if (!(k in values)) {
        g.root.remove();
        v.gaugeViews.delete(k);
      }
    }
    for (const k of keys) {
      const x = values[k];
      let max = 0;
      if (/(_ratio|utilization|probability)$/.test(k)) max = 1;
      else if (k === 'in_flight' && capacity > 0) max = capacity;
      else if (k === 'queued' && values.queue_size > 0) max = values.queue_size;
      let g = v.gaugeViews.get(k);
      if (!g || g.max > 0 !== max > 0) {
        if (g) g.root.remove();
        g = gauge(v, k, max > 0);
        v.gaugeViews.set(k, g);
        v.gauges.append(g.root);
      }
      g.max = max;
      if (max > 0) {
        g.meter.max = max;
        g.meter.low = max * 0.5;
        g.meter.high = max * 0.8;
        g.meter.optimum = 0;
        g.meter.value = Math.min(Math.max(x, 0), max);
        g.value.textContent = max === 1 ? pct(x) : num(x, 0) + ' / ' + num(max, 0);
      } else if (/_seconds$/.test(k)) {
        g.value.textContent = x === 0 ? '0s' : duration(x * 1e9);
      } else {
        g.value.textContent = num(x, Number.isInteger(x) ? 0 : 2);
      }
    }
  }

  function gauge(v, key, withMeter) {
    const root = el('div', 'gauge');
    const id = 'g' + ++uid;
    const name = el('label', 'gauge-name', label(key.replace(/_seconds$/, '')));
    name.htmlFor = id;
    const value = el('output', 'gauge-value');
    value.htmlFor = id;
    root.append(name);
    let meter = null;
    if (withMeter) {
      meter = el('meter');
      meter.id = id;
      meter.min = 0;
      root.append(meter);
    } else {
      value.id = id;
    }
    root.append(value);
    return { root, meter, value, max: withMeter ? 1 : 0 };
  }

  // ---- controls ------------------------------------------------------------

  const breakerActions = [
    ['force-open', 'Force open'],
    ['force-close', 'Force close'],
    ['reset', 'Reset'],
  ];

  function updateControls(t) {
    const v = sectionFor(t.kind, t.name);
    if (t.kind === 'circuitbreaker') {
      setState(v.badge, t.state);
      v.badge.hidden = false;
    } else if (t.kind === 'chaos') {
      setState(v.badge, t.state);
      v.badge.hidden = false;
    }
    if (controlsMode === 'off') return;
    if (!v.buttons) {
      v.buttons = new Map();
      const list = t.kind === 'chaos'
        ? [['enable', 'Enable chaos'], ['disable', 'Disable chaos']]
        : breakerActions;
      for (const [action, text] of list) {
        const b = el('button', 'btn btn-' + action, text);
        b.type = 'button';
        b.dataset.kind = t.kind === 'chaos' ? 'chaos' : 'breakers';
        b.dataset.name = t.name;
        b.dataset.action = action;
        b.setAttribute('aria-label', text + ' ' + t.name);
        v.buttons.set(action, b);
        v.controls.append(b);
      }
    }
    for (const [action, b] of v.buttons) {
      let off = controlsMode !== 'on' || b.dataset.busy === '1';
      if (t.kind === 'chaos') off = off || (action === 'enable') === (t.state === 'enabled');
      if (t.kind === 'circuitbreaker' && action === 'force-open') off = off || t.state === 'forced_open';
      b.disabled = off;
    }
  }

  grid.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-action]');
    if (b && !b.disabled) control(b);
  });

  function status(text, bad) {
    actionStatus.textContent = text;
    actionStatus.classList.toggle('error', Boolean(bad));
  }

  async function control(b) {
    const { kind, name, action } = b.dataset;
    b.dataset.busy = '1';
    b.disabled = true;
    try {
      const res = await fetch('/dashboard/api/' + kind + '/' + encodeURIComponent(name) + '/' + action, {
        method: 'POST',
        headers: { 'X-Dashboard-Token': token },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      const text = await res.text();
      if (!res.ok) {
        status(action + ' ' + name + ' failed: ' + text.trim(), true);
        return;
      }
      const r = JSON.parse(text);
      targets.set(r.target.kind + '/' + r.target.name, r.target);
      addEvent(r.event);
      status(action + ' ' + name + ': done, now ' + label(r.target.state));
    } catch (e) {
      status(action + ' ' + name + ' failed: ' + e.message, true);
    } finally {
      delete b.dataset.busy;
      for (const t of targets.values()) updateControls(t);
    }
  }

  // ---- events --------------------------------------------------------------

  function eventItem(e) {
    const li = el('li', 'event');
    const time = el('time', 'event-time', clock(e.time));
    time.dateTime = e.time;
    li.append(time, el('span', 'event-who', e.policy + ' ' + e.name));
    if (e.from || e.to) {
      const change = el('span', 'event-change');
      if (e.from) change.append(el('span', 'state-text ' + stateClass(e.from), label(e.from)), ' → ');
      change.append(el('span', 'state-text ' + stateClass(e.to), label(e.to)));
      li.append(change);
    } else {
      li.append(el('span', 'event-change', label(e.kind)));
    }
    if (e.detail) li.append(el('span', 'event-detail', e.detail));
    if (e.error) li.append(el('span', 'event-detail', e.error));
    return li;
  }

  function renderEvents() {
    eventList.replaceChildren(...events.slice().reverse().map(eventItem));
    eventList.start = events.length ? events[events.length - 1].seq : 0;
    $('no-events').hidden = events.length > 0;
  }

  // addEvent shows a new event and applies the state it reports at once.
  function addEvent(e) {
    if (!e || e.seq <= lastSeq) return;
    lastSeq = e.seq;
    events.push(e);
    if (events.length > MAX_EVENTS) events.shift();
    renderEvents();
    if (!e.to) return;
    const kind = e.policy === 'chaos' ? 'chaos' : e.policy;
    const key = kind + '/' + e.name;
    if (e.kind === 'state_change' || e.kind === 'fault') {
      const v = cards.get(e.name) && cards.get(e.name).sections.get(e.policy);
      if (v) {
        setState(v.badge, e.to);
        v.badge.hidden = false;
      }
      const t = targets.get(key);
      if (t) {
        t.state = e.to;
        updateControls(t);
      }
    }
  }

  // ---- stream --------------------------------------------------------------

  function onSnapshot(s) {
    if (s.events) {
      const fresh = s.events.filter((e) => e.seq > lastSeq);
      if (s.events.length && s.events[s.events.length - 1].seq < lastSeq) {
        // The server restarted: start the list again.
        events = [];
        lastSeq = 0;
      }
      events = events.concat(fresh).slice(-MAX_EVENTS);
      if (events.length) lastSeq = events[events.length - 1].seq;
      renderEvents();
    }
    const seen = new Set();
    for (const inst of s.instances || []) {
      updateInstance(inst);
      seen.add(inst.policy + '/' + inst.name);
    }
    targets = new Map((s.targets || []).map((t) => [t.kind + '/' + t.name, t]));
    for (const t of targets.values()) {
      updateControls(t);
      seen.add(t.kind + '/' + t.name);
    }
    for (const [name, card] of cards) {
      for (const [policy, v] of card.sections) {
        if (!seen.has(policy + '/' + name)) {
          v.root.remove();
          card.sections.delete(policy);
        }
      }
      if (card.sections.size === 0) {
        card.root.remove();
        cards.delete(name);
      }
      const worst = [...card.sections.values()].map((v) => v.badge.classList.contains('bad') ? 2 : v.badge.classList.contains('warn') ? 1 : 0);
      card.root.dataset.health = ['ok', 'warn', 'bad'][Math.max(0, ...worst)];
    }
    $('empty').hidden = cards.size > 0;
    updated.textContent = clock(s.time);
    updated.dateTime = s.time;
  }

  function setConnection(state, text) {
    conn.dataset.state = state;
    connText.textContent = text;
  }

  let source = null;
  function connect() {
    source = new EventSource('/dashboard/events');
    source.addEventListener('open', () => setConnection('live', 'live'));
    source.addEventListener('snapshot', (m) => onSnapshot(JSON.parse(m.data)));
    source.addEventListener('event', (m) => addEvent(JSON.parse(m.data)));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (too many pages open, or the server stopped): try again.
        setConnection('down', 'disconnected, retrying…');
        source.close();
        setTimeout(connect, 5000);
      } else {
        setConnection('down', 'reconnecting…');
      }
    });
  }
  connect();
})();
