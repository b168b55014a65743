// When a stored token is shown as valid or expired, and when to fetch a new one: pure.

export const EXPIRY_MARGIN_SECONDS = 86400;   // refresh when a token has less than a day left

/** "none", "valid" or "expired" at `now` (seconds, the device clock). */
export function tokenState(token, now) {
  if (!token || !Number.isFinite(token.expires_at)) return 'none';
  return now < token.expires_at ? 'valid' : 'expired';
}

/** A new token is due when there is none, it is older than the configured age, or it
 *  has less than a day left. */
export function needsRefresh(token, now, refreshSeconds = 86400) {
  if (!token || !Number.isFinite(token.issued_at) || !Number.isFinite(token.expires_at)) return true;
  const age = now - token.issued_at;
  return age >= refreshSeconds || token.expires_at - now <= EXPIRY_MARGIN_SECONDS;
}
