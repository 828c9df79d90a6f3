/*
 * topology.js - the inventory's parent tree drawn in SVG, left to right
 * (backbone and core, aggregation, access points, the cameras and
 * terminals behind them), coloured by state. A device that is down draws
 * its branch in red and its unreachable children in grey. A device with
 * more than GROUP_OVER children folds, per role, into one count box those
 * children that are leaves (unless down) or whole branches that are up:
 * every outage stays on the screen, the rest is counted; more than
 * GROUP_OVER down leaves (a mass outage) fold into a red box of their own. A click on a
 * count box unfolds it, a click on a device opens it.
 * Redrawn from /api/v1/topology every 15 s.
 * SPDX-License-Identifier: MIT
 */
'use strict';

var TOPO = { GROUP_OVER: 8, W: 224, H: 26, COL: 272, ROW: 32, PAD: 16 };
var SVGNS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
	var e = document.createElementNS(SVGNS, tag);
	Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
	if (text !== undefined)
		e.textContent = text;
	return e;
}

Views.topology = function (main) {
	var alive = App.current();
	var expanded = {};
	var stamp = el('span', { class: 'stamp' });
	var legend = el('div', { class: 'legend' }, STATES.map(function (s) {
		return el('span', null, el('i', { class: 'dot st-' + s }), tv('state', s));
	}));
	var box = el('div', { class: 'topo-box' });
	main.appendChild(el('section', { class: 'panel' },
		el('h2', null, t('topo.title'), stamp), el('p', { class: 'hint' }, t('topo.hint')),
		legend, box));
	var last = null;
	function redraw() {
		if (last)
			drawTopology(box, last, expanded, redraw);
	}
	App.every(15000, function () {
		Api.get('/topology').then(function (d) {
			if (!alive())
				return;
			last = d.nodes || [];
			stamp.textContent = t('common.updated', { t: fmtTime(Date.now() / 1000) });
			redraw();
		}, function (e) {
			if (!alive() || e.status === 401)
				return;
			if (!last || !(e.status === 0 || e.status >= 500))
				clear(box).appendChild(errorBox(e));
		});
	});
};

/* Builds the visible tree: [{node | group, kids, depth}] */
function topoTree(nodes, expanded) {
	var byName = {}, roots = [];
	nodes.forEach(function (n) { byName[n.name] = { n: n, kids: [] }; });
	nodes.forEach(function (n) {
		var p = n.parent && byName[n.parent];
		if (p)
			p.kids.push(byName[n.name]);
		else
			roots.push(byName[n.name]);
	});
	var roleRank = {};
	ROLES.forEach(function (r, i) { roleRank[r] = i; });
	function order(a, b) {
		var ra = roleRank[a.n.role] === undefined ? 99 : roleRank[a.n.role];
		var rb = roleRank[b.n.role] === undefined ? 99 : roleRank[b.n.role];
		return ra - rb || a.n.name.localeCompare(b.n.name, undefined, { numeric: true });
	}
	/* devices below v (not v itself) and whether v and all of them are up */
	function sizeOf(v) {
		if (v.size === undefined) {
			v.size = 0;
			v.allUp = v.n.state === 'up';
			v.kids.forEach(function (k) {
				sizeOf(k);
				v.size += 1 + k.size;
				v.allUp = v.allUp && k.allUp;
			});
		}
		return v;
	}
	function visible(v) {
		var kids = v.kids.slice().sort(order);
		var out = [];
		if (kids.length > TOPO.GROUP_OVER) {
			var groups = {};
			/* more down leaves than GROUP_OVER (a mass outage) fold too,
			 * into a red box of their own */
			var downLeaves = kids.filter(function (k) {
				return !k.kids.length && k.n.state === 'down';
			}).length;
			kids.forEach(function (k) {
				var leafDown = !k.kids.length && k.n.state === 'down';
				var key = k.n.role + (leafDown ? '/down' : '');
				/* folded: a leaf (a down one only in a mass outage), or
				 * a branch all up */
				var single = (leafDown && downLeaves <= TOPO.GROUP_OVER) ||
					(k.kids.length > 0 && !sizeOf(k).allUp) ||
					expanded[v.n.name + '\u0000' + key];
				if (single) {
					out.push(visible(k));
					return;
				}
				var g = groups[key];
				if (!g) {
					g = groups[key] = { group: true, role: k.n.role, key: key, parent: v.n.name,
							    counts: {}, total: 0, below: 0, kids: [] };
					out.push(g);
				}
				g.counts[k.n.state || 'unknown'] = (g.counts[k.n.state || 'unknown'] || 0) + 1;
				g.total++;
				g.below += k.kids.length ? sizeOf(k).size : 0;
			});
		} else {
			kids.forEach(function (k) { out.push(visible(k)); });
		}
		return { n: v.n, kids: out };
	}
	return roots.sort(order).map(visible);
}

function drawTopology(box, nodes, expanded, redraw) {
	var roots = topoTree(nodes, expanded);
	var row = 0, maxDepth = 0, placed = [];
	function place(v, depth, downAbove) {
		maxDepth = Math.max(maxDepth, depth);
		v.depth = depth;
		v.red = downAbove || (v.n && v.n.state === 'down');
		if (!v.kids.length) {
			v.y = row++;
		} else {
			v.kids.forEach(function (k) { place(k, depth + 1, v.red); });
			v.y = (v.kids[0].y + v.kids[v.kids.length - 1].y) / 2;
		}
		placed.push(v);
	}
	roots.forEach(function (r) { place(r, 0, false); });
	var W = TOPO.PAD * 2 + maxDepth * TOPO.COL + TOPO.W;
	var H = TOPO.PAD * 2 + Math.max(row, 1) * TOPO.ROW;
	var s = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, class: 'topo',
			     role: 'img' });
	function X(v) { return TOPO.PAD + v.depth * TOPO.COL; }
	function Y(v) { return TOPO.PAD + v.y * TOPO.ROW + (TOPO.ROW - TOPO.H) / 2; }
	var edges = svg('g', { class: 'edges' });
	var boxes = svg('g', { class: 'nodes' });
	s.appendChild(edges);
	s.appendChild(boxes);
	placed.forEach(function (v) {
		v.kids.forEach(function (k) {
			var x1 = X(v) + TOPO.W, y1 = Y(v) + TOPO.H / 2;
			var x2 = X(k), y2 = Y(k) + TOPO.H / 2, mx = (x1 + x2) / 2;
			edges.appendChild(svg('path', {
				d: 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2,
				class: 'edge' + (v.red ? ' red' : '')
			}));
		});
		var g = svg('g', { transform: 'translate(' + X(v) + ',' + Y(v) + ')' });
		if (v.group) {
			/* the colour of most of the group (a down device is never in one) */
			var worst = STATES.reduce(function (best, st) {
				return (v.counts[st] || 0) > (v.counts[best] || 0) ? st : best;
			}, 'unknown');
			g.setAttribute('class', 'tnode group st-' + worst + (v.red ? ' red' : ''));
			g.setAttribute('data-group', v.parent + '/' + v.key);
			g.appendChild(svg('rect', { width: TOPO.W, height: TOPO.H, rx: 4 }));
			var parts = STATES.filter(function (st) { return v.counts[st]; }).map(function (st) {
				return v.counts[st] + ' ' + tv('state', st);
			});
			g.appendChild(svg('text', { x: 8, y: 17 }, tv('role', v.role) + ' ×' + v.total));
			g.appendChild(svg('title', {}, tv('role', v.role) + ' ×' + v.total + ': ' +
					  parts.join(', ') +
					  (v.below ? '; ' + t('topo.below', { n: v.below }) : '') +
					  ' (' + t('topo.expand') + ')'));
			var tx = svg('text', { x: TOPO.W - 8, y: 17, 'text-anchor': 'end', class: 'sub' },
				     (parts.length === 1 ? parts[0] : (v.counts.up || 0) + '/' + v.total + ' ' +
				      tv('state', 'up')) + (v.below ? ' +' + v.below : ''));
			g.appendChild(tx);
			g.addEventListener('click', function () {
				expanded[v.parent + '\u0000' + v.key] = true;
				redraw();
			});
		} else {
			var n = v.n;
			g.setAttribute('class', 'tnode st-' + (n.state || 'unknown') + (v.red ? ' red' : ''));
			g.setAttribute('data-device', n.name);
			g.appendChild(svg('rect', { width: TOPO.W, height: TOPO.H, rx: 4 }));
			var label = n.name.length > 22 ? n.name.slice(0, 21) + '…' : n.name;
			g.appendChild(svg('text', { x: 8, y: 17 }, label));
			g.appendChild(svg('text', { x: TOPO.W - 8, y: 17, 'text-anchor': 'end', class: 'sub' },
					  tv('role', n.role)));
			g.appendChild(svg('title', {}, n.name + ' · ' + tv('role', n.role) + ' · ' +
					  tv('state', n.state) + (n.unit ? ' · ' + n.unit : '')));
			g.addEventListener('click', function () {
				location.hash = '#/device/' + encodeURIComponent(n.name);
			});
		}
		boxes.appendChild(g);
	});
	clear(box).appendChild(s);
}
