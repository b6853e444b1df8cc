import { describe, expect, it } from 'vitest';
import { withBundlers } from './bundled-changes.mjs';

// Found by audit: the CLI bundles core, poller and the simulator but lists them as
// devDependencies, so changesets never released it for their fixes.
describe('the release of what the CLI bundles', () => {
  it('releases the CLI (a patch) with a change to a package it bundles', () => {
    const text = '---\n"@neurostatus/core": patch\n"@neurostatus/poller": minor\n---\n\nFixed.\n';
    expect(withBundlers(text)).toBe(
      '---\n"@neurostatus/core": patch\n"@neurostatus/poller": minor\n"@neurostatus/cli": patch\n---\n\nFixed.\n',
    );
  });

  it('leaves a changeset alone that names the CLI already or nothing it bundles', () => {
    for (const text of [
      '---\n"@neurostatus/core": patch\n"@neurostatus/cli": minor\n---\n\nBoth.\n',
      '---\n"@neurostatus/edge": patch\n---\n\nThe proxy.\n',
      '---\n---\n\nNothing released.\n',
    ]) {
      expect(withBundlers(text)).toBe(text);
    }
  });
});
