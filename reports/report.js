/* stormguard report: sorting, filtering and lazy device sections, no server, no libraries.
 * Data comes from the JSON blob in #sg-data (see stormguard/report/render.py page_payload).
 * Untrusted text is only ever set with textContent / attribute setters, never as HTML. */
(function () {
  'use strict';
  var PAGE = 250;
  var D = JSON.parse(document.getElementById('sg-data').textContent);
  var S = D.s, F = D.f, DEV = D.d, SEV = D.sev;
  var coll = new Intl.Collator(undefined, {numeric: true, sensitivity: 'base'});
  var CHG = ['', 'new', 'persisting'];

  function str(i) { return (i === null || i < 0) ? '' : S[i]; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function sevBadge(i) { return el('span', 'sev sev-' + SEV[i], SEV[i]); }
  function $(id) { return document.getElementById(id); }

  // finding row -> device index
  var devOf = new Int32Array(F.length);
  DEV.forEach(function (d, i) { for (var k = d[7]; k < d[7] + d[8]; k++) devOf[k] = i; });
  var idIndex = null;
  function findingIndex(id) {
    if (!idIndex) { idIndex = {}; for (var k = 0; k < F.length; k++) idIndex[F[k][0]] = k; }
    return Object.prototype.hasOwnProperty.call(idIndex, id) ? idIndex[id] : -1;
  }

  // ------------------------------------------------------------------ filters
  var st = {sev: '', rule: '', site: '', dev: '', chg: '', col: 'sev', dir: -1, limit: PAGE};
  function fillSelect(sel, ids) {
    ids.map(function (i) { return [i, str(i)]; })
      .sort(function (a, b) { return coll.compare(a[1], b[1]); })
      .forEach(function (p) { var o = el('option', null, p[1]); o.value = String(p[0]); sel.appendChild(o); });
  }
  fillSelect($('flt-rule'), D.rules);
  fillSelect($('flt-site'), D.sites);
  $('sg-filters').hidden = false;

  function findingMatches(r) {
    if (st.sev !== '' && r[1] !== +st.sev) return false;
    if (st.rule !== '' && r[2] !== +st.rule) return false;
    if (st.site !== '' && r[4] !== +st.site) return false;
    if (st.chg !== '' && r[11] !== +st.chg) return false;
    if (st.dev && str(r[3]).toLowerCase().indexOf(st.dev) < 0) return false;
    return true;
  }
  function findingFilterOn() { return st.sev !== '' || st.rule !== '' || st.chg !== ''; }

  // ------------------------------------------------------------------ findings table
  var KEYS = {
    sev: function (r) { return r[1]; }, rule: function (r) { return str(r[2]); },
    dev: function (r) { return str(r[3]); }, site: function (r) { return str(r[4]); },
    iface: function (r) { return str(r[5]); }, line: function (r) { return r[6] === null ? -1 : r[6]; },
    chg: function (r) { return r[11]; }, msg: function (r) { return str(r[7]); }
  };
  var matched = [];
  function compute() {
    matched = [];
    for (var k = 0; k < F.length; k++) if (findingMatches(F[k])) matched.push(k);
    var key = KEYS[st.col], dir = st.dir;
    var numeric = (st.col === 'sev' || st.col === 'line' || st.col === 'chg');
    var keys = new Array(F.length);
    matched.forEach(function (k) { keys[k] = key(F[k]); });
    matched.sort(function (a, b) {
      var c = numeric ? keys[a] - keys[b] : coll.compare(keys[a], keys[b]);
      return c ? c * dir : a - b;  // ties: device order (rows are grouped by device name)
    });
  }
  function drawTable() {
    var body = $('sg-findings-body');
    var frag = document.createDocumentFragment();
    var n = Math.min(st.limit, matched.length);
    for (var j = 0; j < n; j++) {
      var k = matched[j], r = F[k], tr = el('tr');
      var td = el('td'); td.appendChild(sevBadge(r[1])); tr.appendChild(td);
      td = el('td'); td.appendChild(el('code', null, str(r[2]))); tr.appendChild(td);
      td = el('td'); var a = el('a', null, str(r[3])); a.href = '#' + DEV[devOf[k]][1]; td.appendChild(a); tr.appendChild(td);
      tr.appendChild(el('td', null, str(r[4])));
      tr.appendChild(el('td', null, str(r[5])));
      tr.appendChild(el('td', 'n', r[6] === null ? '' : String(r[6])));
      td = el('td'); if (r[11]) td.appendChild(el('span', 'chg chg-' + CHG[r[11]], CHG[r[11]])); tr.appendChild(td);
      td = el('td'); a = el('a', null, str(r[7])); a.href = '#' + r[0]; td.appendChild(a); tr.appendChild(td);
      frag.appendChild(tr);
    }
    body.textContent = '';
    body.appendChild(frag);
    $('sg-findings-count').textContent = 'Showing ' + n.toLocaleString() + ' of ' +
      matched.length.toLocaleString() + ' matching findings (' + F.length.toLocaleString() + ' active in total).';
    var more = $('sg-more');
    more.hidden = n >= matched.length;
    more.textContent = 'Show ' + Math.min(PAGE * 4, matched.length - n).toLocaleString() + ' more';
    document.querySelectorAll('#sg-findings th[data-col]').forEach(function (th) {
      if (th.getAttribute('data-col') === st.col) th.setAttribute('aria-sort', st.dir < 0 ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    });
  }
  $('sg-more').addEventListener('click', function () { st.limit += PAGE * 4; drawTable(); });
  document.querySelectorAll('#sg-findings th[data-col] button').forEach(function (b) {
    b.addEventListener('click', function () {
      var col = b.parentNode.getAttribute('data-col');
      if (st.col === col) st.dir = -st.dir; else { st.col = col; st.dir = (col === 'sev' || col === 'chg') ? -1 : 1; }
      compute(); drawTable();
    });
  });

  // ------------------------------------------------------------------ device sections
  // Devices are drawn a page at a time (DEV_PAGE), in the chosen order, among those matching the
  // filters; an element is built once, on first use, and filled only when opened.
  var DEV_PAGE = 300;
  var devEls = new Array(DEV.length);
  var box = $('sg-devices');
  function devSummary(d) {
    var s = el('summary');
    if (d[10] >= 0) s.appendChild(sevBadge(d[10]));
    else if (d[5] === 'failed') s.appendChild(el('span', 'sev sev-failed', 'failed'));
    else s.appendChild(el('span', 'sev sev-ok', 'ok'));
    s.appendChild(document.createTextNode(' '));
    s.appendChild(el('span', 'dn', str(d[0])));
    s.appendChild(document.createTextNode(' '));
    s.appendChild(el('span', 'muted', str(d[2]) + (d[3] >= 0 ? ' · ' + str(d[3]) : '')));
    var c = d[8] + ' finding' + (d[8] === 1 ? '' : 's');
    if (d[9]) c += ' · ' + d[9] + ' waived';
    if (d[6] >= 0) c += ' · collection failed: ' + str(d[6]);
    s.appendChild(el('span', 'cnt', c));
    return s;
  }
  function devEl(i) {
    var det = devEls[i];
    if (det) return det;
    var d = DEV[i];
    det = el('details', 'dev st-' + d[5]);
    det.id = d[1];
    det.setAttribute('data-i', String(i));
    det.appendChild(devSummary(d));
    devEls[i] = det;
    return det;
  }
  function pre(text) { return el('pre', null, text); }
  function findingBlock(k) {
    var r = F[k], art = el('article', 'finding'), h = el('header');
    art.id = r[0];
    h.appendChild(sevBadge(r[1])); h.appendChild(document.createTextNode(' '));
    h.appendChild(el('code', 'rule', str(r[2]))); h.appendChild(document.createTextNode(' '));
    h.appendChild(r[5] >= 0 ? el('span', 'iface', str(r[5])) : el('span', 'iface muted', 'device-wide'));
    if (r[6] !== null) { h.appendChild(document.createTextNode(' ')); h.appendChild(el('span', 'muted', 'line ' + r[6])); }
    if (r[11]) { h.appendChild(document.createTextNode(' ')); h.appendChild(el('span', 'chg chg-' + CHG[r[11]], CHG[r[11]])); }
    var a = el('a', 'anchor', '#'); a.href = '#' + r[0]; a.title = 'Link to this finding';
    h.appendChild(document.createTextNode(' ')); h.appendChild(a);
    art.appendChild(h);
    art.appendChild(el('p', 'msg', str(r[7])));
    if (r[8] >= 0 || r[9] >= 0) {
      var ea = el('div', 'ea'), e = el('div'), x = el('div');
      e.appendChild(el('h5', null, 'Expected')); e.appendChild(pre(str(r[8])));
      x.appendChild(el('h5', null, 'Actual')); x.appendChild(pre(str(r[9])));
      ea.appendChild(e); ea.appendChild(x); art.appendChild(ea);
    }
    if (r[10] >= 0) { art.appendChild(el('h5', null, 'Remediation')); var p = pre(str(r[10])); p.className = 'fix'; art.appendChild(p); }
    if (r[13] >= 0) art.appendChild(el('p', 'src muted', 'source: ' + str(r[13])));
    return art;
  }
  function fill(i) {
    var det = devEl(i);
    if (det.getAttribute('data-filled')) return det;
    var d = DEV[i], body = el('div', 'body');
    if (d[4] >= 0) body.appendChild(el('p', 'desc', str(d[4])));
    for (var k = d[7]; k < d[7] + d[8]; k++) body.appendChild(findingBlock(k));
    if (!d[8]) body.appendChild(el('p', 'muted', d[5] === 'failed' ? 'Collection failed: ' + str(d[6]) + '.' : 'No active findings.'));
    det.appendChild(body);
    det.setAttribute('data-filled', '1');
    return det;
  }
  Array.prototype.forEach.call(box.children, function (det) { devEls[+det.getAttribute('data-i')] = det; });
  box.addEventListener('toggle', function (ev) { var t = ev.target; if (t.open) fill(+t.getAttribute('data-i')); }, true);
  ['dev-sort-label', 'dev-expand', 'dev-collapse'].forEach(function (id) { $(id).hidden = false; });
  var moreDev = el('button', null, '');
  moreDev.type = 'button';
  moreDev.id = 'sg-more-devices';
  box.parentNode.appendChild(moreDev);

  var devSort = 'worst', devLimit = DEV_PAGE, devShown = [];
  function devOrder() {
    var idx = DEV.map(function (d, i) { return i; });
    if (devSort === 'worst') idx.sort(function (a, b) { return (DEV[b][10] - DEV[a][10]) || (DEV[b][8] - DEV[a][8]) || (a - b); });
    return idx;
  }
  var ordered = devOrder();
  function filterDevices() {
    var site = st.site === '' ? null : +st.site, hits = null;
    if (findingFilterOn()) { hits = new Uint8Array(DEV.length); matched.forEach(function (k) { hits[devOf[k]] = 1; }); }
    devShown = ordered.filter(function (i) {
      var d = DEV[i];
      if (site !== null && d[3] !== site) return false;
      if (st.dev && str(d[0]).toLowerCase().indexOf(st.dev) < 0) return false;
      return !hits || hits[i] === 1;
    });
  }
  function drawDevices() {
    var frag = document.createDocumentFragment(), n = Math.min(devLimit, devShown.length);
    for (var j = 0; j < n; j++) frag.appendChild(devEl(devShown[j]));
    box.textContent = '';
    box.appendChild(frag);
    $('sg-devices-count').textContent = 'Showing ' + n.toLocaleString() + ' of ' + devShown.length.toLocaleString() +
      ' matching devices (' + DEV.length.toLocaleString() + ' in total). ';
    moreDev.hidden = n >= devShown.length;
    moreDev.textContent = 'Show ' + Math.min(DEV_PAGE * 4, devShown.length - n).toLocaleString() + ' more devices';
  }
  moreDev.addEventListener('click', function () { devLimit += DEV_PAGE * 4; drawDevices(); });
  $('dev-sort').addEventListener('change', function (e) { devSort = e.target.value; ordered = devOrder(); filterDevices(); drawDevices(); });
  function showDevice(i) {  // a linked device that is not on the current page goes on top
    var det = fill(i);
    if (!det.isConnected) { det.classList.add('pinned'); box.insertBefore(det, box.firstChild); }
    det.open = true;
    return det;
  }
  $('dev-expand').addEventListener('click', function () {
    Array.prototype.slice.call(box.children, 0, 200).forEach(function (det) { fill(+det.getAttribute('data-i')).open = true; });
  });
  $('dev-collapse').addEventListener('click', function () { devEls.forEach(function (d) { if (d && d.open) d.open = false; }); });

  // ------------------------------------------------------------------ small server-rendered tables
  function filterSmallTables() {
    var sevName = st.sev === '' ? null : SEV[+st.sev], rule = st.rule === '' ? null : str(+st.rule);
    var site = st.site === '' ? null : str(+st.site);
    document.querySelectorAll('table.filterable tbody tr').forEach(function (tr) {
      var ok = true, v;
      if (sevName !== null && (v = tr.getAttribute('data-sev')) !== null && v !== sevName) ok = false;
      if (ok && rule !== null && (v = tr.getAttribute('data-rule')) !== null && v !== rule) ok = false;
      if (ok && site !== null && (v = tr.getAttribute('data-site')) !== null && v !== site) ok = false;
      if (ok && st.dev && (v = tr.getAttribute('data-dev')) !== null && v.toLowerCase().indexOf(st.dev) < 0) ok = false;
      tr.hidden = !ok;
    });
  }
  function cellKey(tr, i) {
    var td = tr.cells[i];
    if (!td) return '';
    var v = td.getAttribute('data-sort');
    return v !== null ? v : td.textContent.trim();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var ths = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, i) {
      var b = th.querySelector('button');
      if (!b) return;
      b.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(ths, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var num = rows.every(function (tr) { var k = cellKey(tr, i); return k === '' || !isNaN(parseFloat(k)) && isFinite(k); });
        rows.sort(function (a, b) {
          var x = cellKey(a, i), y = cellKey(b, i);
          return dir * (num ? (parseFloat(x || '0') - parseFloat(y || '0')) : coll.compare(x, y));
        });
        rows.forEach(function (tr) { body.appendChild(tr); });
      });
    });
  });

  // ------------------------------------------------------------------ wiring
  function apply() {
    st.limit = PAGE;
    devLimit = DEV_PAGE;
    compute(); drawTable(); filterDevices(); drawDevices(); filterSmallTables();
    var on = [st.sev, st.rule, st.site, st.dev, st.chg].some(function (v) { return v !== ''; });
    $('flt-status').textContent = on ? matched.length.toLocaleString() + ' findings match' : '';
  }
  var timer = null;
  [['flt-sev', 'sev'], ['flt-rule', 'rule'], ['flt-site', 'site'], ['flt-change', 'chg']].forEach(function (p) {
    $(p[0]).addEventListener('change', function (e) { st[p[1]] = e.target.value; apply(); });
  });
  $('flt-dev').addEventListener('input', function (e) {
    clearTimeout(timer);
    timer = setTimeout(function () { st.dev = e.target.value.trim().toLowerCase(); apply(); }, 150);
  });
  $('flt-reset').addEventListener('click', function () {
    ['flt-sev', 'flt-rule', 'flt-site', 'flt-change', 'flt-dev'].forEach(function (id) { $(id).value = ''; });
    st.sev = st.rule = st.site = st.dev = st.chg = '';
    apply();
  });

  function reveal() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (!h) return;
    var target = null;
    if (h.indexOf('f-') === 0) {
      var k = findingIndex(h);
      if (k >= 0) { showDevice(devOf[k]); target = document.getElementById(h); }
    } else if (h.indexOf('dev-') === 0) {
      var di = -1;
      for (var j = 0; j < DEV.length; j++) if (DEV[j][1] === h) { di = j; break; }
      if (di >= 0) target = showDevice(di);
    }
    if (target) {
      var old = document.querySelector('.hl');
      if (old) old.classList.remove('hl');
      target.classList.add('hl');
      target.scrollIntoView({block: 'start'});
    }
  }
  window.addEventListener('hashchange', reveal);
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="#"]');
    if (a && a.getAttribute('href') === location.hash) reveal();
  });

  // printing: every matching device, expanded (filled first); restored afterwards
  var printed = [];
  window.addEventListener('beforeprint', function () {
    devLimit = Infinity; drawDevices();
    Array.prototype.forEach.call(box.children, function (det) {
      if (!det.open) { fill(+det.getAttribute('data-i')).open = true; printed.push(det); }
    });
  });
  window.addEventListener('afterprint', function () {
    printed.forEach(function (d) { d.open = false; }); printed = [];
    devLimit = DEV_PAGE; drawDevices();
  });

  apply();
  reveal();
  document.documentElement.setAttribute('data-ready', '1');
})();
