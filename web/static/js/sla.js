/*
 * sla.js - the SLA page for any month (/api/v1/sla?period=), where every
 * indicator's value opens its evidence (/api/v1/sla/{id}/evidence): the
 * devices it was computed from, their outage intervals with reasons (each
 * a link to the device's graph around that interval) and the faults; and
 * the report archive (/api/v1/reports) with download links and, for an
 * admin, "generate".
 * SPDX-License-Identifier: MIT
 */
'use strict';

function periodPicker(current, onChange) {
	var m = el('input', { type: 'month', id: 'period', value: current });
	m.addEventListener('change', function () {
		if (m.value)
			onChange(m.value);
	});
	return el('label', { class: 'period' }, t('sla.period'), ' ', m);
}

Views.sla = function (main, route) {
	var alive = App.current();
	var period = route.q.period || thisMonth();
	var body = el('div', null, el('p', { class: 'empty' }, t('common.loading')));
	var range = el('span', { class: 'stamp' });
	main.appendChild(el('section', { class: 'panel' },
		el('h2', null, t('sla.title'), range),
		el('div', { class: 'filters' }, periodPicker(period, function (p) {
			App.setQuery({ period: p });
		})), body));
	Api.get('/sla', { period: period }).then(function (d) {
		if (!alive())
			return;
		range.textContent = (d.period || period) + ' · ' + fmtTime(d.from, d.from_text) + ' – ' +
			fmtTime(d.to, d.to_text);
		clear(body).appendChild(table([
			{ h: t('sla.indicator'), cls: 'wrap', f: function (x) { return x.name || x.id; } },
			{ h: t('sla.value'), cls: 'num', f: function (x) {
				return el('a', { class: 'ev-link', 'data-indicator': x.id,
						 href: '#/evidence/' + encodeURIComponent(x.id) + '?period=' + period,
						 title: t('sla.evidence') }, fmtValue(x.value, x.unit));
			} },
			{ h: t('sla.target'), cls: 'num', f: function (x) {
				return opText(x.op) + ' ' + fmtValue(x.target, x.unit);
			} },
			{ h: t('sla.met'), f: function (x) { return metBadge(x.met); } },
			{ h: t('sla.reason'), cls: 'wrap', f: function (x) { return x.reason || ''; } }
		], d.indicators || [], null, function (x) {
			return { class: x.met === false ? 'row-missed' : '' };
		}));
	}, function (e) {
		if (alive() && e.status !== 401)
			clear(body).appendChild(errorBox(e));
	});
};

Views.evidence = function (main, route) {
	var alive = App.current();
	var id = route.args[0] || '';
	var period = route.q.period || thisMonth();
	var title = el('h2', null, id);
	var body = el('div', null, el('p', { class: 'empty' }, t('common.loading')));
	main.appendChild(el('section', { class: 'panel' }, title,
		el('div', { class: 'filters' },
		   el('a', { href: '#/sla?period=' + period }, '← ' + t('sla.ev.back')),
		   periodPicker(period, function (p) { App.setQuery({ period: p }); })),
		body));
	Api.get('/sla/' + encodeURIComponent(id) + '/evidence', { period: period }).then(function (d) {
		if (!alive())
			return;
		var ind = d.indicator || {};
		title.textContent = t('sla.ev.title', { name: ind.name || id, period: period });
		clear(body);
		body.appendChild(el('div', { class: 'ev-summary' },
			el('span', { class: 'ev-value' }, fmtValue(ind.value, ind.unit)),
			el('span', null, t('ind.target', { op: opText(ind.op), target: fmtValue(ind.target, ind.unit) })),
			metBadge(ind.met), ind.reason ? el('span', { class: 'hint' }, ind.reason) : null));
		var devs = d.devices || [];
		body.appendChild(el('h3', null, t('sla.ev.devices') + ' (' + devs.length + ')'));
		body.appendChild(table([
			{ h: t('dev.name'), f: function (x) { return deviceLink(x.name); } },
			{ h: t('dev.unit'), f: function (x) { return x.unit || ''; } },
			{ h: t('dev.role'), f: function (x) { return tv('role', x.role); } },
			{ h: t('sla.value'), cls: 'num', f: function (x) {
				/* a device's own figure: its basis says the unit (api.md) */
				var u = /_pct$/.test(x.basis || '') ? '%' :
					x.basis === 'capacity_mbps' ? 'Mbps' : ind.unit;
				return fmtValue(x.value, u); } },
			{ h: t('sla.ev.intervals'), cls: 'wrap', f: function (x) {
				var iv = x.intervals || [];
				if (!iv.length)
					return el('span', { class: 'muted' }, t('sla.ev.none'));
				return el('ul', { class: 'intervals' }, iv.map(function (v) {
					/* an interval that ends after now goes on (the
					 * period's end is not an end) */
					var nowS = Math.floor(Date.now() / 1000);
					var going = !v.to || v.to > nowS;
					var to = going ? nowS : v.to;
					var pad = Math.max(600, Math.round((to - v.from) / 4));
					return el('li', null,
						stateBadge(v.state), ' ',
						fmtTime(v.from, v.from_text), ' – ',
						going ? t('sla.ev.ongoing') : fmtTime(v.to, v.to_text),
						' (' + fmtDur(to - v.from) + ')',
						v.reason ? el('span', { class: 'note' }, ' ' + v.reason) : null, ' ',
						el('a', { href: '#/device/' + encodeURIComponent(x.name) + '?from=' +
							  (v.from - pad) + '&to=' + (to + pad) },
						   t('sla.ev.graph')));
				}));
			} }
		], devs));
		body.appendChild(el('h3', null, t('sla.ev.faults') + ' (' + (d.faults || []).length + ')'));
		body.appendChild(faultTable(d.faults || [], false));
	}, function (e) {
		if (alive() && e.status !== 401)
			clear(body).appendChild(errorBox(e));
	});
};

Views.reports = function (main) {
	var alive = App.current();
	var body = el('div', null, el('p', { class: 'empty' }, t('common.loading')));
	var tools = el('div', { class: 'filters' });
	main.appendChild(el('section', { class: 'panel' }, el('h2', null, t('rep.title')), tools, body));
	if (Api.can('admin')) {
		var m = el('input', { type: 'month', id: 'rep-month', value: thisMonth() });
		tools.appendChild(el('label', null, t('rep.month'), ' ', m));
		tools.appendChild(el('button', { type: 'button', id: 'rep-generate', onclick: function () {
			Api.post('/reports', { month: m.value }).then(function (r) {
				toast(t('rep.generating', { month: r && r.month ? r.month : m.value }));
				setTimeout(function () { if (alive()) App.draw(); }, 3000);
			}, function (e) { toast(t('common.error', { msg: e.message }), true); });
		} }, t('rep.generate')));
	}
	Api.get('/reports').then(function (d) {
		if (!alive())
			return;
		var items = (d.items || []).slice().sort(function (a, b) { return a.month < b.month ? 1 : -1; });
		clear(body);
		if (d.generating) {
			/* a report is being written off the loop: look again soon */
			body.appendChild(el('p', { class: 'hint' }, t('rep.busy')));
			setTimeout(function () { if (alive()) App.draw(); }, 3000);
		}
		body.appendChild(table([
			{ h: t('rep.month'), f: function (x) {
				return el('a', { href: '#/sla?period=' + x.month }, x.month);
			} },
			{ h: t('rep.status'), f: function (x) {
				return el('span', { class: 'badge rep-' + x.status }, t('rep.' + x.status));
			} },
			{ h: t('rep.files'), cls: 'wrap', f: function (x) {
				return (x.files || []).map(function (f) {
					return el('a', { class: 'file', href: f.url, download: f.name },
						  f.name, el('small', null, ' ' + fmtBytes(f.bytes)));
				});
			} }
		], items, t('rep.none')));
	}, function (e) {
		if (alive() && e.status !== 401)
			clear(body).appendChild(errorBox(e));
	});
};

function fmtBytes(n) {
	if (n === null || n === undefined)
		return '';
	return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : n >= 1024 ? (n / 1024).toFixed(0) + ' KB' : n + ' B';
}
