// Turn raw 8 kHz mu-law audio into a pcap of RTP packets that SIPp's play_pcap_audio replays.
//   node make-rtp-pcap.mjs IN.ulaw OUT.pcap [SILENCE_TAIL_SECONDS]
// A silence tail keeps RTP flowing after the speech, as a real phone does: Asterisk's AMD()
// counts silence in received frames, so a callee that sends nothing never becomes HUMAN.
// One UDP stream (127.0.0.1:40000 -> 127.0.0.1:40002), PT 0 (PCMU), 160-byte payloads 20 ms
// apart. SIPp rewrites addresses and ports at play time, so only the timing and payload matter.
// No dependencies: runs before `npm ci` on a fresh machine.
/* global process, console */
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output, tail = '0'] = process.argv.slice(2);
if (!input || !output || !/^[0-9]+$/.test(tail)) {
  console.error('usage: node make-rtp-pcap.mjs IN.ulaw OUT.pcap [SILENCE_TAIL_SECONDS]');
  process.exit(2);
}
// 0xff is mu-law silence.
const audio = Buffer.concat([readFileSync(input), Buffer.alloc(Number(tail) * 8000, 0xff)]);
const FRAME = 160;
const frames = Math.ceil(audio.length / FRAME);

const global = Buffer.alloc(24);
global.writeUInt32LE(0xa1b2c3d4, 0);
global.writeUInt16LE(2, 4);
global.writeUInt16LE(4, 6);
global.writeUInt32LE(65535, 16); // snaplen
global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET

function ipChecksum(buf) {
  let sum = 0;
  for (let i = 0; i < buf.length; i += 2) sum += buf.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const parts = [global];
const ssrc = 0x52494e47; // "RING"
for (let i = 0; i < frames; i++) {
  const payload = Buffer.alloc(FRAME, 0xff); // pads the last frame with silence
  audio.copy(payload, 0, i * FRAME, Math.min(audio.length, (i + 1) * FRAME));
  const rtp = Buffer.alloc(12);
  rtp[0] = 0x80;
  rtp[1] = (i === 0 ? 0x80 : 0) | 0; // marker on the first packet, PT 0
  rtp.writeUInt16BE(i & 0xffff, 2);
  rtp.writeUInt32BE((i * FRAME) >>> 0, 4);
  rtp.writeUInt32BE(ssrc, 8);
  const udpLen = 8 + 12 + FRAME;
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(40002, 2);
  udp.writeUInt16BE(udpLen, 4);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + udpLen, 2);
  ip.writeUInt16BE(i & 0xffff, 4);
  ip[8] = 64;
  ip[9] = 17;
  ip.set([127, 0, 0, 1], 12);
  ip.set([127, 0, 0, 1], 16);
  ip.writeUInt16BE(ipChecksum(ip), 10);
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const frame = Buffer.concat([eth, ip, udp, rtp, payload]);
  const rec = Buffer.alloc(16);
  const usec = i * 20000;
  rec.writeUInt32LE(Math.floor(usec / 1e6), 0);
  rec.writeUInt32LE(usec % 1e6, 4);
  rec.writeUInt32LE(frame.length, 8);
  rec.writeUInt32LE(frame.length, 12);
  parts.push(rec, frame);
}
writeFileSync(output, Buffer.concat(parts));
console.log(`${output}: ${frames} packets, ${(frames * 0.02).toFixed(2)} s`);
