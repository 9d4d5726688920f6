// Contract tests of the accounts service on the new platform (stand-ins for real HTTP checks).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

describe('accounts', () => {
  test('GET /users/:id keeps its schema', () => assert.deepEqual({ id: 1, name: 'a' }, { id: 1, name: 'a' }));
  test('POST /sessions returns a token', () => assert.match('tok_123', /^tok_/));
  test('DELETE /sessions/:id is idempotent', () => assert.equal(204, 204));
});
