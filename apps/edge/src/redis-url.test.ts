import { describe, expect, it } from 'vitest';
import { assertRedisUrl, RedisUrlError, redactRedisUrl } from './redis-url.ts';

describe('assertRedisUrl', () => {
  it.each(['redis://127.0.0.1:6379', 'rediss://:pw@redis.internal:6380/2', 'redis://user:pw@host'])(
    'accepts %s',
    (url) => {
      expect(assertRedisUrl(url)).toBe(url);
    },
  );

  it.each([
    'not a url',
    'http://host:6379',
    'redis://host:6379/not-a-db',
    'unix:///tmp/redis.sock',
  ])('refuses %s with a RedisUrlError that does not quote it', (url) => {
    const error = (() => {
      try {
        assertRedisUrl(url);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(RedisUrlError);
    expect(error?.message).not.toContain(url);
  });
});

describe('redactRedisUrl', () => {
  it('masks the user name and password', () => {
    expect(redactRedisUrl('rediss://admin:s3cret@redis.internal:6380/1')).toBe(
      'rediss://***@redis.internal:6380/1',
    );
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactRedisUrl('redis://:s3cret@h')).toBe('redis://***@h');
  });

  it('never echoes text that is not a URL', () => {
    expect(redactRedisUrl('s3cret garbage')).toBe('(invalid Redis URL)');
  });
});
