/*
 * i18n.js - the console's words in Chinese (the default) and English.
 * The choice is kept in localStorage ("slamon.lang"). t(key, vars) looks a
 * key up in the current language, falls back to Chinese, then to the key
 * itself, and fills {name} placeholders from vars.
 * SPDX-License-Identifier: MIT
 */
'use strict';

var I18N = {
	zh: {
		'app.subtitle': '电子政务外网 SLA 监测',
		'login.user': '用户名',
		'login.password': '密码',
		'login.submit': '登录',
		'login.bad': '用户名或密码错误',
		'login.limited': '登录尝试过多，请稍后再试',
		'login.expired': '会话已过期，请重新登录',
		'login.failed': '登录失败：{msg}',
		'nav.overview': '总览',
		'nav.topology': '拓扑',
		'nav.devices': '设备',
		'nav.faults': '故障',
		'nav.sla': 'SLA 指标',
		'nav.reports': '报表',
		'nav.logout': '退出',
		'lang.switch': 'English',
		'common.loading': '加载中…',
		'common.none': '无',
		'common.error': '出错：{msg}',
		'common.offline': '无法连接 slamond（{msg}），稍后自动重试',
		'common.updated': '更新于 {t}',
		'common.all': '全部',
		'common.search': '搜索',
		'common.prev': '上一页',
		'common.next': '下一页',
		'common.page': '第 {from}–{to} 条，共 {total} 条',
		'common.cancel': '取消',
		'common.submit': '提交',
		'common.yes': '是',
		'common.no': '否',
		'common.forbidden': '权限不足（需要 {role} 角色）',
		'role.backbone': '骨干', 'role.exit': '出口', 'role.core': '核心',
		'role.aggregation': '汇聚', 'role.access': '接入点',
		'role.server': '服务器', 'role.firewall': '防火墙',
		'role.wireless': '无线', 'role.iot': '物联网终端',
		'role.camera': '摄像头', 'role.other': '其他',
		'urole.viewer': '只读', 'urole.operator': '值班员', 'urole.admin': '管理员',
		'state.up': '正常', 'state.down': '中断', 'state.unreachable': '不可达',
		'state.maintenance': '维护', 'state.unknown': '未知',
		'sev.critical': '紧急', 'sev.major': '重要', 'sev.minor': '次要',
		'sev.warning': '提示',
		'fstate.open': '未确认', 'fstate.acked': '已确认', 'fstate.closed': '已关闭',
		'action.open': '发生', 'action.opened': '发生', 'action.ack': '确认',
		'action.acked': '确认', 'action.close': '关闭', 'action.closed': '关闭',
		'action.resolve': '恢复', 'action.resolved': '恢复',
		'action.remind': '提醒', 'action.notify': '通知',
		'via.web': '网页', 'via.cli': '命令行',
		'col.in_bps': '入方向', 'col.out_bps': '出方向', 'col.latency_ms': '时延 ms',
		'col.reach': '可达（1 = 是）',
		'ov.roles': '设备状态（按角色）',
		'ov.links': '骨干与出口链路利用率',
		'ov.faults': '未关闭故障',
		'ov.indicators': '本月指标',
		'ov.in': '入', 'ov.out': '出',
		'ov.no_links': '没有骨干或出口链路',
		'ov.no_faults': '没有未关闭的故障',
		'ov.waited': '已等待 {w}',
		'ov.deadline': '时限 {d}',
		'ov.overdue': '已超时 {d}',
		'ov.left': '剩余 {d}',
		'ov.basis.capacity': '按合同带宽',
		'ov.basis.speed': '按接口速率',
		'ind.met': '达标', 'ind.missed': '未达标', 'ind.pending': '无数据',
		'ind.target': '目标 {op} {target}',
		'topo.title': '网络拓扑',
		'topo.hint': '按上级设备组成的树；点击设备打开详情。中断的设备及其下级显示为红色分支，不可达的下级显示为灰色。',
		'topo.more': '另 {n} 台',
		'topo.expand': '展开',
		'topo.below': '其下还有 {n} 台设备',
		'topo.collapse': '收起',
		'dev.title': '设备',
		'dev.unit': '单位', 'dev.role': '角色', 'dev.state': '状态',
		'dev.tag': '标签', 'dev.name': '名称', 'dev.address': '地址',
		'dev.parent': '上级', 'dev.since': '状态开始', 'dev.probe': '探测',
		'dev.tags': '标签', 'dev.q': '名称、地址或单位',
		'dev.none': '没有符合条件的设备',
		'dev.not_found': '没有设备 {name}',
		'dev.interfaces': '接口',
		'dev.if.name': '接口', 'dev.if.oper': '运行状态', 'dev.if.speed': '速率 Mbps',
		'dev.if.capacity': '合同带宽 Mbps', 'dev.if.in': '入 bps', 'dev.if.out': '出 bps',
		'dev.if.util': '利用率',
		'dev.graph': '流量图',
		'dev.graph.device': '设备自身',
		'dev.graph.from': '从', 'dev.graph.to': '到', 'dev.graph.show': '显示',
		'dev.graph.range.6h': '6 小时', 'dev.graph.range.1d': '1 天',
		'dev.graph.range.7d': '7 天', 'dev.graph.range.30d': '30 天',
		'dev.graph.empty': '该时段没有数据',
		'dev.states': '状态历史',
		'dev.faults': '故障',
		'dev.reason': '原因', 'dev.time': '时间',
		'f.title': '故障',
		'f.status.open': '未关闭', 'f.status.all': '全部', 'f.month': '月份',
		'f.id': '编号', 'f.device': '设备', 'f.severity': '级别', 'f.state': '状态',
		'f.opened': '发生时间', 'f.acked': '确认', 'f.closed': '关闭',
		'f.summary': '摘要', 'f.note': '备注', 'f.satisfaction': '满意度',
		'f.history': '处理记录', 'f.who': '操作人', 'f.action': '动作',
		'f.ack': '确认', 'f.close': '关闭',
		'f.ack.title': '确认故障 #{id}',
		'f.close.title': '关闭故障 #{id}',
		'f.done.ack': '故障 #{id} 已确认',
		'f.done.close': '故障 #{id} 已关闭',
		'f.none': '没有故障',
		'f.already_closed': '故障已关闭',
		'sat.满意': '满意', 'sat.基本满意': '基本满意', 'sat.不满意': '不满意',
		'sla.title': 'SLA 指标',
		'sla.period': '月份',
		'sla.indicator': '指标', 'sla.value': '实际值', 'sla.target': '目标',
		'sla.met': '结论', 'sla.reason': '说明',
		'sla.evidence': '依据',
		'sla.ev.title': '指标依据：{name}（{period}）',
		'sla.ev.devices': '计算所用设备',
		'sla.ev.intervals': '中断时段',
		'sla.ev.faults': '相关故障',
		'sla.ev.graph': '查看该时段流量图',
		'sla.ev.back': '返回指标',
		'sla.ev.none': '无中断',
		'rep.title': '月报表归档',
		'rep.month': '月份', 'rep.status': '状态', 'rep.files': '文件',
		'rep.draft': '草稿', 'rep.final': '定稿',
		'rep.generate': '生成报表', 'rep.generating': '{month} 报表已开始生成',
		'rep.none': '还没有报表',
		'time.s': '{n} 秒', 'time.m': '{n} 分', 'time.h': '{n} 小时', 'time.d': '{n} 天'
	},
	en: {
		'app.subtitle': 'E-government extranet SLA monitor',
		'login.user': 'User',
		'login.password': 'Password',
		'login.submit': 'Log in',
		'login.bad': 'Wrong user name or password',
		'login.limited': 'Too many login attempts; try again later',
		'login.expired': 'Your session has expired; please log in again',
		'login.failed': 'Login failed: {msg}',
		'nav.overview': 'Overview',
		'nav.topology': 'Topology',
		'nav.devices': 'Devices',
		'nav.faults': 'Faults',
		'nav.sla': 'SLA',
		'nav.reports': 'Reports',
		'nav.logout': 'Log out',
		'lang.switch': '中文',
		'common.loading': 'Loading…',
		'common.none': 'none',
		'common.error': 'Error: {msg}',
		'common.offline': 'Cannot reach slamond ({msg}); retrying',
		'common.updated': 'updated {t}',
		'common.all': 'all',
		'common.search': 'Search',
		'common.prev': 'Previous',
		'common.next': 'Next',
		'common.page': '{from}–{to} of {total}',
		'common.cancel': 'Cancel',
		'common.submit': 'Submit',
		'common.yes': 'yes',
		'common.no': 'no',
		'common.forbidden': 'Not allowed (needs the {role} role)',
		'role.backbone': 'Backbone', 'role.exit': 'Exit', 'role.core': 'Core',
		'role.aggregation': 'Aggregation', 'role.access': 'Access point',
		'role.server': 'Server', 'role.firewall': 'Firewall',
		'role.wireless': 'Wireless', 'role.iot': 'IoT terminal',
		'role.camera': 'Camera', 'role.other': 'Other',
		'urole.viewer': 'viewer', 'urole.operator': 'operator', 'urole.admin': 'admin',
		'state.up': 'up', 'state.down': 'down', 'state.unreachable': 'unreachable',
		'state.maintenance': 'maintenance', 'state.unknown': 'unknown',
		'sev.critical': 'critical', 'sev.major': 'major', 'sev.minor': 'minor',
		'sev.warning': 'warning',
		'fstate.open': 'open', 'fstate.acked': 'acknowledged', 'fstate.closed': 'closed',
		'action.open': 'opened', 'action.opened': 'opened', 'action.ack': 'acknowledged',
		'action.acked': 'acknowledged', 'action.close': 'closed', 'action.closed': 'closed',
		'action.resolve': 'resolved', 'action.resolved': 'resolved',
		'action.remind': 'reminder', 'action.notify': 'notified',
		'via.web': 'web', 'via.cli': 'command line',
		'col.in_bps': 'in', 'col.out_bps': 'out', 'col.latency_ms': 'latency ms',
		'col.reach': 'reachable (1 = yes)',
		'ov.roles': 'Devices by role',
		'ov.links': 'Backbone and exit utilisation',
		'ov.faults': 'Open faults',
		'ov.indicators': "This month's indicators",
		'ov.in': 'in', 'ov.out': 'out',
		'ov.no_links': 'No backbone or exit links',
		'ov.no_faults': 'No open faults',
		'ov.waited': 'waited {w}',
		'ov.deadline': 'deadline {d}',
		'ov.overdue': 'overdue by {d}',
		'ov.left': '{d} left',
		'ov.basis.capacity': 'of contracted capacity',
		'ov.basis.speed': 'of interface speed',
		'ind.met': 'met', 'ind.missed': 'missed', 'ind.pending': 'no data',
		'ind.target': 'target {op} {target}',
		'topo.title': 'Topology',
		'topo.hint': 'The parent tree of the inventory; click a device to open it. A device that is down is a red branch; its unreachable children are grey.',
		'topo.more': '{n} more',
		'topo.expand': 'expand',
		'topo.below': '{n} more devices behind them',
		'topo.collapse': 'collapse',
		'dev.title': 'Devices',
		'dev.unit': 'Unit', 'dev.role': 'Role', 'dev.state': 'State',
		'dev.tag': 'Tag', 'dev.name': 'Name', 'dev.address': 'Address',
		'dev.parent': 'Parent', 'dev.since': 'Since', 'dev.probe': 'Probe',
		'dev.tags': 'Tags', 'dev.q': 'name, address or unit',
		'dev.none': 'No device matches',
		'dev.not_found': 'No device {name}',
		'dev.interfaces': 'Interfaces',
		'dev.if.name': 'Interface', 'dev.if.oper': 'Oper', 'dev.if.speed': 'Speed Mbps',
		'dev.if.capacity': 'Capacity Mbps', 'dev.if.in': 'In bps', 'dev.if.out': 'Out bps',
		'dev.if.util': 'Utilisation',
		'dev.graph': 'Traffic graph',
		'dev.graph.device': 'the device itself',
		'dev.graph.from': 'from', 'dev.graph.to': 'to', 'dev.graph.show': 'Show',
		'dev.graph.range.6h': '6 hours', 'dev.graph.range.1d': '1 day',
		'dev.graph.range.7d': '7 days', 'dev.graph.range.30d': '30 days',
		'dev.graph.empty': 'No data in this range',
		'dev.states': 'State history',
		'dev.faults': 'Faults',
		'dev.reason': 'Reason', 'dev.time': 'Time',
		'f.title': 'Faults',
		'f.status.open': 'open', 'f.status.all': 'all', 'f.month': 'Month',
		'f.id': 'ID', 'f.device': 'Device', 'f.severity': 'Severity', 'f.state': 'State',
		'f.opened': 'Opened', 'f.acked': 'Acknowledged', 'f.closed': 'Closed',
		'f.summary': 'Summary', 'f.note': 'Note', 'f.satisfaction': 'Satisfaction',
		'f.history': 'History', 'f.who': 'Who', 'f.action': 'Action',
		'f.ack': 'Acknowledge', 'f.close': 'Close',
		'f.ack.title': 'Acknowledge fault #{id}',
		'f.close.title': 'Close fault #{id}',
		'f.done.ack': 'Fault #{id} acknowledged',
		'f.done.close': 'Fault #{id} closed',
		'f.none': 'No faults',
		'f.already_closed': 'The fault is already closed',
		'sat.满意': 'satisfied', 'sat.基本满意': 'mostly satisfied', 'sat.不满意': 'not satisfied',
		'sla.title': 'SLA indicators',
		'sla.period': 'Month',
		'sla.indicator': 'Indicator', 'sla.value': 'Value', 'sla.target': 'Target',
		'sla.met': 'Result', 'sla.reason': 'Note',
		'sla.evidence': 'evidence',
		'sla.ev.title': 'Evidence: {name} ({period})',
		'sla.ev.devices': 'Devices it was computed from',
		'sla.ev.intervals': 'Outage intervals',
		'sla.ev.faults': 'Faults',
		'sla.ev.graph': 'graph of this interval',
		'sla.ev.back': 'Back to the indicators',
		'sla.ev.none': 'no outage',
		'rep.title': 'Report archive',
		'rep.month': 'Month', 'rep.status': 'Status', 'rep.files': 'Files',
		'rep.draft': 'draft', 'rep.final': 'final',
		'rep.generate': 'Generate report', 'rep.generating': 'Report for {month} is being generated',
		'rep.none': 'No reports yet',
		'time.s': '{n}s', 'time.m': '{n}m', 'time.h': '{n}h', 'time.d': '{n}d'
	}
};

var LANG = (function () {
	var l = null;
	try { l = window.localStorage.getItem('slamon.lang'); } catch (e) { /* private mode */ }
	return l === 'en' ? 'en' : 'zh';
})();

function t(key, vars) {
	var s = I18N[LANG][key];
	if (s === undefined)
		s = I18N.zh[key];
	if (s === undefined)
		s = key;
	if (vars)
		s = s.replace(/\{(\w+)\}/g, function (m, k) {
			return vars[k] === undefined ? m : String(vars[k]);
		});
	return s;
}

/* A translated enum value (role, state, severity...) or the raw value when
 * the table has no entry (a server newer than the console). */
function tv(prefix, value) {
	if (value === null || value === undefined || value === '')
		return '';
	var k = prefix + '.' + value;
	return (I18N[LANG][k] !== undefined || I18N.zh[k] !== undefined) ? t(k) : String(value);
}

function setLang(l) {
	try { window.localStorage.setItem('slamon.lang', l); } catch (e) { /* ignore */ }
	LANG = l;
}

/* Fills every [data-i18n] element below root with its text. */
function applyI18n(root) {
	document.documentElement.lang = LANG === 'en' ? 'en' : 'zh-CN';
	var els = (root || document).querySelectorAll('[data-i18n]');
	for (var i = 0; i < els.length; i++)
		els[i].textContent = t(els[i].getAttribute('data-i18n'));
	var sw = document.querySelectorAll('.lang-switch');
	for (var j = 0; j < sw.length; j++)
		sw[j].textContent = t('lang.switch');
}
