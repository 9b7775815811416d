import { describe, expect, it } from 'vitest';
import { operationIdFor } from '../../../src/api/docs.js';

describe('operationIdFor', () => {
  it('names an operation by its method and path words, parameters as By<Name>', () => {
    expect(operationIdFor('GET', '/v1/campaigns/:id/stats')).toBe('getCampaignsByIdStats');
    expect(operationIdFor('POST', '/v1/campaigns/:id/launch')).toBe('postCampaignsByIdLaunch');
    expect(operationIdFor('GET', '/v1/calls.csv')).toBe('getCallsCsv');
    expect(operationIdFor('DELETE', '/v1/dnc/:id')).toBe('deleteDncById');
    expect(operationIdFor('GET', '/healthz')).toBe('getHealthz');
  });
});
