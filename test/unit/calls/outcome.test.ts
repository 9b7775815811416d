import { describe, expect, it } from 'vitest';
import { classifyOutcome, isConnected, type CallFacts } from '../../../src/calls/outcome.js';

const unanswered = (f: Partial<CallFacts>): CallFacts => ({ answered: false, ...f });
const answered = (f: Partial<CallFacts>): CallFacts => ({ answered: true, ...f });

describe('classifyOutcome: calls that were never answered', () => {
  it.each([
    [17, 486, 'busy'],
    [17, 600, 'busy'],
    [17, null, 'busy'],
    [19, 480, 'no_answer'],
    [18, 408, 'no_answer'],
    [19, null, 'no_answer'],
    [21, 603, 'rejected'],
    [21, 403, 'rejected'],
    [21, null, 'rejected'],
    [34, 503, 'congestion'],
    [42, null, 'congestion'],
    [1, 404, 'invalid_number'],
    [1, 604, 'invalid_number'],
    [28, 484, 'invalid_number'],
    [3, null, 'invalid_number'],
    [38, 500, 'failed'],
    [58, 488, 'failed'],
    [16, null, 'no_answer'],
    [0, null, 'failed'],
  ] as const)('cause %s / SIP %s → %s', (cause, techCause, expected) => {
    expect(classifyOutcome(unanswered({ cause, techCause }))).toBe(expected);
  });

  it('prefers the SIP code over a generic cause', () => {
    expect(classifyOutcome(unanswered({ cause: 16, techCause: 486 }))).toBe('busy');
    expect(classifyOutcome(unanswered({ cause: 127, techCause: 503 }))).toBe('congestion');
  });

  it('falls back on the cause when the SIP code is unknown', () => {
    expect(classifyOutcome(unanswered({ cause: 17, techCause: 499 }))).toBe('busy');
  });

  it('a ring timeout is no answer whatever the cause', () => {
    expect(classifyOutcome(unanswered({ cause: 16, endReason: 'ring_timeout', hungUpBy: 'us' }))).toBe('no_answer');
  });

  it('an originate that failed is failed', () => {
    expect(classifyOutcome(unanswered({ endReason: 'originate_failed' }))).toBe('failed');
  });

  it('no cause at all is failed', () => {
    expect(classifyOutcome(unanswered({}))).toBe('failed');
  });

  it('digits cannot make an unanswered call answered', () => {
    expect(classifyOutcome(unanswered({ cause: 17, digits: '2' }))).toBe('busy');
  });
});

describe('classifyOutcome: answered calls', () => {
  it('a machine is a machine, whatever else happened', () => {
    expect(classifyOutcome(answered({ amdStatus: 'MACHINE', hungUpBy: 'us', cause: 16 }))).toBe('answered_machine');
    expect(classifyOutcome(answered({ amdStatus: 'MACHINE', promptFinished: true }))).toBe('answered_machine');
  });

  it('the prompt played to the end is completed', () => {
    expect(classifyOutcome(answered({ promptStarted: true, promptFinished: true, hungUpBy: 'us', endReason: 'menu_timeout' }))).toBe('completed');
    expect(classifyOutcome(answered({ promptStarted: true, promptFinished: true, hungUpBy: 'remote' }))).toBe('completed');
  });

  it('the far end hanging up during the prompt', () => {
    expect(classifyOutcome(answered({ promptStarted: true, hungUpBy: 'remote', cause: 16 }))).toBe('hangup_during_prompt');
    expect(classifyOutcome(answered({ promptStarted: false, hungUpBy: 'remote' }))).toBe('hangup_during_prompt');
  });

  it('digit 1 asks for an agent: answered_human', () => {
    expect(classifyOutcome(answered({ promptStarted: true, digits: '1', hungUpBy: 'us' }))).toBe('answered_human');
  });

  it('digit 2 is an acknowledgement: completed, even before the prompt ended', () => {
    expect(classifyOutcome(answered({ promptStarted: true, digits: '2', hungUpBy: 'us' }))).toBe('completed');
    expect(classifyOutcome(answered({ promptStarted: true, digits: '02', hungUpBy: 'remote' }))).toBe('completed');
  });

  it('opt-out wins over everything', () => {
    expect(classifyOutcome(answered({ digits: '9', optedOut: true, promptFinished: true }))).toBe('opted_out');
    expect(classifyOutcome(answered({ digits: '29', optedOut: true }))).toBe('opted_out');
  });

  it('a pressed 9 that was not processed is not an opt-out', () => {
    expect(classifyOutcome(answered({ digits: '9', promptStarted: true, hungUpBy: 'remote' }))).toBe('hangup_during_prompt');
  });

  it('AMD unsure or hangup', () => {
    expect(classifyOutcome(answered({ amdStatus: 'HANGUP', hungUpBy: 'remote' }))).toBe('answered_unknown');
    expect(classifyOutcome(answered({ amdStatus: 'NOTSURE', hungUpBy: 'us' }))).toBe('answered_unknown');
    expect(classifyOutcome(answered({ amdStatus: 'NOTSURE', promptFinished: true }))).toBe('completed');
  });

  it('AMD started but never gave a verdict: answered_unknown', () => {
    expect(classifyOutcome(answered({ amdIncomplete: true, hungUpBy: 'remote', cause: 16 }))).toBe('answered_unknown');
  });

  it('a call lost after answer is failed', () => {
    expect(classifyOutcome(answered({ endReason: 'lost', promptStarted: true }))).toBe('failed');
  });

  it('we hung up before the prompt (shutdown): answered_human', () => {
    expect(classifyOutcome(answered({ hungUpBy: 'us', endReason: 'shutdown' }))).toBe('answered_human');
  });

  it('handed to agents: talked to one is answered_human, waited for nobody is abandoned', () => {
    expect(classifyOutcome(answered({ digits: '1', endReason: 'agent_requested', agent: 'bridged', hungUpBy: 'remote' }))).toBe('answered_human');
    expect(classifyOutcome(answered({ promptFinished: true, endReason: 'agent_routed', agent: 'bridged', hungUpBy: 'us' }))).toBe('answered_human');
    expect(classifyOutcome(answered({ digits: '1', endReason: 'agent_requested', agent: 'abandoned', hungUpBy: 'remote' }))).toBe('abandoned');
    expect(classifyOutcome(answered({ promptFinished: true, endReason: 'agent_routed', agent: 'abandoned' }))).toBe('abandoned');
    // A bridged call whose channel was lost afterwards still reached a person.
    expect(classifyOutcome(answered({ agent: 'bridged', endReason: 'lost' }))).toBe('answered_human');
  });
});

describe('isConnected', () => {
  it('counts people reached, not machines or failures', () => {
    expect(isConnected('completed')).toBe(true);
    expect(isConnected('answered_human')).toBe(true);
    expect(isConnected('opted_out')).toBe(true);
    expect(isConnected('hangup_during_prompt')).toBe(true);
    expect(isConnected('abandoned')).toBe(true);
    expect(isConnected('answered_machine')).toBe(false);
    expect(isConnected('busy')).toBe(false);
    expect(isConnected('failed')).toBe(false);
  });
});
