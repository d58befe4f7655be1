'use strict';
'require view';
'require uci';

// Network → Lua firewall: lunawall serves its own UI; this page sends the browser there.

return view.extend({
	load: function() {
		return uci.load('lunawall');
	},

	render: function() {
		var port = uci.get('lunawall', 'main', 'port') || '8080';
		var url = 'http://' + window.location.hostname + ':' + port + '/';

		window.setTimeout(function() { window.location.href = url; }, 500);

		return E('div', { 'class': 'cbi-map' }, [
			E('h2', _('Lua firewall')),
			E('div', { 'class': 'cbi-map-descr' },
				_('Firewall policies compiled to kernel Lua, with apply, confirm and automatic rollback, are managed in lunawall\'s own interface.')),
			E('p', {}, E('a', { 'class': 'btn cbi-button cbi-button-action', 'href': url }, _('Open lunawall')))
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
