// Contract tests of the billing service on the new platform (stand-ins for real HTTP checks).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

describe('billing', () => {
  test('POST /invoices totals in cents', () => assert.equal(1999 + 1, 2000));
  test('GET /invoices/:id keeps its schema', () => assert.deepEqual(Object.keys({ id: 1, total: 2 }), ['id', 'total']));
  // The new platform rounds refunds differently: a real contract break, left failing.
  test('POST /refunds rounds half to even', () => assert.equal(Math.round(2.5), 2));
});
