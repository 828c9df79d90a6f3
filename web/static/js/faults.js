/*
 * faults.js - the faults page: open or all faults, by month and device
 * (/api/v1/faults), each with its history (who did what, when); an
 * operator acknowledges or closes a fault from here with a note and, on
 * close, the satisfaction (满意 / 基本满意 / 不满意). Writes carry the
 * session's CSRF token (api.js); the server records the web user.
 * SPDX-License-Identifier: MIT
 */
'use strict';

var SATISFACTION = ['满意', '基本满意', '不满意'];

Views.faults = function (main, route) {
	var alive = App.current();
	var q = route.q;
	var status = q.status === 'all' ? 'all' : 'open';
	var statusSel = select({ id: 'f-status' }, [['open', t('f.status.open')], ['all', t('f.status.all')]],
			       status);
	var month = el('input', { type: 'month', id: 'f-month', value: q.month || '' });
	var device = el('input', { type: 'search', id: 'f-device', value: q.device || '',
				   placeholder: t('f.device') });
	function apply(ev) {
		if (ev)
			ev.preventDefault();
		App.setQuery({ status: statusSel.value, month: month.value, device: device.value });
	}
	statusSel.addEventListener('change', apply);
	month.addEventListener('change', apply);
	var list = el('div', null, el('p', { class: 'empty' }, t('common.loading')));
	main.appendChild(el('section', { class: 'panel' }, el('h2', null, t('f.title')),
		el('form', { class: 'filters', onsubmit: apply }, statusSel,
		   el('label', null, t('f.month'), ' ', month), device,
		   el('button', { type: 'submit' }, t('common.search'))),
		list));
	function load() {
		Api.get('/faults', { status: status, month: q.month, device: q.device }).then(function (d) {
			if (!alive())
				return;
			var items = (d.items || []).slice().sort(function (a, b) { return b.opened - a.opened; });
			clear(list).appendChild(faultTable(items, true));
		}, function (e) {
			if (alive() && e.status !== 401)
				clear(list).appendChild(errorBox(e));
		});
	}
	load();
};

/* A table of faults; with actions, acknowledge and close buttons for an
 * operator. After a write the current view is drawn again. */
function faultTable(items, actions) {
	var cols = [
		{ h: t('f.id'), cls: 'num', f: function (x) { return '#' + x.id; } },
		{ h: t('f.severity'), f: function (x) { return sevBadge(x.severity); } },
		{ h: t('f.device'), f: function (x) { return deviceLink(x.device); } },
		{ h: t('f.summary'), cls: 'wrap', f: function (x) { return x.summary || ''; } },
		{ h: t('f.opened'), f: function (x) { return fmtTime(x.opened, x.opened_text); } },
		{ h: t('f.state'), f: function (x) {
			return [fstateBadge(x.state), x.satisfaction ?
				el('small', { class: 'sat' }, ' ' + tv('sat', x.satisfaction)) : null];
		} },
		{ h: t('f.history'), cls: 'wrap hist', f: historyList }
	];
	if (actions && Api.can('operator')) {
		cols.push({ h: '', cls: 'actions', f: function (x) {
			return [
				x.state === 'open' ? el('button', { type: 'button', class: 'btn-ack',
					onclick: function () { faultDialog(x, 'ack'); } }, t('f.ack')) : null,
				x.state !== 'closed' ? el('button', { type: 'button', class: 'btn-close light',
					onclick: function () { faultDialog(x, 'close'); } }, t('f.close')) : null
			];
		} });
	}
	return table(cols, items, t('f.none'), function (x) {
		return { 'data-fault': x.id, 'data-device': x.device, 'data-state': x.state,
			 class: 'fault-' + x.state };
	});
}

function historyList(x) {
	var h = x.history || [];
	if (!h.length)
		return '';
	return el('ul', { class: 'history' }, h.map(function (e) {
		return el('li', null,
			el('span', { class: 'ht' }, fmtTime(e.t, e.t_text)), ' ',
			el('b', null, tv('action', e.action)), e.who ? ' · ' : '',
			e.who ? el('span', { class: 'who' }, e.who) : null,
			e.via && e.via !== 'daemon' ? el('span', { class: 'via' }, ' (' + tv('via', e.via) + ')') : null,
			e.note ? el('span', { class: 'note' }, ' — ' + e.note) : null);
	}));
}

function faultDialog(f, what) {
	var note = el('textarea', { id: 'f-note', rows: 3, maxlength: 1000 });
	var sat = what === 'close' ? select({ id: 'f-sat' }, SATISFACTION.map(function (s) {
		return [s, LANG === 'zh' ? s : s + ' (' + tv('sat', s) + ')'];
	}), SATISFACTION[0]) : null;
	var err = el('p', { class: 'error', hidden: true });
	var body = el('div', { class: 'form' },
		el('p', null, sevBadge(f.severity), ' ', f.device, ' — ', f.summary || ''),
		el('label', null, t('f.note'), note),
		sat ? el('label', null, t('f.satisfaction'), sat) : null, err);
	modal(t('f.' + what + '.title', { id: f.id }), body, [
		{ text: t('common.cancel'), cls: 'light', onclick: function (close) { close(); } },
		{ text: t('f.' + what), id: 'f-submit', onclick: function (close) {
			var req = { note: note.value };
			if (sat)
				req.satisfaction = sat.value;
			Api.post('/faults/' + encodeURIComponent(f.id) + '/' + what, req).then(function () {
				close();
				toast(t('f.done.' + what, { id: f.id }));
				App.draw();
			}, function (e) {
				err.hidden = false;
				err.textContent = e.status === 409 ? t('f.already_closed') :
					e.status === 403 && e.code !== 'csrf' ? t('common.forbidden', { role: tv('urole', 'operator') }) :
					t('common.error', { msg: e.message });
			});
		} }
	]);
}
