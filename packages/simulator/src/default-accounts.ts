/**
 * One API key and the account (`user_uid`) it belongs to.
 *
 * @example
 * ```ts
 * const account: SimulatorAccount = { apiKey: DEMO_API_KEY, userUid: DEMO_USER_UID };
 * ```
 */
export interface SimulatorAccount {
  /** `nl_` followed by 32 letters or digits, like a real Neurolinker key. */
  readonly apiKey: string;
  /** The account id that payloads report as `user_uid` and that `storage_path` embeds. */
  readonly userUid: string;
}

/**
 * The API key of the first default account; it owns the demo data and the documented example.
 *
 * @example
 * ```ts
 * await fetch(`${apiBaseUrl}/document-status/${id}`, {
 *   headers: { authorization: `Bearer ${DEMO_API_KEY}` },
 * });
 * ```
 */
export const DEMO_API_KEY = 'nl_demo0000000000000000000000000001';

/**
 * The `user_uid` of the first default account: the one from the published example.
 *
 * @example
 * ```ts
 * expect(payload.user_uid).toBe(DEMO_USER_UID);
 * ```
 */
export const DEMO_USER_UID = 'r7N61XBJZBfUjpYocuUWSteuQF52';

/**
 * The API key of the second default account, for tenancy tests: it sees none of the first
 * account's requests and gets the same 404 as for an unknown id.
 *
 * @example
 * ```ts
 * const res = await fetch(`${apiBaseUrl}/document-status/${id}`, {
 *   headers: { authorization: `Bearer ${SECOND_API_KEY}` },
 * });
 * expect(res.status).toBe(404);
 * ```
 */
export const SECOND_API_KEY = 'nl_tenant00000000000000000000000002';

/**
 * The `user_uid` of the second default account.
 *
 * @example
 * ```ts
 * simulator.createRequest({ apiKey: SECOND_API_KEY, documents: [{}] }); // owned by SECOND_USER_UID
 * ```
 */
export const SECOND_USER_UID = 'Hq2Zt9LmXc4VbN8RsWe1YuKo3Pa7';

/**
 * The accounts a simulator knows when `accounts` is not given: two tenants.
 *
 * @example
 * ```ts
 * const simulator = createSimulator({ accounts: [...DEFAULT_ACCOUNTS, myAccount] });
 * ```
 */
export const DEFAULT_ACCOUNTS: readonly SimulatorAccount[] = Object.freeze([
  Object.freeze({ apiKey: DEMO_API_KEY, userUid: DEMO_USER_UID }),
  Object.freeze({ apiKey: SECOND_API_KEY, userUid: SECOND_USER_UID }),
]);
