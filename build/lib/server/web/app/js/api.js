// The member API (docs/member-api.md): JSON over fetch, cookie session, CSRF header on
// every POST. The CSRF token comes from the page's <meta name="csrf-token"> when the shell
// came from the network, else from GET /api/v1/csrf; when the server refuses it (a session
// renewed at sign-in, or expired) the client asks GET /api/v1/csrf again and retries once.

export class ApiError extends Error {
  /** A 4xx/5xx answer in the one error shape {"error": code, "message": 日本語, "message_en"}:
   *  `status`, `code`, the message in each language, and the body. */
  constructor(status, data = {}) {
    super(data.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof data.error === 'string' ? data.error : null;
    this.messageEn = data.message_en ?? null;
    this.data = data;
  }
}

export class NetworkError extends Error {
  /** No answer at all: offline, or the server is unreachable. */
  constructor(cause) {
    super('network unavailable', { cause });
    this.name = 'NetworkError';
  }
}

/** The shell's token, unless the shell came from the service worker's cache (fetched
 *  without cookies, so its token belongs to no session): then null, and GET /api/v1/csrf. */
const pageToken = () => (globalThis.navigator?.serviceWorker?.controller ? null
  : globalThis.document?.querySelector('meta[name="csrf-token"]')?.content || null);

export function isCsrfFailure(status, data, text) {
  return status === 400 && (/csrf/i.test(String(data?.error ?? '')) || (!data?.error && /csrf/i.test(text)));
}

export class Api {
  constructor({ fetch = (...args) => globalThis.fetch(...args), csrfFromPage = pageToken } = {}) {
    this._fetch = fetch;
    this._csrfFromPage = csrfFromPage;
    this._token = undefined;   // undefined: not read yet; null: ask the server
  }

  // -- the member's data --------------------------------------------------------------
  me() {
    return this.get('/api/v1/me');
  }

  token(memberId) {
    return this.get(`/api/v1/me/token?member=${encodeURIComponent(memberId)}`);
  }

  consent(memberId, consent) {
    return this.post('/api/v1/me/consent', { member: memberId, consent });
  }

  deletePasskey(id, confirm = false) {
    return this.post(`/api/v1/me/passkeys/${encodeURIComponent(id)}/delete`, confirm ? { confirm: true } : {});
  }

  async logout() {
    const answer = await this.post('/auth/member/logout', {});
    this.sessionChanged();
    return answer;
  }

  /** Sign-in, activation and sign-out start a new session: its CSRF token is new too. */
  sessionChanged() {
    this._token = null;
  }

  // -- transport ---------------------------------------------------------------------------
  get(url) {
    return this._request(url, { method: 'GET' });
  }

  async post(url, body = {}, retried = false) {
    const token = await this._csrf();
    try {
      return await this._request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { 'X-CSRFToken': token } : {}) },
        body: JSON.stringify(body),
      });
    } catch (error) {
      if (retried || !(error instanceof ApiError) || !error.csrf) throw error;
      this._token = null;
      return this.post(url, body, true);
    }
  }

  async _csrf() {
    if (this._token === undefined) this._token = this._csrfFromPage();
    if (!this._token) {
      try {
        this._token = (await this._request('/api/v1/csrf', { method: 'GET' })).csrf_token || null;
      } catch (error) {
        if (error instanceof NetworkError) throw error;
        this._token = this._csrfFromPage();
      }
    }
    return this._token;
  }

  async _request(url, init) {
    let response;
    try {
      response = await this._fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init });
    } catch (error) {
      throw new NetworkError(error);
    }
    const text = await response.text().catch(() => '');
    let data = {};
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = {};
    }
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      error.url = url;
      error.csrf = isCsrfFailure(response.status, data, text);
      throw error;
    }
    return data;
  }
}
