// What the reception desk sees for a verification result: one verdict, its reason in plain
// Japanese (English beside), and the warnings. Pure: no DOM, runs in Node and the page.
//
// Verdicts: "valid" (green 有効), "invalid" (red 無効 + reason: only for a Shikaku Pass token
// the verifier could read — 資格喪失, 期限切れ, 署名不正 …), and three that are neither, because
// no verdict on the patient was reached: "misread" (読み取れませんでした: not a Shikaku Pass
// token, or a damaged or cut-off one — scan again; never 無効), "resync" (要再同期: the trust
// list is past exp + grace, or there is none) and "clock" (端末時刻異常: the device clock is
// before the list's issue time, so every time check is unreliable). None is ever a plain 有効.

const text = (ja, en) => Object.freeze({ ja, en });

export const STATUS_TEXT = Object.freeze({
  valid: text('有効', 'Valid'),
  malformed: text('形式不正', 'Not a Shikaku Pass code (malformed)'),
  bad_signature: text('署名不正', 'Bad signature'),
  unknown_key: text('不明な発行鍵', 'Unknown signing key'),
  key_not_for_insurer: text('発行権限のない鍵', 'Key not authorised for this insurer'),
  expired: text('有効期限切れ', 'Expired'),
  not_yet_valid: text('発行日時が未来（端末の時刻を確認）', 'Issued in the future (check this device’s clock)'),
  revoked: text('資格喪失', 'Eligibility lost (revoked)'),
  trust_list_expired: text('要再同期', 'Re-sync needed'),
  no_trust_list: text('要再同期', 'Re-sync needed'),
  status_unavailable: text('要再同期', 'Re-sync needed'),
});

export const WARNING_TEXT = Object.freeze({
  trust_list_stale: Object.freeze({
    ...text('信頼リストが古い', 'Trust list out of date'),
    hint: text('ネットワークに接続して信頼リストを更新してください。',
      'Connect to the network to update the trust list.'),
  }),
  clock_suspect: Object.freeze({
    ...text('端末時刻異常', 'Device clock wrong'),
    hint: text('この端末の時刻が信頼リストの発行時刻より前です。端末の時刻を合わせてから読み直してください。',
      'This device’s clock is before the trust list’s issue time. Set the clock, then scan again.'),
  }),
});

export const VERDICT_TEXT = Object.freeze({
  valid: text('有効', 'Valid'),
  invalid: text('無効', 'Invalid'),
  resync: text('要再同期', 'Re-sync needed'),
  clock: text('端末時刻異常', 'Device clock wrong'),
  misread: text('読み取れませんでした', 'Could not read the code'),
});

const AGAIN = text('もう一度読み取ってください。', 'Please scan again.');

/** What a scan that is not a readable token was, as a noun phrase for the desk ("読み取った
 *  内容: …"); the text itself is never shown or logged. `input` is the normalised scan. */
export function whatWasRead(input) {
  const scanned = typeof input === 'string' ? input : '';
  if (/^(https?:\/\/|www\.)/i.test(scanned)) {
    return text('URLのQRコード（資格パスのQRコードではありません）', 'a web-address (URL) QR code, not a Shikaku Pass code');
  }
  if (/^880[12]\d*$/.test(scanned)) {
    return text('資格パスのQRコードの一部（途中で切れているか、汚れ・破損があります）',
      'part of a Shikaku Pass code (cut off, smudged or damaged)');
  }
  if (/^\d+$/.test(scanned)) {
    return text(`資格パスではない数字のコード（${scanned.length}桁）`,
      `a numeric code that is not a Shikaku Pass code (${scanned.length} digits)`);
  }
  if (scanned === '') return text('空のコード', 'an empty code');
  return text('資格パスではない文字のコード', 'a text code that is not a Shikaku Pass code');
}

const RESYNC_REASON = Object.freeze({
  trust_list_expired: text('信頼リストの期限と猶予期間が過ぎています。ネットワークに接続して更新するまで判定できません。',
    'The trust list is past its expiry and grace period. Connect to the network to update it; until then no verdict can be given.'),
  no_trust_list: text('信頼リストがありません。ネットワークに接続してこのページを開き直してください。',
    'There is no trust list on this device. Connect to the network and reopen this page.'),
  status_unavailable: text('この資格情報（新形式）の失効情報がまだこの端末にありません。ネットワークに接続して更新するまで判定できません。',
    'This device does not yet hold the revocation lists for this (new-format) code. Connect to the network to update them; until then no verdict can be given.'),
});

const CLOCK_REASON = text('判定できません（端末の時刻を確認してください）', 'No verdict (check this device’s clock)');

// Statuses decided by the device clock: with clock_suspect they mean nothing.
const CLOCK_DEPENDENT = new Set(['valid', 'expired', 'not_yet_valid']);

/** Result ({status, warnings}) → {verdict, headline, reason, read, warnings, trustworthy};
 *  `scanned`: the normalised text, to say what a misread was (`read`). */
export function describe(result, scanned = '') {
  const status = STATUS_TEXT[result?.status] ? result.status : 'malformed';
  const warningCodes = [...(result?.warnings ?? [])].filter((w) => WARNING_TEXT[w]);
  const warnings = warningCodes.map((code) => ({ code, ...WARNING_TEXT[code] }));
  let verdict;
  let reason;
  let read = null;
  if (status === 'malformed') {
    verdict = 'misread';
    read = whatWasRead(scanned);
    reason = AGAIN;
  } else if (status === 'trust_list_expired' || status === 'no_trust_list' || status === 'status_unavailable') {
    verdict = 'resync';
    reason = RESYNC_REASON[status];
  } else if (warningCodes.includes('clock_suspect') && CLOCK_DEPENDENT.has(status)) {
    verdict = 'clock';
    reason = CLOCK_REASON;
  } else if (status === 'valid') {
    verdict = 'valid';
    reason = null;
  } else {
    verdict = 'invalid';
    reason = STATUS_TEXT[status];
  }
  return Object.freeze({
    verdict, status, headline: VERDICT_TEXT[verdict], reason, read,
    warnings: Object.freeze(warnings), trustworthy: verdict === 'valid',
  });
}
