/*
 * ui.js - small DOM and formatting helpers shared by the views: element
 * building (text only through textContent, never innerHTML of server
 * data), tables, badges, rates, durations, times, months, a modal dialog
 * and a toast line.
 * SPDX-License-Identifier: MIT
 */
'use strict';

/* The views by name (#/name/...): filled by overview.js, topology.js, ...;
 * drawn by app.js. */
var Views = {};

/* el('div', {class: 'x', onclick: f}, child, 'text', [more]) */
function el(tag, attrs) {
	var e = document.createElement(tag);
	if (attrs) {
		Object.keys(attrs).forEach(function (k) {
			var v = attrs[k];
			if (v === undefined || v === null || v === false)
				return;
			if (k.slice(0, 2) === 'on' && typeof v === 'function')
				e.addEventListener(k.slice(2), v);
			else if (k === 'class')
				e.className = v;
			else if (k === 'text')
				e.textContent = v;
			else if (k === 'style' && typeof v === 'object')
				Object.keys(v).forEach(function (s) { e.style[s] = v[s]; });
			else if (v === true)
				e.setAttribute(k, '');
			else
				e.setAttribute(k, v);
		});
	}
	for (var i = 2; i < arguments.length; i++)
		appendKids(e, arguments[i]);
	return e;
}

function appendKids(e, c) {
	if (c === null || c === undefined || c === false)
		return;
	if (Array.isArray(c)) {
		c.forEach(function (x) { appendKids(e, x); });
		return;
	}
	e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
}

function clear(e) {
	while (e.firstChild)
		e.removeChild(e.firstChild);
	return e;
}

/* A table: columns [{h: 'header text', f: function(row) -> node|text,
 * cls}], rows, empty text. */
function table(columns, rows, emptyText, rowAttrs) {
	var thead = el('thead', null, el('tr', null, columns.map(function (c) {
		return el('th', { class: c.cls }, c.h);
	})));
	var tbody = el('tbody');
	if (!rows || rows.length === 0)
		tbody.appendChild(el('tr', null, el('td', { colspan: columns.length, class: 'empty' },
						     emptyText || t('common.none'))));
	(rows || []).forEach(function (r) {
		tbody.appendChild(el('tr', rowAttrs ? rowAttrs(r) : null, columns.map(function (c) {
			return el('td', { class: c.cls }, c.f(r));
		})));
	});
	return el('table', { class: 'grid' }, thead, tbody);
}

function badge(kind, value, prefix) {
	return el('span', { class: 'badge ' + kind + '-' + value }, tv(prefix, value));
}
function stateBadge(s) { return badge('st', s || 'unknown', 'state'); }
function sevBadge(s) { return badge('sev', s, 'sev'); }
function fstateBadge(s) { return badge('fs', s, 'fstate'); }

function deviceLink(name) {
	if (!name)
		return '';
	return el('a', { href: '#/device/' + encodeURIComponent(name), class: 'dev' }, name);
}

/* 1234567 -> "1.23 Mbps"; null -> "—" */
function fmtBps(v) {
	if (v === null || v === undefined || isNaN(v))
		return '—';
	var u = ['bps', 'kbps', 'Mbps', 'Gbps', 'Tbps'], i = 0;
	v = Number(v);
	while (Math.abs(v) >= 1000 && i < u.length - 1) {
		v /= 1000;
		i++;
	}
	return (i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)) + ' ' + u[i];
}

function fmtPct(v) {
	if (v === null || v === undefined || isNaN(v))
		return '—';
	return Number(v).toFixed(Number(v) >= 99.95 || Number(v) === 0 ? 1 : 2) + '%';
}

/* Seconds -> "3 小时 12 分" / "3h 12m" (two largest units). */
function fmtDur(s) {
	if (s === null || s === undefined || isNaN(s))
		return '—';
	s = Math.max(0, Math.round(s));
	var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
	var m = Math.floor(s % 3600 / 60), sec = s % 60;
	var parts = [];
	if (d) parts.push(t('time.d', { n: d }));
	if (h) parts.push(t('time.h', { n: h }));
	if (m && parts.length < 2) parts.push(t('time.m', { n: m }));
	if (!parts.length) parts.push(t('time.s', { n: sec }));
	return parts.slice(0, 2).join(LANG === 'en' ? ' ' : ' ');
}

function pad2(n) { return n < 10 ? '0' + n : String(n); }

/* The console shows times as slamond does, in [general] timezone: the
 * API gives "*_text" beside a time when that zone keeps one offset, and
 * the first such pair teaches the console the offset (TZ.offset, seconds
 * east of UTC). Until then, and for a zone with summer time, the
 * browser's own zone is used. */
var TZ = { offset: null };

function tzLearn(tsec, text) {
	var m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text || '');
	if (!m || typeof tsec !== 'number')
		return;
	var asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
	TZ.offset = Math.round((asUtc - Math.floor(tsec)) / 60) * 60;
}

/* The calendar fields of epoch seconds tsec in the console's zone. */
function tzFields(tsec) {
	var d;
	if (TZ.offset === null) {
		d = new Date(tsec * 1000);
		return { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(),
			 mi: d.getMinutes(), s: d.getSeconds() };
	}
	d = new Date((tsec + TZ.offset) * 1000);
	return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(),
		 mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

/* The epoch seconds of calendar fields in the console's zone. */
function tzEpoch(y, mo, d, h, mi) {
	if (TZ.offset === null)
		return Math.floor(new Date(y, mo - 1, d, h, mi).getTime() / 1000);
	return Date.UTC(y, mo - 1, d, h, mi) / 1000 - TZ.offset;
}

/* Epoch seconds -> "2026-12-07 08:15:03" (the server's *_text when given) */
function fmtTime(tsec, text) {
	if (text) {
		tzLearn(tsec, text);
		return text;
	}
	if (tsec === null || tsec === undefined || tsec === 0)
		return '—';
	var f = tzFields(tsec);
	return f.y + '-' + pad2(f.mo) + '-' + pad2(f.d) + ' ' + pad2(f.h) + ':' + pad2(f.mi) + ':' + pad2(f.s);
}

function thisMonth() {
	var f = tzFields(Date.now() / 1000);
	return f.y + '-' + pad2(f.mo);
}

/* Value with its unit: 99.5 "%" -> "99.50 %"; 10000 "Mbps" -> "10000 Mbps" */
function fmtValue(v, unit) {
	if (v === null || v === undefined)
		return '—';
	var s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v);
	return unit ? s + ' ' + unit : s;
}

function opText(op) {
	return { '>=': '≥', '<=': '≤', '>': '>', '<': '<', '=': '=', '==': '=' }[op] || op || '';
}

function metBadge(met) {
	if (met === true)
		return el('span', { class: 'badge met' }, t('ind.met'));
	if (met === false)
		return el('span', { class: 'badge missed' }, t('ind.missed'));
	return el('span', { class: 'badge pending' }, t('ind.pending'));
}

/* A modal dialog: title, body node, buttons [{text, cls, onclick}];
 * returns close(). Escape and the backdrop close it. */
function modal(title, body, buttons) {
	var back = el('div', { class: 'modal-back' });
	var box = el('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true' },
		     el('h2', null, title), body,
		     el('div', { class: 'modal-buttons' }, buttons.map(function (b) {
			     return el('button', { type: 'button', class: b.cls || '', id: b.id,
						  onclick: function () { b.onclick(close); } }, b.text);
		     })));
	function close() {
		document.removeEventListener('keydown', onKey);
		if (back.parentNode)
			back.parentNode.removeChild(back);
	}
	function onKey(ev) {
		if (ev.key === 'Escape')
			close();
	}
	back.addEventListener('click', function (ev) {
		if (ev.target === back)
			close();
	});
	document.addEventListener('keydown', onKey);
	back.appendChild(box);
	document.body.appendChild(back);
	var first = box.querySelector('textarea, input, select');
	if (first)
		first.focus();
	return close;
}

var toastTimer = null;
function toast(text, isError) {
	var tEl = document.getElementById('toast');
	if (!tEl) {
		tEl = el('div', { id: 'toast', class: 'toast', role: 'status' });
		document.body.appendChild(tEl);
	}
	tEl.textContent = text;
	tEl.className = 'toast show' + (isError ? ' error' : '');
	clearTimeout(toastTimer);
	toastTimer = setTimeout(function () { tEl.className = 'toast'; }, 4000);
}

function errorBox(e) {
	return el('p', { class: 'error' }, t('common.error', { msg: e && e.message ? e.message : String(e) }));
}

/* A <select> of options [[value, text]], with the current value chosen. */
function select(attrs, options, current) {
	var s = el('select', attrs);
	options.forEach(function (o) {
		var opt = el('option', { value: o[0] }, o[1]);
		if (String(o[0]) === String(current === undefined || current === null ? '' : current))
			opt.selected = true;
		s.appendChild(opt);
	});
	return s;
}

var ROLES = ['backbone', 'exit', 'core', 'aggregation', 'access', 'server', 'firewall',
	     'wireless', 'iot', 'camera', 'other'];
var STATES = ['up', 'down', 'unreachable', 'maintenance', 'unknown'];
var SEVERITIES = ['critical', 'major', 'minor', 'warning'];
