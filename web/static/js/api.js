/*
 * api.js - the console's one door to slamond's JSON API (/api/v1, see
 * docs/web.md). Every call sends the session cookie; every write sends the
 * session's CSRF token in X-CSRF-Token. A 401 anywhere means the session
 * has expired or was never there: the console goes back to the login page.
 * Errors come back as ApiError with the server's {"error":{code,message}}.
 * SPDX-License-Identifier: MIT
 */
'use strict';

var Api = {
	session: null,          /* {user, role, csrf} once logged in */
	onUnauthorized: null,   /* set by app.js */
	onReachable: null       /* (null | ApiError) after each call: the banner */
};

function ApiError(status, code, message) {
	this.status = status;
	this.code = code;
	this.message = message;
}
ApiError.prototype.toString = function () {
	return this.message + (this.status ? ' (HTTP ' + this.status + ')' : '');
};

/* Query string from an object, leaving out empty values. */
Api.qs = function (params) {
	var parts = [];
	Object.keys(params || {}).forEach(function (k) {
		var v = params[k];
		if (v !== undefined && v !== null && v !== '')
			parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
	});
	return parts.length ? '?' + parts.join('&') : '';
};

Api.request = function (method, path, body, opts) {
	opts = opts || {};
	var headers = { 'Accept': 'application/json' };
	var init = { method: method, headers: headers, credentials: 'same-origin',
		     cache: 'no-store' };
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (method !== 'GET' && Api.session && Api.session.csrf)
		headers['X-CSRF-Token'] = Api.session.csrf;
	return fetch('/api/v1' + path, init).then(function (res) {
		if (Api.onReachable)
			Api.onReachable(res.status >= 500 ? new ApiError(res.status, 'http_' + res.status,
								   'HTTP ' + res.status) : null);
		if (res.status === 204)
			return null;
		return res.text().then(function (text) {
			var data = null;
			try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
			if (res.ok)
				return data;
			var err = data && data.error ? data.error : {};
			var e = new ApiError(res.status, err.code || 'http_' + res.status,
					     err.message || res.statusText || ('HTTP ' + res.status));
			if (res.status === 401 && !opts.noRedirect && Api.onUnauthorized)
				Api.onUnauthorized(e);
			throw e;
		});
	}, function (netErr) {
		var e = new ApiError(0, 'network', netErr && netErr.message ? netErr.message : String(netErr));
		if (Api.onReachable)
			Api.onReachable(e);
		throw e;
	});
};

Api.get = function (path, params) {
	return Api.request('GET', path + Api.qs(params));
};
Api.post = function (path, body) {
	return Api.request('POST', path, body === undefined ? {} : body);
};

Api.login = function (user, password) {
	return Api.request('POST', '/login', { user: user, password: password },
			   { noRedirect: true }).then(function (s) {
		Api.session = s;
		return s;
	});
};
Api.logout = function () {
	return Api.request('POST', '/logout', {}, { noRedirect: true }).then(function () {
		Api.session = null;
	}, function () { Api.session = null; });
};
Api.loadSession = function () {
	return Api.request('GET', '/session', undefined, { noRedirect: true }).then(function (s) {
		Api.session = s;
		return s;
	});
};

/* What a role may do: viewer < operator < admin. */
Api.can = function (need) {
	var rank = { viewer: 0, operator: 1, admin: 2 };
	var have = Api.session ? rank[Api.session.role] : -1;
	return have !== undefined && have >= rank[need];
};
