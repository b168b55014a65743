// Passkey ceremonies for staff pages: options from the server, the browser's WebAuthn
// (native PublicKeyCredential JSON methods), the credential's toJSON() back to the server.

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

export async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf() },
    body: JSON.stringify(body ?? {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {   // the one error shape: {"error": code, "message": 日本語, "message_en"}
    throw new Error(data.message ? `${data.message} (${data.message_en})` : `HTTP ${response.status}`);
  }
  return data;
}

async function ceremony(button, status, run) {
  button.disabled = true;
  status.textContent = '確認中… Checking…';
  try {
    const result = await run();
    status.textContent = '完了しました Done';
    window.location.assign(result.next);
  } catch (error) {
    status.textContent = error.name === 'NotAllowedError'
      ? 'キャンセルされたか、本人確認できませんでした (cancelled, or user verification failed)'
      : error.message;
    status.classList.add('error');
    button.disabled = false;
  }
}

export function register(button, status) {
  return ceremony(button, status, async () => {
    const options = await post(button.dataset.options);
    const credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
    });
    return post(button.dataset.verify, credential.toJSON());
  });
}

export function signIn(button, status) {
  return ceremony(button, status, async () => {
    const options = await post(button.dataset.options);
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    return post(button.dataset.verify, credential.toJSON());
  });
}

/** The invitation's token from the link's fragment (#token=…): never sent in a URL, so no
 *  access log keeps it. Read once, then removed from the address bar and the history. */
let inviteToken = null;
export function takeInviteToken(location = window.location, history = window.history) {
  const match = /^#token=([A-Za-z0-9_-]{20,100})$/.exec(location.hash);
  if (match) {
    inviteToken = match[1];
    history.replaceState(null, '', location.pathname);
  }
  return inviteToken;
}

export function invite(button, status) {
  return ceremony(button, status, async () => {
    const options = await post(button.dataset.options, { token: inviteToken });
    const credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
    });
    return post(button.dataset.verify, credential.toJSON());
  });
}
