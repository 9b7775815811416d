import { createServer, type AddressInfo, type Socket } from 'node:net';

export type AmiHeaders = Record<string, string>;

/**
 * A stand-in for Asterisk's manager port: greeting, Login (closing the session on failure,
 * as Asterisk does), Ping, Logoff, PJSIPShowContacts as a list action, and a `Hang` action
 * that is never answered.
 */
export interface FakeAmi {
  port: number;
  connections: number;
  /** Every action received, headers as sent. */
  actions: AmiHeaders[];
  contacts: AmiHeaders[];
  event(headers: AmiHeaders): void;
  dropAll(): void;
  close(): Promise<void>;
}

export async function startFakeAmi(opts: { user: string; password: string }): Promise<FakeAmi> {
  const sockets = new Set<Socket>();
  const loggedIn = new Set<Socket>();
  const write = (s: Socket, h: AmiHeaders) =>
    s.write(
      Object.entries(h)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') + '\r\n',
    );

  const fake: FakeAmi = {
    port: 0,
    connections: 0,
    actions: [],
    contacts: [],
    event(h) {
      for (const s of loggedIn) write(s, h);
    },
    dropAll() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const server = createServer((sock) => {
    fake.connections += 1;
    sockets.add(sock);
    sock.on('close', () => {
      sockets.delete(sock);
      loggedIn.delete(sock);
    });
    sock.on('error', () => undefined);
    sock.write('Asterisk Call Manager/9.0.0\r\n');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const msg = buf.slice(0, i);
        buf = buf.slice(i + 4);
        const h: AmiHeaders = {};
        for (const line of msg.split('\r\n')) {
          const c = line.indexOf(': ');
          if (c > 0) h[line.slice(0, c)] = line.slice(c + 2);
        }
        fake.actions.push(h);
        handle(sock, h);
      }
    });
  });

  function handle(sock: Socket, h: AmiHeaders): void {
    const id = h['ActionID'] ?? '';
    const action = (h['Action'] ?? '').toLowerCase();
    if (action === 'login') {
      if (h['Username'] === opts.user && h['Secret'] === opts.password) {
        loggedIn.add(sock);
        write(sock, { Response: 'Success', ActionID: id, Message: 'Authentication accepted' });
        if (h['Event'] === 'on') write(sock, { Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' });
      } else {
        write(sock, { Response: 'Error', ActionID: id, Message: 'Authentication failed' });
        sock.end();
      }
      return;
    }
    if (!loggedIn.has(sock)) return void write(sock, { Response: 'Error', ActionID: id, Message: 'Permission denied' });
    switch (action) {
      case 'ping':
        return void write(sock, { Response: 'Success', ActionID: id, Ping: 'Pong', Timestamp: '1764300000.000000' });
      case 'events':
        return void write(sock, { Response: 'Success', ActionID: id, Events: 'On' });
      case 'logoff':
        write(sock, { Response: 'Goodbye', ActionID: id, Message: 'Thanks for all the fish.' });
        sock.end();
        return;
      case 'hang':
        return;
      case 'pjsipshowcontacts':
        if (fake.contacts.length === 0) return void write(sock, { Response: 'Error', ActionID: id, Message: 'No Contacts found' });
        write(sock, { Response: 'Success', ActionID: id, EventList: 'start', Message: 'A listing of Contacts follows, presented as ContactList events' });
        for (const c of fake.contacts) write(sock, { Event: 'ContactList', ActionID: id, ...c });
        write(sock, { Event: 'ContactListComplete', ActionID: id, EventList: 'Complete', ListItems: String(fake.contacts.length) });
        return;
      default:
        write(sock, { Response: 'Error', ActionID: id, Message: 'Invalid/unknown command' });
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.port = (server.address() as AddressInfo).port;
  return fake;
}
