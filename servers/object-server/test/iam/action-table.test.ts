/**
 * The action table covers the route table: every operation the router names that is authorized (not answered
 * anonymously, like CORS preflight and browser POST uploads, which check their own signature) has its IAM
 * action, so a user's policy can grant it — an operation without a row would be refused to every user.
 */
import { describe, expect, it } from 'vitest';
import { ACTIONS, UNAUTHORIZED_OPS, VERSION_ACTIONS } from '../../src/iam/action-table.ts';
import { routes } from '../../src/routes.ts';

describe('action table', () => {
  it.each(routes.filter((r) => r.anonymous !== true).map((r) => [r.op]))('%s has an IAM action', (op) => {
    expect(ACTIONS[op] ?? (UNAUTHORIZED_OPS.has(op) ? 'unauthorized' : undefined)).toBeDefined();
  });
  it('every action is an s3 action; version forms map object actions', () => {
    for (const row of Object.values(ACTIONS)) expect(row.action).toMatch(/^s3:[A-Za-z]+$/);
    for (const [plain, versioned] of Object.entries(VERSION_ACTIONS)) expect(versioned.startsWith(plain.replace(/(Acl|Tagging|Attributes)$/, ''))).toBe(true);
  });
});
