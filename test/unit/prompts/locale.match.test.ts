import { describe, expect, it } from 'vitest';
import { nearestLocale } from '../../../src/prompts/locale.match.js';
import { pickPromptLocale } from '../../../src/prompts/prompt.render.js';

describe('nearestLocale', () => {
  const both = ['zh-CN', 'en-US'];
  it.each([
    ['en-GB', 'en-US'],
    ['en-AU', 'en-US'],
    ['en', 'en-US'],
    ['EN_gb', 'en-US'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['zh-HK', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
  ])('%s → %s', (wanted, expected) => {
    expect(nearestLocale(wanted, both)).toBe(expected);
  });

  it('prefers the same script, then the same region', () => {
    expect(nearestLocale('zh-TW', ['zh-CN', 'zh-Hant-TW'])).toBe('zh-Hant-TW');
    expect(nearestLocale('zh-HK', ['zh-CN', 'zh-TW'])).toBe('zh-TW');
    expect(nearestLocale('zh-Hans-SG', ['zh-TW', 'zh-CN'])).toBe('zh-CN');
    expect(nearestLocale('en-GB', ['en-US', 'en-GB'])).toBe('en-GB');
    expect(nearestLocale('en-NZ', ['en-US', 'en-AU'])).toBe('en-US');
  });

  it('has no answer for a language without a prompt, or no locale', () => {
    expect(nearestLocale('fr-FR', both)).toBeNull();
    expect(nearestLocale('yue-HK', both)).toBeNull();
    expect(nearestLocale(null, both)).toBeNull();
    expect(nearestLocale('not a tag!', both)).toBeNull();
  });

  it("the renderer picks the same nearest prompt, the campaign's first for no locale", () => {
    expect(pickPromptLocale(['en-US', 'zh-CN'], 'zh-TW')).toBe('zh-CN');
    expect(pickPromptLocale(['zh-CN', 'en-US'], 'en-GB')).toBe('en-US');
    expect(pickPromptLocale(['zh-CN', 'en-US'], null)).toBe('zh-CN');
  });
});
