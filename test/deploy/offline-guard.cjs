// Preloaded (node --require) into the packager by test/deploy/package.test.ts: any TCP connection or
// DNS lookup beyond loopback is refused and reported on stderr, so "packaging works offline" is
// checked rather than assumed. Unix sockets and loopback stay allowed.
'use strict';

const dns = require('node:dns');
const net = require('node:net');

const MARKER = 'OFFLINE-GUARD';
const isLoopback = (host) => host === undefined || host === null || host === '' || host === 'localhost' || host === '::1' || /^127\./.test(String(host));

function refuse(what) {
  const message = `${MARKER}: refused ${what}`;
  process.stderr.write(`${message}\n`);
  return new Error(message);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (options.path === undefined && !isLoopback(options.host)) throw refuse(`a connection to ${options.host}:${options.port}`);
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  if (isLoopback(hostname)) return lookup.call(this, hostname, ...rest);
  const callback = rest[rest.length - 1];
  const error = refuse(`a DNS lookup of ${hostname}`);
  if (typeof callback === 'function') process.nextTick(() => callback(error));
  return undefined;
};

const lookupPromise = dns.promises.lookup;
dns.promises.lookup = async function guardedLookupPromise(hostname, ...rest) {
  if (isLoopback(hostname)) return lookupPromise.call(this, hostname, ...rest);
  throw refuse(`a DNS lookup of ${hostname}`);
};
