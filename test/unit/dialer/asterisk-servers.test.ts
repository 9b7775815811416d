import { describe, expect, it } from 'vitest';
import { callKey, chooseServer } from '../../../src/dialer/asterisk-servers.js';
import { loadConfig } from '../../../src/config.js';

describe('several Asterisk servers: choosing and routing', () => {
  it('picks the largest share of free capacity, first listed on a tie, and still picks one when all are full', () => {
    expect(
      chooseServer([
        { name: 'a', capacity: 100, live: 50 },
        { name: 'b', capacity: 10, live: 4 },
      ]),
    ).toBe('b');
    expect(
      chooseServer([
        { name: 'a', capacity: 100, live: 50 },
        { name: 'b', capacity: 10, live: 5 },
      ]),
    ).toBe('a');
    expect(
      chooseServer([
        { name: 'a', capacity: 10, live: 15 },
        { name: 'b', capacity: 10, live: 12 },
      ]),
    ).toBe('b');
    expect(chooseServer([])).toBeUndefined();
  });

  it('finds the attempt behind every id a call uses', () => {
    const id = '0b5f5c1e-3f5a-4d8e-9a51-8d1c2f0e7a11';
    for (const x of [id, `${id}-a1`, `${id}-a12`, `${id}-bridge`, `${id}.p3`]) expect(callKey(x)).toBe(id);
    expect(callKey('test-call-1-a2')).toBe('test-call-1');
  });
});

describe('RINGWISE_ASTERISK_SERVERS', () => {
  it('without it, the single-server variables make a one-item list', () => {
    const c = loadConfig({ NODE_ENV: 'development', ARI_URL: 'http://10.0.0.5:8088', AMI_HOST: '10.0.0.5', AMI_PORT: '5039', RINGWISE_MAX_CHANNELS: '40' });
    expect(c.asterisk.servers).toEqual([
      {
        name: 'asterisk-1',
        ari: { url: 'http://10.0.0.5:8088', user: 'ringwise', password: 'ringwise-dev' },
        ami: { host: '10.0.0.5', port: 5039, user: 'ringwise', password: 'ringwise-dev' },
        capacity: 40,
      },
    ]);
    expect(c.worker).toEqual({ httpHost: '127.0.0.1', httpPort: 3001 });
  });

  it('takes a list, with credentials defaulting to ARI_*/AMI_*, and the API uses the first', () => {
    const c = loadConfig({
      NODE_ENV: 'development',
      ARI_PASSWORD: 'p',
      RINGWISE_ASTERISK_SERVERS: JSON.stringify([
        { name: 'bj-1', ariUrl: 'http://10.0.0.5:8088', amiHost: '10.0.0.5', capacity: 300 },
        { name: 'bj-2', ariUrl: 'http://10.0.0.6:8088', amiHost: '10.0.0.6', amiPort: 5039, ariPassword: 'q' },
      ]),
    });
    expect(c.asterisk.servers.map((s) => [s.name, s.ari.url, s.ari.password, s.ami.port, s.capacity])).toEqual([
      ['bj-1', 'http://10.0.0.5:8088', 'p', 5038, 300],
      ['bj-2', 'http://10.0.0.6:8088', 'q', 5039, 100],
    ]);
    expect(c.ari.url).toBe('http://10.0.0.5:8088');
    expect(c.ami.host).toBe('10.0.0.5');
  });

  it('names every problem of a bad list', () => {
    const bad = (v: string) => () => loadConfig({ NODE_ENV: 'development', RINGWISE_ASTERISK_SERVERS: v });
    expect(bad('[{')).toThrow(/RINGWISE_ASTERISK_SERVERS is not valid JSON/);
    expect(bad('[]')).toThrow(/non-empty JSON array/);
    expect(
      bad(
        JSON.stringify([
          { name: 'a b', ariUrl: 'ftp://x', amiHost: 'h', capacity: 0, colour: 1 },
          { name: 'a b', ariUrl: 'http://y', amiHost: 'h' },
        ]),
      ),
    ).toThrow(
      /\[0\]\.colour is not a known field[\s\S]*\[0\]\.name must be 1-40[\s\S]*\[0\]\.ariUrl must use http[\s\S]*\[0\]\.capacity must be an integer[\s\S]*\[1\]\.name "a b" is listed twice/,
    );
    expect(bad(JSON.stringify([{ name: 'a', amiHost: 'h' }]))).toThrow(/\[0\]\.ariUrl must be a non-empty string/);
    expect(() => loadConfig({ NODE_ENV: 'development', RINGWISE_WORKER_HTTP_PORT: 'x' })).toThrow(/RINGWISE_WORKER_HTTP_PORT/);
  });
});
