/*
 * devices.js - the device list (filters by unit, role, state and tag, a
 * search, paging through /api/v1/devices) and the device page (its
 * interfaces with current rates, a traffic graph of any interface over any
 * range from /api/v1/series drawn with Chart.js, its state history and its
 * faults). Filters and the graph's range live in the URL, so a link (from
 * the SLA evidence, say) opens the same view.
 * SPDX-License-Identifier: MIT
 */
'use strict';

var PAGE = 50;

Views.devices = function (main, route) {
	var alive = App.current();
	var q = route.q;
	var offset = parseInt(q.offset || '0', 10) || 0;
	var f = {
		unit: el('input', { type: 'search', value: q.unit || '', placeholder: t('dev.unit'),
				    id: 'f-unit' }),
		role: select({ id: 'f-role' }, [['', t('dev.role') + ': ' + t('common.all')]].concat(
			ROLES.map(function (r) { return [r, tv('role', r)]; })), q.role),
		state: select({ id: 'f-state' }, [['', t('dev.state') + ': ' + t('common.all')]].concat(
			STATES.map(function (s) { return [s, tv('state', s)]; })), q.state),
		tag: el('input', { type: 'search', value: q.tag || '', placeholder: t('dev.tag'),
				   id: 'f-tag' }),
		q: el('input', { type: 'search', value: q.q || '', placeholder: t('dev.q'), id: 'f-q',
				 class: 'wide' })
	};
	function apply(ev) {
		if (ev)
			ev.preventDefault();
		App.setQuery({ unit: f.unit.value, role: f.role.value, state: f.state.value,
			       tag: f.tag.value, q: f.q.value });
	}
	f.role.addEventListener('change', apply);
	f.state.addEventListener('change', apply);
	var form = el('form', { class: 'filters', onsubmit: apply },
		      f.q, f.unit, f.role, f.state, f.tag,
		      el('button', { type: 'submit' }, t('common.search')));
	var list = el('div', null, el('p', { class: 'empty' }, t('common.loading')));
	var pager = el('div', { class: 'pager' });
	main.appendChild(el('section', { class: 'panel' }, el('h2', null, t('dev.title')), form, list, pager));
	Api.get('/devices', { unit: q.unit, role: q.role, state: q.state, tag: q.tag, q: q.q,
			      offset: offset, limit: PAGE }).then(function (d) {
		if (!alive())
			return;
		var items = d.items || [];
		clear(list).appendChild(table([
			{ h: t('dev.name'), f: function (x) { return deviceLink(x.name); } },
			{ h: t('dev.state'), f: function (x) { return stateBadge(x.state); } },
			{ h: t('dev.role'), f: function (x) { return tv('role', x.role); } },
			{ h: t('dev.unit'), f: function (x) { return x.unit || ''; } },
			{ h: t('dev.address'), cls: 'mono', f: function (x) { return x.address || ''; } },
			{ h: t('dev.parent'), f: function (x) { return deviceLink(x.parent); } },
			{ h: t('dev.since'), f: function (x) { return fmtTime(x.since, x.since_text); } },
			{ h: t('dev.tags'), f: function (x) {
				return (x.tags || []).map(function (tg) { return el('span', { class: 'tag' }, tg); });
			} }
		], items, t('dev.none'), function (x) {
			return { 'data-device': x.name, class: 'st-row-' + (x.state || 'unknown') };
		}));
		clear(pager);
		var total = d.total || 0;
		pager.appendChild(el('span', null, t('common.page', {
			from: total ? offset + 1 : 0, to: offset + items.length, total: total })));
		function go(o) {
			var nq = {};
			Object.keys(q).forEach(function (k) { nq[k] = q[k]; });
			nq.offset = o || '';
			App.setQuery(nq);
		}
		pager.appendChild(el('button', { type: 'button', disabled: offset <= 0,
						 onclick: function () { go(Math.max(0, offset - PAGE)); } },
				     t('common.prev')));
		pager.appendChild(el('button', { type: 'button', disabled: offset + items.length >= total,
						 onclick: function () { go(offset + PAGE); } }, t('common.next')));
	}, function (e) {
		if (alive() && e.status !== 401)
			clear(list).appendChild(errorBox(e));
	});
};

Views.device = function (main, route) {
	var alive = App.current();
	var name = route.args[0] || '';
	var head = el('div', { class: 'dev-head' }, el('h2', null, name));
	main.appendChild(el('section', { class: 'panel' }, head,
			    el('p', { class: 'empty' }, t('common.loading'))));
	Api.get('/devices/' + encodeURIComponent(name)).then(function (d) {
		if (!alive())
			return;
		clear(main);
		drawDevice(main, d, route.q);
	}, function (e) {
		if (!alive() || e.status === 401)
			return;
		clear(main).appendChild(el('section', { class: 'panel' }, el('h2', null, name),
			e.status === 404 ? el('p', { class: 'error' }, t('dev.not_found', { name: name }))
					 : errorBox(e)));
	});
};

function drawDevice(main, d, q) {
	var info = el('dl', { class: 'facts' },
		el('dt', null, t('dev.state')), el('dd', null, stateBadge(d.state), ' ',
			el('small', null, fmtTime(d.since, d.since_text))),
		el('dt', null, t('dev.role')), el('dd', null, tv('role', d.role)),
		el('dt', null, t('dev.unit')), el('dd', null, d.unit || '—'),
		el('dt', null, t('dev.address')), el('dd', { class: 'mono' }, d.address || '—'),
		el('dt', null, t('dev.parent')), el('dd', null, d.parent ? deviceLink(d.parent) : '—'),
		el('dt', null, t('dev.probe')), el('dd', null, d.probe || '—'),
		el('dt', null, t('dev.tags')), el('dd', null, (d.tags || []).map(function (tg) {
			return el('span', { class: 'tag' }, tg);
		})));
	main.appendChild(el('section', { class: 'panel' },
		el('h2', { 'data-device': d.name }, d.name), info));
	var ifs = d.interfaces || [];
	main.appendChild(el('section', { class: 'panel' }, el('h2', null, t('dev.interfaces')), table([
		{ h: t('dev.if.name'), f: function (x) {
			return el('a', { href: '#/device/' + encodeURIComponent(d.name) + '?if=' +
					 encodeURIComponent(x.name) }, x.name);
		} },
		{ h: t('dev.if.oper'), f: function (x) { return x.oper ? stateBadge(x.oper) : '—'; } },
		{ h: t('dev.if.speed'), cls: 'num', f: function (x) { return x.speed_mbps === null || x.speed_mbps === undefined ? '—' : String(x.speed_mbps); } },
		{ h: t('dev.if.capacity'), cls: 'num', f: function (x) { return x.capacity_mbps ? String(x.capacity_mbps) : '—'; } },
		{ h: t('dev.if.in'), cls: 'num', f: function (x) { return fmtBps(x.in_bps); } },
		{ h: t('dev.if.out'), cls: 'num', f: function (x) { return fmtBps(x.out_bps); } },
		{ h: t('dev.if.util'), cls: 'num', f: function (x) {
			return el('span', { class: 'util ' + utilClass(x.util_pct) }, fmtPct(x.util_pct));
		} }
	], ifs)));
	main.appendChild(graphPanel(d, q));
	main.appendChild(el('section', { class: 'panel' }, el('h2', null, t('dev.faults')),
			    faultTable((d.faults || []).slice().sort(function (a, b) {
				    return b.opened - a.opened;
			    }), true)));
	main.appendChild(el('section', { class: 'panel' }, el('h2', null, t('dev.states')), table([
		{ h: t('dev.time'), f: function (x) { return fmtTime(x.t, x.t_text); } },
		{ h: t('dev.state'), f: function (x) { return stateBadge(x.state); } },
		{ h: t('dev.reason'), cls: 'wrap', f: function (x) { return x.reason || ''; } }
	], (d.states || []).slice().sort(function (a, b) { return b.t - a.t; }))));
}

/* The graph panel: interface picker, quick ranges, from/to pickers. */
function graphPanel(d, q) {
	var now = Math.floor(Date.now() / 1000);
	var to = parseInt(q.to, 10) || now;
	var from = parseInt(q.from, 10) || to - 86400;
	var ifs = d.interfaces || [];
	var ifSel = select({ id: 'g-if' }, [['', t('dev.graph.device')]].concat(
		ifs.map(function (x) { return [x.name, x.name]; })),
		q.if !== undefined ? q.if : (ifs.length ? ifs[0].name : ''));
	var fromIn = el('input', { type: 'datetime-local', id: 'g-from', value: toLocalInput(from) });
	var toIn = el('input', { type: 'datetime-local', id: 'g-to', value: toLocalInput(to) });
	var canvasBox = el('div', { class: 'chart-box' });
	var note = el('p', { class: 'empty', hidden: true });
	function show(f, tt) {
		fromIn.value = toLocalInput(f);
		toIn.value = toLocalInput(tt);
		drawSeries(canvasBox, note, d.name, ifSel.value, f, tt);
	}
	var ranges = [['6h', 6 * 3600], ['1d', 86400], ['7d', 7 * 86400], ['30d', 30 * 86400]];
	var bar = el('div', { class: 'filters' }, ifSel,
		ranges.map(function (r) {
			return el('button', { type: 'button', class: 'light', onclick: function () {
				var n = Math.floor(Date.now() / 1000);
				show(n - r[1], n);
			} }, t('dev.graph.range.' + r[0]));
		}),
		el('label', null, t('dev.graph.from'), ' ', fromIn),
		el('label', null, t('dev.graph.to'), ' ', toIn),
		el('button', { type: 'button', onclick: function () {
			show(fromLocalInput(fromIn.value), fromLocalInput(toIn.value));
		} }, t('dev.graph.show')));
	ifSel.addEventListener('change', function () {
		show(fromLocalInput(fromIn.value), fromLocalInput(toIn.value));
	});
	var panel = el('section', { class: 'panel', id: 'graph' }, el('h2', null, t('dev.graph')), bar,
		       note, canvasBox);
	setTimeout(function () { show(from, to); }, 0);
	return panel;
}

function toLocalInput(ts) {
	var f = tzFields(ts);
	return f.y + '-' + pad2(f.mo) + '-' + pad2(f.d) + 'T' + pad2(f.h) + ':' + pad2(f.mi);
}
function fromLocalInput(s) {
	var m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(s || '');
	return m ? tzEpoch(+m[1], +m[2], +m[3], +m[4], +m[5]) : Math.floor(Date.now() / 1000);
}

var SERIES_COLORS = ['#2f7ed8', '#e4572e', '#29a36a', '#9b59b6', '#f0a202', '#555'];

function drawSeries(box, note, device, ifname, from, to) {
	var alive = App.current();
	Api.get('/series', { device: device, if: ifname, from: from, to: to }).then(function (s) {
		if (!alive())
			return;
		var cols = s.columns || [], rows = s.rows || [];
		var any = rows.some(function (r) { return r.some(function (v) { return v !== null; }); });
		note.hidden = any;
		note.textContent = any ? '' : t('dev.graph.empty');
		var canvas = el('canvas', { id: 'g-canvas' });
		clear(box).appendChild(canvas);
		box.hidden = !any;
		if (!any)
			return;
		if (typeof Chart === 'undefined') {
			note.hidden = false;
			note.textContent = 'Chart.js (/static/vendor/chart.js) missing';
			return;
		}
		var isRate = cols.every(function (c) { return /_bps$/.test(c); });
		var datasets = cols.map(function (c, i) {
			return {
				label: tv('col', c), borderColor: SERIES_COLORS[i % SERIES_COLORS.length],
				backgroundColor: SERIES_COLORS[i % SERIES_COLORS.length] + '22',
				fill: i === 0, pointRadius: 0, borderWidth: 1.5, spanGaps: false,
				data: rows.map(function (r, k) { return { x: s.start + k * s.step, y: r[i] }; })
			};
		});
		new Chart(canvas.getContext('2d'), {
			type: 'line',
			data: { datasets: datasets },
			options: {
				animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
				interaction: { mode: 'index', intersect: false },
				scales: {
					x: { type: 'linear', min: from, max: to, ticks: {
						maxTicksLimit: 10,
						callback: function (v) { return fmtTick(v, to - from); } } },
					y: { beginAtZero: true, ticks: { callback: function (v) {
						return isRate ? fmtBps(v) : v; } } }
				},
				plugins: { tooltip: { callbacks: {
					title: function (items) { return items.length ? fmtTime(items[0].parsed.x) : ''; },
					label: function (c) {
						return c.dataset.label + ': ' + (isRate ? fmtBps(c.parsed.y) : c.parsed.y);
					} } } }
			}
		});
	}, function (e) {
		if (alive() && e.status !== 401) {
			box.hidden = false;
			clear(box).appendChild(errorBox(e));
		}
	});
}

function fmtTick(v, span) {
	var f = tzFields(v);
	var hm = pad2(f.h) + ':' + pad2(f.mi);
	return span > 2 * 86400 ? f.mo + '-' + pad2(f.d) + (span > 10 * 86400 ? '' : ' ' + hm) : hm;
}
