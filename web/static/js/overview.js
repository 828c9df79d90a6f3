/*
 * overview.js - the NOC wall (1920x1080): devices per role and state,
 * backbone and exit utilisation against contracted capacity, open faults
 * by severity with how long each has waited against its response
 * deadline (overdue in red), and this month's indicators. Redraws from
 * /api/v1/overview every 5 s without reloading the page.
 * SPDX-License-Identifier: MIT
 */
'use strict';

Views.overview = function (main) {
	var alive = App.current();
	var stamp = el('span', { class: 'stamp' });
	var roles = el('div', { class: 'roles' });
	var links = el('div', { class: 'links' });
	var sevs = el('div', { class: 'sevs' });
	var faults = el('div', { class: 'ov-faults' });
	var inds = el('div', { class: 'inds' });
	main.appendChild(el('div', { class: 'wall' },
		el('section', { class: 'panel p-roles' }, el('h2', null, t('ov.roles'), stamp), roles),
		el('section', { class: 'panel p-faults' }, el('h2', null, t('ov.faults')), sevs, faults),
		el('section', { class: 'panel p-links' }, el('h2', null, t('ov.links')), links),
		el('section', { class: 'panel p-inds' }, el('h2', null, t('ov.indicators')), inds)));
	var first = true;
	App.every(5000, function () {
		Api.get('/overview').then(function (o) {
			if (!alive())
				return;
			stamp.textContent = t('common.updated', { t: fmtTime(o.generated, o.generated_text) });
			drawRoles(roles, o.roles || []);
			drawLinks(links, o.links || []);
			drawFaults(sevs, faults, o.faults || {}, o.generated);
			drawIndicators(inds, o.indicators || []);
			first = false;
		}, function (e) {
			if (!alive() || e.status === 401)
				return;
			/* slamond down or busy (the banner says so): keep the last picture */
			if ((e.status === 0 || e.status >= 500) && !first)
				return;
			clear(roles).appendChild(errorBox(e));
		});
	});
};

function drawRoles(box, roles) {
	clear(box);
	roles.forEach(function (r) {
		var total = STATES.reduce(function (s, k) { return s + (r[k] || 0); }, 0);
		var bad = (r.down || 0) > 0;
		box.appendChild(el('a', { class: 'role-tile' + (bad ? ' bad' : (r.unreachable ? ' warn' : '')),
					  href: '#/devices?role=' + encodeURIComponent(r.role),
					  'data-role': r.role },
			el('div', { class: 'role-name' }, LANG === 'zh' && r.name ? r.name : tv('role', r.role),
			   el('span', { class: 'role-total' }, String(total))),
			el('div', { class: 'role-counts' }, STATES.map(function (s) {
				var n = r[s] || 0;
				if (n === 0 && s !== 'up' && s !== 'down')
					return null;
				return el('a', { class: 'cnt st-' + s + (n ? '' : ' zero'),
						 href: '#/devices?role=' + encodeURIComponent(r.role) +
							'&state=' + s,
						 title: tv('state', s) },
					  el('b', null, String(n)), el('small', null, tv('state', s)));
			}))));
	});
	if (!roles.length)
		box.appendChild(el('p', { class: 'empty' }, t('common.none')));
}

function utilClass(p) {
	if (p === null || p === undefined)
		return 'u-none';
	return p >= 90 ? 'u-crit' : p >= 70 ? 'u-high' : 'u-ok';
}

/* Backbone and exit links all, in that order; other contracted links
 * (an access point's line, say) only the OTHER_LINKS busiest, so a wall
 * stays a wall with hundreds of them. */
var OTHER_LINKS = 6;

function wallLinks(links) {
	var main = [], other = [];
	links.forEach(function (l) {
		(l.role === 'backbone' || l.role === 'exit' ? main : other).push(l);
	});
	main.sort(function (a, b) {
		return (a.role === b.role ? 0 : a.role === 'backbone' ? -1 : 1) ||
			a.device.localeCompare(b.device, undefined, { numeric: true }) ||
			a.ifname.localeCompare(b.ifname, undefined, { numeric: true });
	});
	other.sort(function (a, b) { return (b.util_pct || 0) - (a.util_pct || 0); });
	return { main: main, other: other.slice(0, OTHER_LINKS), more: Math.max(0, other.length - OTHER_LINKS) };
}

function drawLinks(box, all) {
	clear(box);
	if (!all.length) {
		box.appendChild(el('p', { class: 'empty' }, t('ov.no_links')));
		return;
	}
	var w = wallLinks(all);
	var links = w.main.concat(w.other);
	links.forEach(function (l, i) {
		if (i === w.main.length && w.other.length)
			box.appendChild(el('h3', { class: 'sub-h' }, t('ov.other_links')));
		var cap = l.capacity_mbps ? l.capacity_mbps * 1e6 : null;
		function bar(v, label) {
			var pct = cap && v !== null && v !== undefined ? Math.min(100, v / cap * 100) : null;
			return el('div', { class: 'bar-row' },
				el('span', { class: 'bar-label' }, label),
				el('div', { class: 'bar' },
				   el('div', { class: 'bar-fill ' + utilClass(pct),
					       style: { width: (pct === null ? 0 : Math.max(pct, 0.5)) + '%' } })),
				el('span', { class: 'bar-val' }, fmtBps(v)));
		}
		box.appendChild(el('div', { class: 'link' },
			el('div', { class: 'link-head' },
			   deviceLink(l.device), el('span', { class: 'ifname' }, l.ifname),
			   el('span', { class: 'tag' }, tv('role', l.role)),
			   el('span', { class: 'spacer' }),
			   el('span', { class: 'util ' + utilClass(l.util_pct) }, fmtPct(l.util_pct)),
			   el('span', { class: 'cap', title: l.util_basis ? t('ov.basis.' + l.util_basis) : '' },
			      '/ ' + (l.capacity_mbps ? l.capacity_mbps + ' Mbps' : '—'))),
			bar(l.in_bps, t('ov.in')), bar(l.out_bps, t('ov.out'))));
	});
	if (w.more)
		box.appendChild(el('p', { class: 'hint' }, t('ov.more_links', { n: w.more })));
}

function drawFaults(sevBox, listBox, f, now) {
	clear(sevBox);
	var by = f.by_severity || {};
	SEVERITIES.forEach(function (s) {
		sevBox.appendChild(el('a', { class: 'sev-tile sev-' + s + ((by[s] || 0) ? '' : ' zero'),
					     href: '#/faults' },
			el('b', null, String(by[s] || 0)), el('small', null, tv('sev', s))));
	});
	clear(listBox);
	/* what needs someone first: overdue, not acknowledged, most severe,
	 * waiting longest */
	var sevRank = {};
	SEVERITIES.forEach(function (sv, i) { sevRank[sv] = i; });
	now = now || Date.now() / 1000;
	var open = (f.open || []).slice().sort(function (a, b) {
		return (isOverdue(b, now) - isOverdue(a, now)) || (!!a.acked - !!b.acked) ||
			((sevRank[a.severity] === undefined ? 9 : sevRank[a.severity]) -
			 (sevRank[b.severity] === undefined ? 9 : sevRank[b.severity])) ||
			(a.opened - b.opened);
	});
	if (!open.length) {
		listBox.appendChild(el('p', { class: 'empty ok' }, t('ov.no_faults')));
		return;
	}
	listBox.appendChild(table([
		{ h: t('f.severity'), f: function (x) { return sevBadge(x.severity); } },
		{ h: t('f.device'), f: function (x) { return deviceLink(x.device); } },
		{ h: t('f.summary'), cls: 'wrap', f: function (x) {
			return el('span', { title: x.summary || '' }, x.summary || '');
		} },
		{ h: t('f.opened'), f: function (x) { return fmtTime(x.opened, x.opened_text); } },
		{ h: t('f.state'), f: function (x) {
			return x.acked ? fstateBadge('acked') : fstateBadge('open');
		} },
		{ h: t('ov.waited', { w: '' }).trim(), cls: 'num', f: function (x) {
			var waited = x.waited_s !== undefined ? x.waited_s : now - x.opened;
			var left = x.deadline ? x.deadline - now : null;
			var over = isOverdue(x, now);
			return el('span', { class: over ? 'overdue' : 'waiting' },
				  fmtDur(waited),
				  left === null || x.acked ? null :
				  el('small', null, ' · ' + (over ? t('ov.overdue', { d: fmtDur(-left) })
							     : t('ov.left', { d: fmtDur(left) }))));
		} }
	], open, null, function (x) {
		return { class: isOverdue(x, now) ? 'row-overdue' : '', 'data-fault': x.id };
	}));
}

/* Not acknowledged past its response deadline (the server says so; an
 * older one only gives the deadline). */
function isOverdue(x, now) {
	if (x.overdue !== undefined)
		return !!x.overdue;
	return !x.acked && !!x.deadline && x.deadline < now;
}

function drawIndicators(box, inds) {
	clear(box);
	if (!inds.length) {
		/* slamond evaluates them off the loop and caches them: the first
		 * overview after a start may come before they are ready */
		box.appendChild(el('p', { class: 'empty' }, t('ov.no_inds')));
		return;
	}
	box.appendChild(el('div', { class: 'ind-grid' }, inds.map(function (i) {
		return el('a', { class: 'ind ' + (i.met === true ? 'met' : i.met === false ? 'missed' : 'pending'),
				 href: '#/evidence/' + encodeURIComponent(i.id) },
			el('div', { class: 'ind-name' }, i.name || i.id),
			el('div', { class: 'ind-value' }, fmtValue(i.value, i.unit)),
			el('div', { class: 'ind-target' },
			   t('ind.target', { op: opText(i.op), target: fmtValue(i.target, i.unit) }),
			   ' ', metBadge(i.met)));
	})));
}
