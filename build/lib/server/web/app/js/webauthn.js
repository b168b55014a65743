// Passkey ceremonies: options JSON from the server -> navigator.credentials -> the
// credential's JSON back. Native PublicKeyCredential JSON methods where the browser has
// them (as in web/admin/passkey.js), a small base64url fallback where it does not.

export function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(base64);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
}

const withIds = (list) => (list ?? []).map((c) => ({ ...c, id: fromBase64url(c.id) }));

/** Creation options JSON -> PublicKeyCredentialCreationOptions. */
export function creationOptions(json, PKC = globalThis.PublicKeyCredential) {
  if (PKC?.parseCreationOptionsFromJSON) return PKC.parseCreationOptionsFromJSON(json);
  return { ...json, challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials) };
}

/** Request options JSON -> PublicKeyCredentialRequestOptions. */
export function requestOptions(json, PKC = globalThis.PublicKeyCredential) {
  if (PKC?.parseRequestOptionsFromJSON) return PKC.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

/** A PublicKeyCredential -> the JSON py_webauthn verifies. */
export function credentialJson(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = r.getTransports?.() ?? [];
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return { id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type, response,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {} };
}

/** Registration: activation (body: code + birth date) or another passkey. */
export async function createPasskey(api, base, body = {}) {
  const options = await api.post(`${base}/options`, body);
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  return api.post(`${base}/verify`, credentialJson(credential));
}

/** Usernameless sign-in with a discoverable credential. */
export async function getPasskey(api, base) {
  const options = await api.post(`${base}/options`, {});
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  return api.post(`${base}/verify`, credentialJson(credential));
}
