import { describe, expect, it } from 'vitest';
import { createUpstreamClients } from './upstream-clients.ts';

const clientsOf = (maxClients: number) =>
  createUpstreamClients({ baseUrl: 'http://upstream.test/api/v1', timeoutMs: 1_000, maxClients });

describe('createUpstreamClients', () => {
  it('gives the same id the same client, asked again at once or later', () => {
    const clients = clientsOf(10);
    const a = clients.clientFor('a', 'key-a');
    expect(clients.clientFor('a', 'key-a')).toBe(a);
    clients.clientFor('b', 'key-b');
    expect(clients.clientFor('a', 'key-a')).toBe(a);
  });

  it('forgets the least recently used client past its bound, a repeated ask counting as use', () => {
    const clients = clientsOf(2);
    const a = clients.clientFor('a', 'key-a');
    const b = clients.clientFor('b', 'key-b');
    // `a` is used again (it becomes the newest), `b` twice in a row (no move needed the second time).
    expect(clients.clientFor('a', 'key-a')).toBe(a);
    expect(clients.clientFor('b', 'key-b')).toBe(b);
    expect(clients.clientFor('b', 'key-b')).toBe(b);
    clients.clientFor('c', 'key-c');
    // `a` was the least recently used: a new client; `b` stayed.
    expect(clients.clientFor('b', 'key-b')).toBe(b);
    expect(clients.clientFor('a', 'key-a')).not.toBe(a);
  });
});
