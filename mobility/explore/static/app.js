/* mobility explore: the page. Data from the API is only ever put into the page with
   textContent / DOM nodes, never as HTML. No external resources. */
(function () {
  'use strict';

  var LANG = new URLSearchParams(window.location.search).get('lang') === 'en' ? 'en' : 'da';
  var T = {
    da: {
      title: 'Pakke-udforsker', search: 'Søg i indsatser …', all_themes: 'Alle temaer',
      budget_title: 'Bedste pakke for et budget', budget: 'Budget', adopt: 'Brug denne pakke',
      opt_note: 'Optimeret på summen af indsatsernes score, uden ny netværksberegning; den ' +
        'valgte pakke beregnes, når den tages i brug.',
      compare_title: 'Sammenlign to pakker', save_a: 'Gem som A', save_b: 'Gem som B',
      export_title: 'Eksportér pakken', bundle_name: 'Pakkens navn',
      save_yaml: 'Gem som pakkefil (YAML)', paper: 'Beslutningsnotat (Word)',
      totals_title: 'Pakkens virkninger', warnings_title: 'Bemærkninger',
      compare_view: 'A og B side om side', not_modelled: 'ikke modelleret',
      unknown_cost: 'ukendt pris', mdkk: 'mio. kr.', none: 'ingen', empty: 'Ingen indsatser valgt',
      cost: 'Anlægsomkostning (mio. kr.)', pm: 'Sparede personminutter pr. hverdag',
      pt_trips: 'Ekstra kollektive ture pr. hverdag', co2_op: 'CO₂ fra drift (t/år, ændring)',
      co2_con: 'CO₂ fra anlæg (t)', passengers: 'Ekstra passagerer pr. dag (kataloget)',
      synergy: 'Synergi (personminutter)', score: 'Score (0–5)', coverage: 'Dækning',
      npv: 'Nettonutidsværdi (mio. kr.)', bcr: 'Cost-benefit-forhold', gaining: 'Kommuner der vinder',
      ids: 'Indsatser', not_available: 'ikke beregnet endnu', of: 'af',
      computing: 'Beregner', computed: 'beregnet', step: 'scenarie', cached: 'fra cache', seconds: 's',
      warmup: 'Forbereder netværksmodellen', ready: 'Klar', error: 'Fejl',
      legend: 'Tilgængelighed, ændring (%)', worse: 'dårligere', better: 'bedre',
      saved_as: 'Gemt som', paper_ready: 'Beslutningsnotat klar:', download: 'hent',
      name_needed: 'Skriv et navn til pakken først.', diff: 'B − A', metric: 'Nøgletal',
      a_saved: 'A', b_saved: 'B', selected: 'Valgt', prerequisite: 'Forudsætning',
      conflict: 'Konflikt', overlap: 'Overlap', network: 'Netværk', other: 'Bemærkning',
      added_prereq: 'tilføjet forudsætningen', prereq_of: 'for'
    },
    en: {
      title: 'Bundle explorer', search: 'Search initiatives …', all_themes: 'All themes',
      budget_title: 'Best bundle for a budget', budget: 'Budget', adopt: 'Adopt this bundle',
      opt_note: 'Optimised on the sum of member scores, without re-running the network; the ' +
        'bundle is evaluated when adopted.',
      compare_title: 'Compare two bundles', save_a: 'Save as A', save_b: 'Save as B',
      export_title: 'Export the bundle', bundle_name: 'Bundle name',
      save_yaml: 'Save as bundle file (YAML)', paper: 'Decision paper (Word)',
      totals_title: 'Effects of the bundle', warnings_title: 'Notes',
      compare_view: 'A and B side by side', not_modelled: 'not modelled',
      unknown_cost: 'unknown cost', mdkk: 'million DKK', none: 'none',
      empty: 'No initiatives selected',
      cost: 'Construction cost (million DKK)', pm: 'Person-minutes saved per weekday',
      pt_trips: 'Extra public transport trips per weekday',
      co2_op: 'CO₂ from operation (t/year, change)', co2_con: 'CO₂ from construction (t)',
      passengers: 'Extra passengers per day (catalogue)', synergy: 'Synergy (person-minutes)',
      score: 'Score (0–5)', coverage: 'Coverage', npv: 'Net present value (million DKK)',
      bcr: 'Benefit-cost ratio', gaining: 'Municipalities gaining', ids: 'Initiatives',
      not_available: 'not computed yet', of: 'of', computing: 'Computing', computed: 'computed', step: 'scenario',
      cached: 'cached', seconds: 's', warmup: 'Preparing the network model', ready: 'Ready',
      error: 'Error', legend: 'Accessibility, change (%)', worse: 'worse', better: 'better',
      saved_as: 'Saved as', paper_ready: 'Decision paper ready:', download: 'download',
      name_needed: 'Enter a name for the bundle first.', diff: 'B − A', metric: 'Figure',
      a_saved: 'A', b_saved: 'B', selected: 'Selected', prerequisite: 'Prerequisite',
      conflict: 'Conflict', overlap: 'Overlap', network: 'Network', other: 'Note',
      added_prereq: 'added prerequisite', prereq_of: 'of'
    }
  }[LANG];
  var THEMES = {
    public_transport: {da: 'Kollektiv trafik', en: 'Public transport', color: '#1f6fb4'},
    cycling: {da: 'Cykel', en: 'Cycling', color: '#2ca02c'},
    hubs: {da: 'Knudepunkter', en: 'Hubs', color: '#9467bd'},
    roads: {da: 'Veje og trafikafvikling', en: 'Roads and traffic management', color: '#7f7f7f'},
    speed_noise: {da: 'Hastighed og støj', en: 'Speed and noise', color: '#d62728'},
    pricing: {da: 'Priser og afgifter', en: 'Pricing', color: '#ff7f0e'}
  };
  var LOCALE = LANG === 'da' ? 'da-DK' : 'en-GB';
  var POLL_WAIT_S = 0.5;

  var S = {inits: [], byId: {}, ticked: new Set(), cellsGeo: null, cellLayers: [],
           seq: 0, totals: null, values: null, A: null, B: null, opt: null,
           map: null, mapA: null, mapB: null, initLayers: {}};

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function fmt(v, d) {
    if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) {
      return '–';
    }
    return new Intl.NumberFormat(LOCALE, {maximumFractionDigits: d === undefined ? 0 : d,
                                          minimumFractionDigits: 0}).format(v);
  }
  function initName(i) { return (LANG === 'en' && i.name_en) ? i.name_en : i.name; }
  function themeLabel(k) { return THEMES[k] ? THEMES[k][LANG] : k; }
  function themeColour(k) { return THEMES[k] ? THEMES[k].color : '#555'; }
  function setStatus(text, cls) { var s = $('status'); s.textContent = text; s.className = cls || ''; }

  function api(method, url, body) {
    var opts = {method: method, headers: {}};
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var msg = typeof data.detail === 'string' ? data.detail : JSON.stringify(data.detail);
          var e = new Error(msg || ('HTTP ' + r.status)); e.status = r.status; throw e;
        }
        return data;
      });
    });
  }

  // ---------------------------------------------------------------- static texts
  function applyTexts() {
    document.documentElement.lang = LANG;
    document.title = 'mobility explore – ' + T.title;
    document.querySelectorAll('[data-i18n]').forEach(function (e) {
      var k = e.getAttribute('data-i18n'); if (T[k]) { e.textContent = T[k]; }
    });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (e) {
      var k = e.getAttribute('data-i18n-placeholder'); if (T[k]) { e.placeholder = T[k]; }
    });
    var link = $('langlink');
    link.textContent = LANG === 'da' ? 'English' : 'Dansk';
    link.href = LANG === 'da' ? '?lang=en' : '?lang=da';
  }

  // ---------------------------------------------------------------- colour scale
  function colour(v, max) {
    if (v === null || v === undefined) { return null; }
    var t = Math.max(-1, Math.min(1, v / max));
    // diverging: red (worse) - light grey (0) - blue (better)
    var a = [178, 24, 43], m = [247, 247, 247], b = [33, 102, 172];
    var c = t < 0 ? a : b, f = Math.abs(t);
    return 'rgb(' + [0, 1, 2].map(function (k) {
      return Math.round(m[k] + (c[k] - m[k]) * f);
    }).join(',') + ')';
  }
  function absValues(arrays) {
    var out = [];
    arrays.forEach(function (arr) {
      (arr || []).forEach(function (v) { if (v !== null && v !== 0) { out.push(Math.abs(v)); } });
    });
    return out.sort(function (a, b) { return a - b; });
  }
  // The end of the colour scale: the 99th percentile (nearest rank) of the absolute non-zero
  // changes, so that one or a few outlying cells do not wash out the rest of the map; cells
  // beyond it take the end colour and the legend says so (>=). 1 when nothing changed.
  function scaleMax(arrays) {
    var abs = absValues(arrays);
    if (!abs.length) { return 1; }
    return abs[Math.max(0, Math.ceil(0.99 * abs.length) - 1)];
  }
  function absMax(arrays) {
    var abs = absValues(arrays);
    return abs.length ? abs[abs.length - 1] : 0;
  }
  function drawLegend(box, max, clipped) {
    box.textContent = '';
    box.appendChild(el('div', T.legend));
    var bar = el('div', null, 'bar');
    bar.style.background = 'linear-gradient(to right,' + colour(-max, max) + ',' +
      colour(0, max) + ',' + colour(max, max) + ')';
    box.appendChild(bar);
    var ends = el('div', null, 'ends');
    ends.appendChild(el('span', (clipped ? '\u2264 ' : '') + fmt(-max, 2) + ' (' + T.worse + ')'));
    ends.appendChild(el('span', '0'));
    ends.appendChild(el('span', (clipped ? '\u2265 ' : '') + '+' + fmt(max, 2) + ' (' + T.better +
                        ')'));
    box.appendChild(ends);
  }
  function styleCells(layers, values, max) {
    for (var k = 0; k < layers.length; k++) {
      var v = values ? values[k] : null;
      var c = colour(v, max);
      var visible = c !== null && Math.abs(v) >= max * 0.01;
      layers[k].setStyle({fillColor: c || '#000', fillOpacity: visible ? 0.75 : 0,
                          stroke: false});
    }
  }

  // ---------------------------------------------------------------- maps
  function newMap(id) {
    var m = L.map(id, {preferCanvas: false, zoomSnap: 0.25, attributionControl: false});
    m.fitBounds([[55.45, 11.9], [56.1, 12.75]]);
    return m;
  }
  function addCells(map) {
    var layers = [];
    L.geoJSON(S.cellsGeo, {
      renderer: L.svg({padding: 0.3}), interactive: false,
      style: function () { return {stroke: false, fillOpacity: 0, className: 'mob-cell'}; },
      onEachFeature: function (f, layer) { layers[f.id] = layer; }
    }).addTo(map);
    return layers;
  }
  function addInitiatives(map, register) {
    var layer = L.geoJSON(S.catalogueGeo, {
      style: function (f) {
        var area = /Polygon/.test(f.geometry.type);
        return {color: themeColour(f.properties.theme), weight: area ? 1.5 : 3, opacity: 0.9,
                fill: false, dashArray: f.properties.modelled ? null : '4 4',
                className: 'mob-init' + (area ? ' mob-area' : '')};
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: 5, className: 'mob-init'});
      },
      onEachFeature: function (f, l) {
        var i = S.byId[f.properties.id];
        if (!i) { return; }
        var tip = el('div');
        tip.appendChild(el('b', i.id + '. ' + initName(i)));
        if (!i.modelled) { tip.appendChild(el('div', T.not_modelled)); }
        l.bindTooltip(tip, {sticky: true});
        if (register) {
          S.initLayers[i.id] = l;
          l.on('click', function () { toggle(i.id, !S.ticked.has(i.id)); });
        }
      }
    }).addTo(map);
    return layer;
  }
  function highlightTicked() {
    Object.keys(S.initLayers).forEach(function (id) {
      var on = S.ticked.has(Number(id));
      var l = S.initLayers[id];
      var area = l.feature && /Polygon/.test(l.feature.geometry.type);
      l.setStyle({weight: (area ? 1.5 : 3) * (on ? 2 : 1), opacity: on ? 1 : 0.5});
      if (on && l.bringToFront) { l.bringToFront(); }
    });
  }

  // ---------------------------------------------------------------- list
  function buildList() {
    var sel = $('theme');
    sel.appendChild(new Option(T.all_themes, ''));
    var seen = {};
    S.inits.forEach(function (i) {
      if (!seen[i.theme]) { seen[i.theme] = 1; sel.appendChild(new Option(themeLabel(i.theme), i.theme)); }
    });
    var ul = $('list');
    S.inits.forEach(function (i) {
      var li = el('li'); li.dataset.id = i.id; li.dataset.theme = i.theme;
      li.dataset.search = (i.id + ' ' + i.name + ' ' + (i.name_en || '')).toLowerCase();
      var cb = document.createElement('input'); cb.type = 'checkbox'; cb.id = 'cb-' + i.id;
      cb.dataset.id = i.id;
      cb.addEventListener('change', function () { toggle(i.id, cb.checked); });
      var dot = el('span', null, 'dot'); dot.style.background = themeColour(i.theme);
      var lab = el('label'); lab.htmlFor = cb.id;
      lab.appendChild(el('span', i.id + '. ' + initName(i)));
      if (!i.modelled) {
        var b = el('span', T.not_modelled, 'badge nm');
        if (i.not_modelled_reason) { b.title = i.not_modelled_reason; }
        lab.appendChild(b);
      }
      lab.appendChild(el('span', themeLabel(i.theme) + ' · ' +
        (i.cost_mdkk === null ? T.unknown_cost : fmt(i.cost_mdkk) + ' ' + T.mdkk), 'meta'));
      li.appendChild(cb); li.appendChild(dot); li.appendChild(lab);
      ul.appendChild(li);
    });
    function filter() {
      var q = $('search').value.trim().toLowerCase(), th = sel.value;
      ul.querySelectorAll('li').forEach(function (li) {
        var ok = (!q || li.dataset.search.indexOf(q) >= 0) && (!th || li.dataset.theme === th);
        li.hidden = !ok;
      });
    }
    $('search').addEventListener('input', filter);
    sel.addEventListener('change', filter);
  }
  function syncChecks() {
    document.querySelectorAll('#list input[type=checkbox]').forEach(function (cb) {
      cb.checked = S.ticked.has(Number(cb.dataset.id));
    });
    highlightTicked();
  }

  // ---------------------------------------------------------------- evaluation
  var timer = null;
  function toggle(id, on) {
    if (on) { S.ticked.add(id); } else { S.ticked.delete(id); }
    S.seq++;  // a result still on its way is for another bundle now: ignore it
    syncChecks();
    clearTimeout(timer);
    timer = setTimeout(evaluate, 60);
  }
  function idsNow() { return Array.from(S.ticked).sort(function (a, b) { return a - b; }); }

  function evaluate() {
    var ids = idsNow(), seq = ++S.seq;
    document.body.dataset.state = 'busy';
    var prog = $('progress');
    function show(st) {
      if (seq !== S.seq) { return; }
      prog.textContent = T.computing + ' … ' + (st.total ? (st.done + ' ' + T.of + ' ' +
        st.total + ' ' + T.step + (st.step ? ' (' + st.step + ')' : '')) : '') +
        ' · ' + fmt(st.elapsed_s, 1) + ' ' + T.seconds;
    }
    function poll(st) {
      if (seq !== S.seq) { return null; }
      if (st.state === 'error') { throw new Error(st.error); }
      if (st.state === 'done') { return st; }
      show(st);
      return api('GET', '/api/jobs/' + st.job_id + '?wait_s=' + POLL_WAIT_S).then(poll);
    }
    var t0 = performance.now(), cached = false, full = false;
    return api('POST', '/api/jobs', {ids: ids}).then(function (st) {
      cached = st.state === 'done';
      if (!cached) {  // the catalogue figures at once, the network ones when ready
        api('POST', '/api/bundle/preview', {ids: ids}).then(function (t) {
          // never over the full answer, whichever arrives first
          if (seq === S.seq && !full && !t.complete) { S.totals = t; renderTotals(); }
        }).catch(function () { /* the full answer reports errors */ });
      }
      return poll(st);
    }).then(function (st) {
      if (!st || seq !== S.seq) { return; }
      return Promise.all([
        api('POST', '/api/bundle', {ids: ids}),
        api('GET', '/api/bundle/cells?ids=' + ids.join(','))
      ]).then(function (res) {
        if (seq !== S.seq) { return; }
        full = true;
        S.totals = res[0]; S.values = res[1];
        S.ticked = new Set(S.totals.ids);
        syncChecks();
        renderTotals();
        renderCells();
        prog.textContent = '';
        prog.className = 'small';
        prog.appendChild(el('span', (cached ? T.cached : T.computed) + ' · ' +
          fmt((performance.now() - t0) / 1000, 2) + ' ' + T.seconds, 'muted'));
        document.body.dataset.state = 'ready';
        document.body.dataset.evaluated = ids.join(',');
        history.replaceState(null, '', '#ids=' + S.totals.ids.join(','));
      });
    }).catch(function (e) {
      if (seq !== S.seq) { return; }
      prog.textContent = T.error + ': ' + e.message;
      prog.className = 'small err';
      document.body.dataset.state = 'error';
    });
  }

  var ROWS = [
    ['ids', 'ids', null], ['cost', 'cost_mdkk', 0], ['pm', 'person_minutes_saved_per_day', 0],
    ['pt_trips', 'extra_pt_trips_per_day', 0], ['co2_op', 'co2_operation_t_per_year_change', 0],
    ['co2_con', 'co2_construction', 0], ['passengers', 'extra_passengers_per_day_catalogue', 0],
    ['synergy', 'synergy_person_minutes', 0], ['score', 'score', 2],
    ['coverage', 'coverage', null], ['npv', 'npv_mdkk', 0], ['bcr', 'bcr', 2],
    ['gaining', 'municipalities_gaining', null]
  ];
  var NETWORK_KEYS = ['person_minutes_saved_per_day', 'extra_pt_trips_per_day',
                      'co2_operation_t_per_year_change', 'synergy_person_minutes',
                      'municipalities_gaining', 'npv_mdkk', 'bcr'];
  function cellText(t, key, d) {
    if (!t) { return '–'; }
    if (key === 'ids') { return t.ids.length ? t.ids.join(', ') : T.none; }
    if (key === 'co2_construction') {
      if (t.co2_construction_t_min === null) { return '–'; }
      return fmt(t.co2_construction_t_min) + '–' + fmt(t.co2_construction_t_max);
    }
    if (key === 'coverage') { return t.coverage ? t.coverage.replace(' of ', ' ' + T.of + ' ') : '–'; }
    if (key === 'municipalities_gaining') {
      if (!t.complete) { return '…'; }
      return t.municipalities_gaining.length ? t.municipalities_gaining.join(', ') : T.none;
    }
    var v = t[key];
    if (!t.complete && NETWORK_KEYS.indexOf(key) >= 0) { return '…'; }
    if (v === null || v === undefined) {
      return (key === 'extra_pt_trips_per_day' || key === 'co2_operation_t_per_year_change' ||
              key === 'npv_mdkk' || key === 'bcr') ? T.not_available : '–';
    }
    var s = fmt(v, d);
    if (key === 'cost_mdkk' && t.cost_unknown.length) {
      s += ' (+ ' + T.unknown_cost + ': ' + t.cost_unknown.join(', ') + ')';
    }
    return s;
  }
  function renderTotals() {
    var tb = $('totalsTable').querySelector('tbody'), t = S.totals;
    tb.textContent = '';
    ROWS.forEach(function (r) {
      var tr = el('tr'); tr.id = 't-' + r[1];
      tr.appendChild(el('td', T[r[0]]));
      var td = el('td', cellText(t, r[1], r[2]), 'v');
      if (t && typeof t[r[1]] === 'number') { td.dataset.value = String(t[r[1]]); }
      tr.appendChild(td);
      tb.appendChild(tr);
    });
    var ul = $('warnings'); ul.textContent = '';
    (t ? t.warnings : []).forEach(function (w) {
      var li = el('li', null, w.kind);
      li.appendChild(el('b', (T[w.kind] || w.kind) + ': '));
      var text = w.text;
      if (w.kind === 'prerequisite' && w.ids && w.ids.length > 1 && S.byId[w.ids[0]]) {
        var lab = function (id) { return id + ' (' + initName(S.byId[id]) + ')'; };
        text = T.added_prereq + ' ' + lab(w.ids[0]) + ' ' + T.prereq_of + ' ' +
          w.ids.slice(1).map(lab).join(', ');
      }
      li.appendChild(document.createTextNode(text));
      ul.appendChild(li);
    });
    if (t && !t.warnings.length) { ul.appendChild(el('li', T.none, 'muted')); }
  }
  function renderCells() {
    var vals = S.values ? S.values.accessibility_change_pct : null;
    var mx = scaleMax([vals]);
    styleCells(S.cellLayers, vals, mx);
    drawLegend($('legend'), mx, absMax([vals]) > mx);
  }

  // ---------------------------------------------------------------- optimiser
  function setupBudget() {
    var total = 0;
    S.inits.forEach(function (i) { if (i.cost_mdkk) { total += i.cost_mdkk; } });
    var r = $('budget');
    r.max = String(Math.ceil(total / 1000) * 1000);
    r.value = String(Math.min(10000, Number(r.max)));
    var ot = null;
    function run() {
      $('budgetOut').textContent = fmt(Number(r.value)) + ' ' + T.mdkk;
      clearTimeout(ot);
      ot = setTimeout(function () {
        api('GET', '/api/optimise?budget_mdkk=' + Number(r.value)).then(function (o) {
          S.opt = o;
          var box = $('opt'); box.textContent = '';
          box.appendChild(el('div', T.selected + ': ' + (o.selected.length ? o.selected.join(', ') : T.none)));
          box.appendChild(el('div', T.cost + ': ' + fmt(o.cost_mdkk) + ' · ' + T.score + ': ' +
            fmt(o.score, 2)));
          $('adopt').disabled = !o.selected.length;
        }).catch(function (e) { $('opt').textContent = T.error + ': ' + e.message; });
      }, 120);
    }
    r.addEventListener('input', run);
    $('adopt').addEventListener('click', function () {
      if (!S.opt) { return; }
      S.ticked = new Set(S.opt.selected);
      syncChecks();
      evaluate();
    });
    run();
  }

  // ---------------------------------------------------------------- A / B
  function snapshot() {
    if (!S.totals || !S.values || !S.totals.complete) { return null; }
    return {totals: S.totals, values: S.values.accessibility_change_pct,
            name: $('bname').value.trim() || S.totals.ids.join('+')};
  }
  function setupCompare() {
    $('saveA').addEventListener('click', function () { S.A = snapshot(); renderCompare(); });
    $('saveB').addEventListener('click', function () { S.B = snapshot(); renderCompare(); });
  }
  function renderCompare() {
    $('abInfo').textContent = 'A: ' + (S.A ? S.A.name : '–') + ' · B: ' + (S.B ? S.B.name : '–');
    if (!S.A || !S.B) { return; }
    $('compareView').hidden = false;
    $('aName').textContent = S.A.name; $('bName').textContent = S.B.name;
    if (!S.mapA) {
      S.mapA = newMap('mapA'); S.mapB = newMap('mapB');
      S.cellsA = addCells(S.mapA); S.cellsB = addCells(S.mapB);
      addInitiatives(S.mapA, false); addInitiatives(S.mapB, false);
      var busy = false;
      function sync(from, to) {
        from.on('move', function () {
          if (busy) { return; }
          busy = true; to.setView(from.getCenter(), from.getZoom(), {animate: false}); busy = false;
        });
      }
      sync(S.mapA, S.mapB); sync(S.mapB, S.mapA);
    }
    S.mapA.invalidateSize(); S.mapB.invalidateSize();
    var mx = scaleMax([S.A.values, S.B.values]);  // ONE shared scale
    styleCells(S.cellsA, S.A.values, mx); styleCells(S.cellsB, S.B.values, mx);
    drawLegend($('cmpLegend'), mx, absMax([S.A.values, S.B.values]) > mx);
    var head = $('cmpTable').querySelector('thead'); head.textContent = '';
    var hr = el('tr');
    [T.metric, 'A', 'B', T.diff].forEach(function (h) { hr.appendChild(el('th', h)); });
    head.appendChild(hr);
    var tb = $('cmpTable').querySelector('tbody'); tb.textContent = '';
    ROWS.forEach(function (r) {
      var tr = el('tr'), a = S.A.totals[r[1]], b = S.B.totals[r[1]];
      tr.appendChild(el('td', T[r[0]]));
      tr.appendChild(el('td', cellText(S.A.totals, r[1], r[2]), 'v'));
      tr.appendChild(el('td', cellText(S.B.totals, r[1], r[2]), 'v'));
      var d = (typeof a === 'number' && typeof b === 'number') ? b - a : null;
      tr.appendChild(el('td', d === null ? '' : (d > 0 ? '+' : '') + fmt(d, r[2]), 'v'));
      tb.appendChild(tr);
    });
    $('compareView').scrollIntoView({behavior: 'smooth'});
  }

  // ---------------------------------------------------------------- exports
  function setupExport() {
    var msg = $('exportMsg');
    function say(text, cls) { msg.textContent = text; msg.className = 'small ' + (cls || ''); }
    $('saveYaml').addEventListener('click', function () {
      var name = $('bname').value.trim();
      if (!name) { say(T.name_needed, 'err'); return; }
      api('POST', '/api/export/bundle', {name: name, ids: idsNow()}).then(function (r) {
        say(T.saved_as + ' ' + r.file, 'ok');
      }).catch(function (e) { say(T.error + ': ' + e.message, 'err'); });
    });
    $('paper').addEventListener('click', function () {
      var name = $('bname').value.trim();
      api('POST', '/api/export/paper', {name: name, ids: idsNow(), lang: LANG}).then(function poll(st) {
        if (st.state === 'error') { throw new Error(st.error); }
        if (st.state !== 'done') {
          say(T.computing + ' … ' + st.done + ' ' + T.of + ' ' + st.total +
              (st.step ? ' (' + st.step + ')' : ''));
          return api('GET', '/api/jobs/' + st.job_id + '?wait_s=' + POLL_WAIT_S).then(poll);
        }
        msg.textContent = ''; msg.className = 'small ok';
        msg.appendChild(el('span', T.paper_ready + ' '));
        var a = el('a', st.file_name || T.download);
        a.href = '/api/export/paper/' + st.job_id; a.setAttribute('download', '');
        msg.appendChild(a);
      }).catch(function (e) { say(T.error + ': ' + e.message, 'err'); });
    });
  }

  // ---------------------------------------------------------------- warm-up status
  function watchWarmup() {
    api('GET', '/api/status').then(function (s) {
      var w = s.warmup;
      if (w && (w.state === 'queued' || w.state === 'running')) {
        setStatus(T.warmup + ': ' + w.done + ' ' + T.of + ' ' + w.total);
        setTimeout(watchWarmup, 700);
      } else if (w && w.state === 'error') {
        setStatus(T.error + ': ' + w.error, 'err');
      } else {
        setStatus(T.ready);
      }
    }).catch(function () { setTimeout(watchWarmup, 2000); });
  }

  // ---------------------------------------------------------------- start
  function start() {
    applyTexts();
    Promise.all([api('GET', '/api/initiatives'), api('GET', '/api/catalogue.geojson'),
                 api('GET', '/api/cells.geojson')]).then(function (r) {
      S.inits = r[0]; S.catalogueGeo = r[1]; S.cellsGeo = r[2];
      S.inits.forEach(function (i) { S.byId[i.id] = i; });
      buildList();
      S.map = newMap('map');
      S.cellLayers = addCells(S.map);
      addInitiatives(S.map, true);
      highlightTicked();
      renderTotals();
      setupBudget(); setupCompare(); setupExport();
      watchWarmup();
      document.body.dataset.state = 'ready';
      // a bundle in the address (#ids=2,3), e.g. a reload or a shared link
      var m = /^#ids=([0-9,]{1,400})$/.exec(window.location.hash);
      if (m) {
        m[1].split(',').forEach(function (x) { if (S.byId[Number(x)]) { S.ticked.add(Number(x)); } });
        if (S.ticked.size) { syncChecks(); evaluate(); }
      }
    }).catch(function (e) {
      setStatus(T.error + ': ' + e.message, 'err');
      document.body.dataset.state = 'error';
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else { start(); }
}());
