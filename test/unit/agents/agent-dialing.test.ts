import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { isHighRisk, renderAgentMessages } from '../../../src/agents/agent-dialing.js';
import { highRiskLimit } from '../../../src/agents/agent-pacing.js';
import { renderText, validatePrompt } from '../../../src/prompts/prompt.template.js';
import type { PromptPort } from '../../../src/dialer/ports.js';

const log = pino({ level: 'silent' });
const customer = { id: '7', name: 'Li Lei', locale: 'en-US', amountDue: '10.00', currency: 'CNY', dueDate: '2026-11-01', daysPastDue: 3 };

describe('agent dialing', () => {
  it('high risk is at or above the campaign threshold; no threshold or no score is not', () => {
    expect(isHighRisk(70, 70)).toBe(true);
    expect(isHighRisk(70, 69)).toBe(false);
    expect(isHighRisk(null, 99)).toBe(false);
    expect(isHighRisk(0, null)).toBe(false);
  });

  it('high-risk calls in flight: available agents × ratio, rounded down', () => {
    expect(highRiskLimit(3, 1)).toBe(3);
    expect(highRiskLimit(3, 1.5)).toBe(4);
    expect(highRiskLimit(1, 0.5)).toBe(0);
    expect(highRiskLimit(0, 2)).toBe(0);
    expect(highRiskLimit(10, 0.3)).toBe(3);
  });

  it('the no-agent message names the bank and reads the callback number, in the customer’s language', async () => {
    const bank = { name: 'Ringwise Demo Bank', callbackNumber: '+8695500' };
    const spoken: Record<string, string[]> = {};
    // A prompt port that renders the text the way the real one does before TTS.
    const render: PromptPort = vi.fn(async (prompt: unknown, c, locale) => {
      const p = validatePrompt(prompt);
      const seg = p[locale]!.segments[0]!;
      const text = seg.type === 'tts' ? renderText(seg.text, c, bank, locale as 'en-US' | 'zh-CN') : '';
      (spoken[locale] ??= []).push(text);
      return { media: [`sound:${text.length}`], version: 'v' };
    });
    const en = await renderAgentMessages(render, customer, 'en-US', log);
    const zh = await renderAgentMessages(render, { ...customer, locale: 'zh-CN' }, 'zh-CN', log);
    expect(en.connecting).toHaveLength(1);
    expect(zh.abandoned).toHaveLength(1);
    expect(spoken['en-US']![1]).toContain('Ringwise Demo Bank');
    expect(spoken['en-US']![1]).toContain('call us at nine five five zero zero');
    expect(spoken['zh-CN']![1]).toContain('Ringwise Demo Bank');
  });

  it('without a callback to come (allowance used up), the no-agent message promises none and still gives the number', async () => {
    const bank = { name: 'Ringwise Demo Bank', callbackNumber: '+8695500' };
    const spoken: string[] = [];
    const render: PromptPort = async (prompt: unknown, c, locale) => {
      const seg = validatePrompt(prompt)[locale]!.segments[0]!;
      spoken.push(seg.type === 'tts' ? renderText(seg.text, c, bank, locale as 'en-US' | 'zh-CN') : '');
      return { media: ['sound:x'], version: 'v' };
    };
    await renderAgentMessages(render, customer, 'en-US', log, true);
    await renderAgentMessages(render, customer, 'en-US', log, false);
    expect(spoken[1]).toContain('will call you back');
    expect(spoken[3]).not.toContain('call you back');
    expect(spoken[3]).toContain('nine five five zero zero');
  });

  it('a message that cannot be rendered leaves the bridge without it instead of failing the call', async () => {
    const render: PromptPort = async () => {
      throw new Error('tts down');
    };
    expect(await renderAgentMessages(render, customer, 'en-US', log)).toEqual({ connecting: [], abandoned: [] });
  });
});
