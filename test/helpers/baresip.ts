import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An agent's softphone over SIP-TLS with SRTP: Debian's baresip (1.0), which the sandbox installs
 * (Debian's SIPp is built without TLS). It registers to the sandbox's TLS transport with the
 * credentials ringwise handed out, trusts the slot's CA, answers every call at once
 * (answermode=auto) and sends a tone from a file (no sound card: aufile source, no player).
 */
export interface Baresip {
  readonly pid: number;
  /** Everything baresip printed so far (registration, call and media lines). */
  output(): string;
  /** SIGTERM (baresip unregisters on its way out), SIGKILL after 5 s; removes its folder. */
  stop(): Promise<void>;
}

export interface BaresipOptions {
  user: string;
  password: string;
  /** host:port of Asterisk's TLS transport (SANDBOX_SIP_TLS). */
  server: string;
  /** The CA that signed Asterisk's certificate (SANDBOX_SIP_TLS_CA). */
  caFile: string;
  /** Local SIP port (baresip listens there; its TLS connection to Asterisk is outgoing). */
  localPort: number;
  /** `srtp-mand` (default): SRTP or no call. `none`: plain RTP only. */
  mediaenc?: 'srtp-mand' | 'none';
}

export function startBaresip(o: BaresipOptions): Baresip {
  const dir = mkdtempSync(join(tmpdir(), 'rw-baresip-'));
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', join(dir, 'tone.wav'), 'synth', '60', 'sine', '440', 'gain', '-12']);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${o.localPort}`,
      `sip_cafile ${o.caFile}`,
      `audio_source aufile,${join(dir, 'tone.wav')}`,
      `audio_alert aufile,${join(dir, 'tone.wav')}`,
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      ...(o.mediaenc === 'none' ? [] : ['module srtp.so']),
      'module_tmp account.so',
      '',
    ].join('\n'),
  );
  const params = [`auth_pass=${o.password}`, 'answermode=auto', 'regint=120', 'audio_codecs=pcmu,pcma'];
  if (o.mediaenc !== 'none') params.push('mediaenc=srtp-mand');
  writeFileSync(join(dir, 'accounts'), `<sip:${o.user}@${o.server};transport=tls>;${params.join(';')}\n`);
  writeFileSync(join(dir, 'contacts'), '');
  const child: ChildProcess = spawn('baresip', ['-f', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error('baresip did not start (is baresip-core installed? bash scripts/sandbox.sh up installs it)');
  return {
    pid: child.pid,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
