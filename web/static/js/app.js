/*
 * app.js - the console's frame: login and logout, the session (a 401 from
 * any call brings the login page back, saying the session expired), the
 * language switch, and the router that draws one view per #/path?query.
 * A view is a function(main, route) that may register timers with
 * App.every(); they stop when the view changes.
 * SPDX-License-Identifier: MIT
 */
'use strict';

var App = {
	timers: [],
	route: null,
	gen: 0          /* bumped per view draw: late answers of an old view are dropped */
};

/* Runs fn now and every ms while the current view is shown. */
App.every = function (ms, fn) {
	fn();
	App.timers.push(setInterval(fn, ms));
};

/* A guard for asynchronous draws: true while the view that asked is current. */
App.current = function () {
	var g = App.gen;
	return function () { return g === App.gen; };
};

/* decodeURIComponent that keeps a malformed %-sequence as it is */
function decodePart(x) {
	try {
		return decodeURIComponent(x);
	} catch (e) {
		return x;
	}
}

App.parseHash = function () {
	var h = location.hash.replace(/^#\/?/, '');
	var q = {}, qi = h.indexOf('?');
	if (qi >= 0) {
		h.slice(qi + 1).split('&').forEach(function (p) {
			if (!p)
				return;
			var kv = p.split('=');
			q[decodePart(kv[0])] = decodePart((kv[1] || '').replace(/\+/g, ' '));
		});
		h = h.slice(0, qi);
	}
	var parts = h.split('/').filter(function (x) { return x !== ''; }).map(decodePart);
	return { view: parts[0] || 'overview', args: parts.slice(1), q: q };
};

/* Changes the query of the current view (filters, paging) without a reload. */
App.setQuery = function (q) {
	var r = App.parseHash();
	var path = '#/' + [r.view].concat(r.args).map(encodeURIComponent).join('/');
	var h = path + Api.qs(q);
	if (location.hash === h)
		App.draw();     /* the same filters again: load them again */
	else
		location.hash = h;
};

App.draw = function () {
	App.timers.forEach(clearInterval);
	App.timers = [];
	App.gen++;
	var r = App.parseHash();
	App.route = r;
	var links = document.querySelectorAll('#nav a');
	for (var i = 0; i < links.length; i++) {
		var v = links[i].getAttribute('data-view');
		var on = v === r.view || (v === 'devices' && r.view === 'device') ||
			(v === 'sla' && r.view === 'evidence');
		links[i].className = on ? 'active' : '';
	}
	var main = clear(document.getElementById('view'));
	main.className = 'view-' + r.view;
	var fn = Views[r.view] || Views.overview;
	try {
		fn(main, r);
	} catch (e) {
		main.appendChild(errorBox(e));
	}
};

App.showLogin = function (message) {
	App.timers.forEach(clearInterval);
	App.timers = [];
	App.gen++;
	Api.session = null;
	document.getElementById('app').hidden = true;
	document.getElementById('login').hidden = false;
	var err = document.getElementById('login-error');
	err.hidden = !message;
	err.textContent = message || '';
	document.getElementById('login-password').value = '';
	document.getElementById('login-user').focus();
};

App.showApp = function () {
	document.getElementById('login').hidden = true;
	document.getElementById('app').hidden = false;
	var s = Api.session;
	document.getElementById('whoami').textContent = s.user + ' · ' + tv('urole', s.role);
	App.draw();
};

/* A banner under the header while slamond cannot be reached. */
App.offline = function (e) {
	var b = document.getElementById('banner');
	if (e) {
		b.textContent = t('common.offline', { msg: e.message || String(e) });
		b.hidden = false;
	} else {
		b.hidden = true;
	}
};

App.tick = function () {
	document.getElementById('clock').textContent = fmtTime(Math.floor(Date.now() / 1000));
};

App.start = function () {
	applyI18n();
	Api.onReachable = App.offline;
	Api.onUnauthorized = function () {
		App.showLogin(t('login.expired'));
	};
	document.getElementById('login-form').addEventListener('submit', function (ev) {
		ev.preventDefault();
		var btn = document.getElementById('login-submit');
		btn.disabled = true;
		Api.login(document.getElementById('login-user').value,
			  document.getElementById('login-password').value).then(function () {
			btn.disabled = false;
			App.showApp();
		}, function (e) {
			btn.disabled = false;
			var msg = e.status === 401 ? t('login.bad') : e.status === 429 ? t('login.limited') :
				t('login.failed', { msg: e.message });
			App.showLogin(msg);
		});
	});
	document.getElementById('logout').addEventListener('click', function () {
		Api.logout().then(function () { App.showLogin(''); });
	});
	var sw = document.querySelectorAll('.lang-switch');
	for (var i = 0; i < sw.length; i++) {
		sw[i].addEventListener('click', function (ev) {
			ev.preventDefault();
			setLang(LANG === 'en' ? 'zh' : 'en');
			applyI18n();
			if (Api.session)
				App.showApp();
		});
	}
	window.addEventListener('hashchange', function () {
		if (Api.session)
			App.draw();
	});
	App.tick();
	setInterval(App.tick, 1000);
	Api.loadSession().then(App.showApp, function (e) {
		App.showLogin(e.status === 401 ? '' : t('common.error', { msg: e.message }));
	});
};

document.addEventListener('DOMContentLoaded', App.start);
