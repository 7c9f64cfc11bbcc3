import { describe, expect, it } from 'vitest';
import { leaseClient } from '../src/index.js';
import { openClientCount } from '../src/client.js';

describe('one MongoClient per connection string', () => {
  it(
    'is shared by every lease and closed with the last ' + '(no server needed: the driver connects on first use)',
    async () => {
      const before = openClientCount();
      const first = leaseClient('mongodb://127.0.0.1:1/shared_test');
      const second = leaseClient('mongodb://127.0.0.1:1/shared_test');
      const other = leaseClient('mongodb://127.0.0.1:1/other_test');
      expect(second.client).toBe(first.client);
      expect(other.client).not.toBe(first.client);
      expect(openClientCount()).toBe(before + 2);
      await first.release();
      await first.release(); // once only
      expect(openClientCount()).toBe(before + 2);
      await second.release();
      await other.release();
      expect(openClientCount()).toBe(before);
    },
  );
});
