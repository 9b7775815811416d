import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../../src/shared/redact.js';
import { createLogger } from '../../../src/shared/logger.js';

describe('maskPhone', () => {
  it('keeps country code and last two digits only', () => {
    expect(maskPhone('+8613800138000')).toBe('+86***00');
    expect(maskPhone('13800138012')).toBe('***12');
    expect(maskPhone('123')).toBe('***');
    expect(maskPhone(undefined)).toBe('');
  });
});

describe('logger redaction', () => {
  it('censors names and phone numbers at the top level and one level down', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger('info', sink);
    log.info({ phone: '+8613800138000', customer: { name: 'Zhang San', phone: '+8613800138000' }, attemptId: 'a1' }, 'dial');
    const out = lines.join('');
    expect(out).not.toContain('13800138000');
    expect(out).not.toContain('Zhang San');
    expect(out).toContain('a1');
  });
});
