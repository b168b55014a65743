// The app's configuration: config.json, shipped beside index.html (and precached by the
// service worker with the rest of the app). It alone names the trust anchor this page pins;
// nothing fetched later — the trust list least of all — can replace it.
//
//   {"trust_list_url": "https://…/api/v1/trust-list",
//    "anchor": {"kty": "EC", "crv": "P-256", "x": "…", "y": "…", "kid": "…", "alg": "ES256"},
//    "log_retention_days": 30,          // optional, default 30
//    "skew_seconds": 300,               // optional, default: the verifier's DEFAULT_SKEW
//    "refresh_seconds": 300}            // optional: how often to re-check the list while online

export class ConfigError extends Error {}

const DEFAULTS = { log_retention_days: 30, refresh_seconds: 300 };

export async function loadConfig(url = new URL('config.json', document.baseURI)) {
  let raw;
  try {
    const response = await fetch(url, { credentials: 'omit' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    raw = await response.json();
  } catch (error) {
    throw new ConfigError(`config.json: ${error.message}`);
  }
  return parseConfig(raw, url);
}

export function parseConfig(raw, base) {
  const config = { ...DEFAULTS, ...raw };
  const anchor = config.anchor;
  if (anchor?.kty !== 'EC' || anchor.crv !== 'P-256' || typeof anchor.x !== 'string' || typeof anchor.y !== 'string') {
    throw new ConfigError('config.json: anchor must be a P-256 public JWK');
  }
  if (typeof config.trust_list_url !== 'string') throw new ConfigError('config.json: trust_list_url missing');
  const days = Number(config.log_retention_days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new ConfigError('config.json: log_retention_days must be 1–3650');
  }
  return Object.freeze({
    trustListUrl: new URL(config.trust_list_url, base).href,
    anchor: Object.freeze({ kty: 'EC', crv: 'P-256', x: anchor.x, y: anchor.y, kid: anchor.kid }),
    logRetentionDays: days,
    skewSeconds: Number.isInteger(config.skew_seconds) ? config.skew_seconds : null,
    refreshSeconds: Math.max(30, Number(config.refresh_seconds) || DEFAULTS.refresh_seconds),
  });
}
