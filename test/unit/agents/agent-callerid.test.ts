import { describe, expect, it } from 'vitest';
import { agentCallerId, agentDisplayName } from '../../../src/agents/agent-callerid.js';

describe('agent caller id', () => {
  it('name, amount without trailing zeros and currency, days past due', () => {
    expect(agentDisplayName({ name: 'Wang Xiaoming', amountDue: '3200.00', currency: 'CNY', daysPastDue: 12 })).toBe('Wang Xiaoming 3200CNY 12d');
    expect(agentDisplayName({ name: '王小明', amountDue: '3200.50', currency: 'CNY', daysPastDue: 0 })).toBe('王小明 3200.5CNY 0d');
  });

  it('leaves out what the customer row lacks', () => {
    expect(agentDisplayName({ name: 'Li Lei', amountDue: null, currency: null, daysPastDue: null })).toBe('Li Lei');
  });

  it('strips what would break a SIP display name, and bounds its length', () => {
    const d = agentDisplayName({ name: 'Evil "Name" <sip:x>\\\n' + 'x'.repeat(80), amountDue: '1', currency: 'USD', daysPastDue: 3 });
    expect(d).not.toMatch(/["<>\\\n]/);
    expect(d.endsWith(' 1USD 3d')).toBe(true);
    expect(d.length).toBeLessThanOrEqual(40 + ' 1USD 3d'.length);
  });

  it('quoted display name with the campaign number', () => {
    expect(agentCallerId('Wang Xiaoming 3200CNY 12d', '+86 95500')).toBe('"Wang Xiaoming 3200CNY 12d" <+8695500>');
    expect(agentCallerId('Li Lei', null)).toBe('"Li Lei"');
  });
});
