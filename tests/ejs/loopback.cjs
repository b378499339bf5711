// tests/ejs/loopback.cjs: preloaded into the EthereumJS client (node
// --require) so that every socket it listens on is bound to 127.0.0.1.
// @ethereumjs/client 0.10.5 binds its RLPx (TCP) and discovery (UDP)
// listeners to 0.0.0.0 in code, with no option to change it, and a test must
// not open a port to the network.  Every TCP listen and UDP bind, whatever
// address it asks for, gets 127.0.0.1 instead; a listen on a handle or a
// Unix socket path is left as it is.  With LOOPBACK_REPORT=FILE set, each
// socket appends "KIND ADDRESS PORT" to FILE once it listens (KIND http, tcp
// or udp): ports asked for as 0 are found there, with no race between
// choosing a free port and binding it.
'use strict';
const fs = require('fs');
const http = require('http');
const net = require('net');
const dgram = require('dgram');

const LOOPBACK = '127.0.0.1';

function report(sock, kind) {
	const file = process.env.LOOPBACK_REPORT;
	if (!file)
		return;
	sock.once('listening', () => {
		const a = sock.address();
		if (a && typeof a === 'object')
			fs.appendFileSync(file, `${kind} ${a.address} ${a.port}\n`);
	});
}

// listen(port[, host][, backlog][, cb]) or listen(options[, cb]).
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
	const a = args[0];
	if (a === undefined || a === null || typeof a === 'function') {
		args = [0, LOOPBACK, ...args.slice(a === undefined || a === null ? 1 : 0)];
	} else if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) {
		if (typeof args[1] === 'string')
			args[1] = LOOPBACK;
		else
			args.splice(1, 0, LOOPBACK);
	} else if (a !== null && typeof a === 'object' && a.path === undefined &&
	    a.handle === undefined && a._handle === undefined && a.fd === undefined) {
		args[0] = { ...a, host: LOOPBACK, ipv6Only: false };
	}
	report(this, this instanceof http.Server ? 'http' : 'tcp');
	return listen.apply(this, args);
};

// bind([port][, address][, cb]) or bind(options[, cb]).
const bind = dgram.Socket.prototype.bind;
dgram.Socket.prototype.bind = function (...args) {
	const a = args[0];
	if (a !== null && typeof a === 'object') {
		args[0] = { ...a, address: LOOPBACK };
	} else if (typeof args[1] === 'string') {
		args[1] = LOOPBACK;
	} else {
		const port = typeof a === 'function' || a === undefined ? 0 : a;
		const rest = typeof a === 'function' ? args : args.slice(1);
		args = [port, LOOPBACK, ...rest];
	}
	report(this, 'udp');
	return bind.apply(this, args);
};
