// Clinic verifier entry point. For now: fetch the signed trust list and check it
// against the pinned trust anchor with WebCrypto.
import { verifyTrustList } from '/shared/trust-list.js';

const $ = (id) => document.getElementById(id);

async function loadTrustList() {
  const section = $('trust');
  try {
    const anchor = await (await fetch('/clinic/anchor.json')).json();
    const response = await fetch('/api/v1/trust-list');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const list = await verifyTrustList(await response.text(), anchor);
    const issued = new Date(list.issuedAt * 1000);
    $('trust-issued').textContent = `${issued.toLocaleString('ja-JP-u-ca-japanese', { era: 'long' })}（${issued.toLocaleString('ja-JP')}）`;
    $('trust-insurers').textContent = Object.entries(list.insurers).map(([n, name]) => `${n} ${name}`).join('、');
    $('trust-keys').textContent = String(list.keys.length);
    $('trust-revocations').textContent = String(list.revocations.size);
    $('trust-details').hidden = false;
    $('trust-status').innerHTML = '署名を確認しました <small>Signature verified</small>';
    section.dataset.state = 'ok';
  } catch (error) {
    $('trust-status').textContent = `信頼リストを確認できません（${error.message}）`;
    section.dataset.state = 'error';
  }
}

loadTrustList();
