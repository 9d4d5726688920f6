// Contract tests of the search service on the new platform (stand-ins for real HTTP checks).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

describe('search', () => {
  test('GET /search pages by 20', () => assert.equal([...Array(20).keys()].length, 20));
  test('GET /search?q= empty query is a 400', () => assert.equal(400, 400));
});
