#!/usr/bin/env node
// The sandbox's SMSC: an SMPP 3.4 server on loopback that accepts binds with one system id and
// password, answers every submit_sm with a message id, returns delivery receipts (deliver_sm
// with esm_class 0x04: DELIVRD, or UNDELIV for numbers ending in 98), and a small HTTP control
// port: GET /messages lists what it received, POST /inbound {from,to,text} sends a mobile-
// originated message to every bound session (how tests and the demo play a customer's reply).
//   node scripts/sandbox/smpp-server.mjs --port P --control-port C --system-id ID --password PW
/* global process, setTimeout */
import { Buffer } from 'node:buffer';
import { createServer as createHttpServer } from 'node:http';
import { parseArgs } from 'node:util';
import smpp from 'smpp';

const { values: o } = parseArgs({
  options: { port: { type: 'string' }, 'control-port': { type: 'string' }, 'system-id': { type: 'string' }, password: { type: 'string' } },
});
const HOST = '127.0.0.1';
const received = [];
const sessions = new Set();
let nextId = 1;

const pad = (n) => String(n).padStart(2, '0');
const smppDate = (d) => `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;

function textOf(sm) {
  const m = sm && typeof sm === 'object' && 'message' in sm ? sm.message : sm;
  return Buffer.isBuffer(m) ? m.toString('latin1') : String(m ?? '');
}

const server = smpp.createServer({ debug: false }, (session) => {
  let bound = false;
  const bind = (pdu) => {
    if (pdu.system_id !== o['system-id'] || pdu.password !== o.password) {
      session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
      session.close();
      return;
    }
    bound = true;
    sessions.add(session);
    session.send(pdu.response({ system_id: 'ringwise-sandbox-smsc' }));
  };
  session.on('bind_transceiver', bind);
  session.on('bind_transmitter', bind);
  session.on('bind_receiver', bind);
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on('deliver_sm_resp', () => undefined);
  session.on('submit_sm', (pdu) => {
    if (!bound) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      return;
    }
    const id = (nextId++).toString(16).padStart(8, '0');
    const sm = pdu.short_message;
    const udh = sm && typeof sm === 'object' && sm.udh ? sm.udh.map((b) => Buffer.from(b).toString('hex')) : [];
    const submitted = new Date();
    received.push({
      id,
      to: pdu.destination_addr,
      from: pdu.source_addr,
      dataCoding: pdu.data_coding,
      esmClass: pdu.esm_class,
      udh,
      text: textOf(sm),
      at: submitted.toISOString(),
    });
    session.send(pdu.response({ message_id: id }));
    if ((pdu.registered_delivery & 0x01) === 0) return;
    const stat = String(pdu.destination_addr).endsWith('98') ? 'UNDELIV' : 'DELIVRD';
    setTimeout(() => {
      const done = new Date();
      session.deliver_sm({
        source_addr: pdu.destination_addr,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        short_message: `id:${id} sub:001 dlvr:${stat === 'DELIVRD' ? '001' : '000'} submit date:${smppDate(submitted)} done date:${smppDate(done)} stat:${stat} err:${stat === 'DELIVRD' ? '000' : '001'} text:`,
      });
    }, 150);
  });
  session.on('close', () => sessions.delete(session));
  session.on('error', () => sessions.delete(session));
});
server.listen(Number(o.port), HOST);

const control = createHttpServer((req, res) => {
  const reply = (code, body) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/messages') return reply(200, received);
  if (req.method === 'POST' && req.url === '/inbound') {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      let m;
      try {
        m = JSON.parse(raw);
      } catch {
        return reply(400, { error: 'json body {from, to, text}' });
      }
      let n = 0;
      for (const s of sessions) {
        // Strings are encoded by the library: GSM/ASCII when they can be, UCS-2 otherwise.
        const from = String(m.from);
        const intl = from.startsWith('+');
        s.deliver_sm({
          source_addr_ton: intl ? 1 : 0,
          source_addr_npi: intl ? 1 : 0,
          source_addr: from.replace(/^\+/, ''),
          destination_addr: String(m.to ?? ''),
          esm_class: 0,
          short_message: String(m.text),
        });
        n += 1;
      }
      return reply(200, { delivered: n });
    });
    return undefined;
  }
  return reply(404, { error: 'GET /messages or POST /inbound' });
});
control.listen(Number(o['control-port']), HOST);

const stop = () => {
  for (const s of sessions) s.close();
  server.close();
  control.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
