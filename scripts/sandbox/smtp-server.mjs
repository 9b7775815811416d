#!/usr/bin/env node
// The sandbox's mail server: SMTP on loopback (no TLS, any login) that keeps every message it
// receives, raw, in memory; GET /messages on the control port lists them ({from, to, raw, at}).
//   node scripts/sandbox/smtp-server.mjs --port P --control-port C
/* global process */
import { Buffer } from 'node:buffer';
import { createServer as createHttpServer } from 'node:http';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';

const { values: o } = parseArgs({ options: { port: { type: 'string' }, 'control-port': { type: 'string' } } });
const HOST = '127.0.0.1';
const received = [];

const server = new SMTPServer({
  disabledCommands: ['STARTTLS'],
  authOptional: true,
  onAuth: (_auth, _session, cb) => cb(null, { user: 'sandbox' }),
  onData(stream, session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      received.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString('utf8'),
        at: new Date().toISOString(),
      });
      cb(null, 'kept');
    });
  },
});
server.listen(Number(o.port), HOST);

const control = createHttpServer((req, res) => {
  res.writeHead(req.url === '/messages' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(req.url === '/messages' ? received : { error: 'GET /messages' }));
});
control.listen(Number(o['control-port']), HOST);

const stop = () => {
  server.close(() => undefined);
  control.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
