// Japanese first, English on a toggle that the device remembers.
// Static text carries data-i18n="key" (or data-i18n-placeholder); code calls t(key, params).

const STORAGE_KEY = 'shikaku-clinic-lang';

const MESSAGES = {
  ja: {
    title: '資格確認',
    subtitle: '資格パス（医療機関用）',
    lang_toggle: 'English',
    update_available: '新しいバージョンがあります。',
    update_apply: '更新する',
    update_later: 'あとで',
    scan_heading: 'QRコードを読み取る',
    scan_input_label: 'QRコードリーダー・貼り付け',
    scan_input_placeholder: 'ここでリーダーを使うか、貼り付け',
    scan_hint: 'QRコードリーダー（USB）で読み取るか、コードを貼り付けると自動で確認します。ボタン操作は不要です。',
    camera_start: 'カメラで読み取る',
    camera_stop: 'カメラを停止',
    camera_off: 'カメラは停止中です',
    camera_starting: 'カメラを起動しています…',
    camera_on: '枠の中にQRコードを写してください',
    camera_paused: '画面が非表示のためカメラを止めました',
    camera_error: 'カメラを使えません（{reason}）',
    camera_denied: 'カメラの使用が許可されていません（ブラウザの設定で許可してください）',
    camera_unsupported: 'このブラウザはカメラに対応していません',
    torch: 'ライト',
    verdict_idle: '読み取り待ち',
    reminder: '氏名・生年月日をマイナ保険証（写真付き本人確認書類）と照合してください',
    details_heading: 'レセプト記載事項',
    reference_heading: '参考（無効のため転記しないでください）',
    reference_heading_undecided: '参考（判定できないため転記しないでください）',
    next_patient: '次の方',
    copy: 'コピー',
    copied: 'コピーしました',
    copy_failed: 'コピーできません',
    none: '（なし）',
    f_insurer_number: '保険者番号',
    f_insurer_name: '保険者名称',
    f_symbol: '記号',
    f_number: '番号',
    f_branch: '枝番',
    f_relationship: '本人・家族',
    f_name: '氏名',
    f_birth_date: '生年月日',
    f_sex: '性別',
    f_copay: '負担割合',
    f_acquired_on: '資格取得日',
    f_limit: '限度額適用区分',
    f_kind: '書類',
    f_expires_at: '有効期限',
    age: '{age}歳',
    copay_from: '{ratio}（{date}から）',
    trust_heading: '信頼リスト',
    trust_loading: '読み込み中…',
    trust_ok: '署名を確認しました',
    trust_stale: '信頼リストが古い：更新期限を過ぎています。ネットワークに接続して更新してください。',
    trust_expired: '要再同期：信頼リストの猶予期間が過ぎました。更新するまで判定できません。',
    trust_clock: '端末時刻異常：端末の時刻が信頼リストの発行時刻より前です。',
    trust_error: '信頼リストを確認できません（{reason}）',
    trust_missing: '信頼リストがありません。ネットワークに接続してください。',
    trust_age: '信頼リスト: 発行から{age}',
    trust_age_missing: '信頼リスト: なし',
    trust_issued: '発行日時',
    trust_expires: '更新期限',
    trust_insurers: '保険者',
    trust_keys: '発行鍵',
    trust_revocations: '失効',
    refresh_updated: '{time}に最新の信頼リストを受信しました。',
    refresh_unchanged: '{time}に確認しました（変更なし）。',
    refresh_offline: 'オフラインです。保存済みの信頼リストを使っています（最終確認 {time}）。',
    refresh_refused_signature: '受信した信頼リストを拒否しました：署名を検証できません（{reason}）。保存済みのリストを使い続けます。',
    refresh_refused_older: '受信した信頼リストを拒否しました：保存済みのリストより古いものです。保存済みのリストを使い続けます。',
    refresh_http: '信頼リストを取得できません（HTTP {status}）。保存済みのリストを使っています。',
    never: '未確認',
    log_heading: '確認記録（この端末のみ）',
    log_privacy: '記録はこの端末の中だけに保存され、どのサーバーにも送信されません。',
    log_retention: '{days}日より古い記録は自動的に削除されます。',
    log_export: 'CSVで書き出す',
    log_copy: '表としてコピー',
    log_clear: '記録をすべて消去',
    log_clear_confirm: 'この端末の確認記録をすべて消去しますか？',
    log_empty: '記録はありません。',
    log_time: '日時',
    log_verdict: '判定',
    log_reason: '理由',
    log_warnings: '警告',
    log_name: '氏名',
    log_birth: '生年月日',
    log_insurer: '保険者番号',
    log_insurer_name: '保険者名称',
    log_ids: '記号・番号・枝番',
    log_symbol: '記号',
    log_number: '番号',
    log_branch: '枝番',
    log_relationship: '本人・家族',
    log_copay: '負担割合',
    log_kind: '書類',
    log_source: '入力',
    source_camera: 'カメラ',
    source_keyboard: 'リーダー',
    source_paste: '貼り付け',
    footer_privacy: 'このページは読み取ったQRコードをこの端末の中だけで検証します。読み取った内容や記録が、どのサーバーにも送信されることはありません。',
  },
  en: {
    title: 'Eligibility check',
    subtitle: 'Shikaku Pass for clinics',
    lang_toggle: '日本語',
    update_available: 'A new version is available.',
    update_apply: 'Update',
    update_later: 'Later',
    scan_heading: 'Scan a QR code',
    scan_input_label: 'QR scanner / paste',
    scan_input_placeholder: 'Scan here with a reader, or paste',
    scan_hint: 'Scan with a USB QR reader or paste the code: it is checked automatically, no button needed.',
    camera_start: 'Scan with camera',
    camera_stop: 'Stop camera',
    camera_off: 'Camera is off',
    camera_starting: 'Starting the camera…',
    camera_on: 'Hold the QR code inside the frame',
    camera_paused: 'Camera stopped while the page is hidden',
    camera_error: 'Camera unavailable ({reason})',
    camera_denied: 'Camera permission denied (allow it in the browser settings)',
    camera_unsupported: 'This browser has no camera support',
    torch: 'Light',
    verdict_idle: 'Waiting for a scan',
    reminder: 'Match the name and birth date with the patient’s My Number card (photo ID) — 氏名・生年月日をマイナ保険証と照合してください',
    details_heading: 'For the claim (レセプト)',
    reference_heading: 'For reference only — invalid, do not transcribe',
    reference_heading_undecided: 'For reference only — no verdict, do not transcribe',
    next_patient: 'Next patient',
    copy: 'Copy',
    copied: 'Copied',
    copy_failed: 'Cannot copy',
    none: '(none)',
    f_insurer_number: 'Insurer number',
    f_insurer_name: 'Insurer',
    f_symbol: 'Symbol (記号)',
    f_number: 'Number (番号)',
    f_branch: 'Branch (枝番)',
    f_relationship: 'Relationship',
    f_name: 'Name',
    f_birth_date: 'Date of birth',
    f_sex: 'Sex',
    f_copay: 'Co-payment',
    f_acquired_on: 'Eligible since',
    f_limit: 'Ceiling category (限度額区分)',
    f_kind: 'Document',
    f_expires_at: 'Valid until',
    age: 'age {age}',
    copay_from: '{ratio} (from {date})',
    trust_heading: 'Trust list',
    trust_loading: 'Loading…',
    trust_ok: 'Signature verified',
    trust_stale: 'Trust list out of date: connect to the network to update it.',
    trust_expired: 'Re-sync needed: the trust list is past its grace period. No verdicts until it is updated.',
    trust_clock: 'Device clock wrong: it is before the trust list’s issue time.',
    trust_error: 'Cannot verify the trust list ({reason})',
    trust_missing: 'No trust list on this device. Connect to the network.',
    trust_age: 'Trust list: issued {age} ago',
    trust_age_missing: 'Trust list: none',
    trust_issued: 'Issued',
    trust_expires: 'Update due',
    trust_insurers: 'Insurers',
    trust_keys: 'Signing keys',
    trust_revocations: 'Revocations',
    refresh_updated: 'Received the latest trust list at {time}.',
    refresh_unchanged: 'Checked at {time} (unchanged).',
    refresh_offline: 'Offline: using the saved trust list (last checked {time}).',
    refresh_refused_signature: 'Refused a received trust list: its signature does not verify ({reason}). Keeping the saved one.',
    refresh_refused_older: 'Refused a received trust list: it is older than the saved one. Keeping the saved one.',
    refresh_http: 'Cannot fetch the trust list (HTTP {status}). Using the saved one.',
    never: 'never',
    log_heading: 'Verification log (this device only)',
    log_privacy: 'The log is kept on this device only and is never sent to any server.',
    log_retention: 'Entries older than {days} days are deleted automatically.',
    log_export: 'Export CSV',
    log_copy: 'Copy as table',
    log_clear: 'Clear all',
    log_clear_confirm: 'Delete the whole verification log on this device?',
    log_empty: 'No entries.',
    log_time: 'Time',
    log_verdict: 'Verdict',
    log_reason: 'Reason',
    log_warnings: 'Warnings',
    log_name: 'Name',
    log_birth: 'Date of birth',
    log_insurer: 'Insurer number',
    log_insurer_name: 'Insurer',
    log_ids: 'Symbol · number · branch',
    log_symbol: 'Symbol',
    log_number: 'Number',
    log_branch: 'Branch',
    log_relationship: 'Relationship',
    log_copay: 'Co-payment',
    log_kind: 'Document',
    log_source: 'Input',
    source_camera: 'camera',
    source_keyboard: 'reader',
    source_paste: 'paste',
    footer_privacy: 'This page verifies scanned QR codes on this device only. Nothing scanned or logged is ever sent to any server.',
  },
};

export class I18n {
  constructor({ storage = globalThis.localStorage } = {}) {
    this._storage = storage;
    this._listeners = new Set();
    this.lang = this._load();
  }

  t(key, params = {}) {
    const template = MESSAGES[this.lang][key] ?? MESSAGES.ja[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
  }

  /** A {ja, en} pair from the shared modules, in the current language. */
  pick(pair) {
    return pair ? pair[this.lang] ?? pair.ja : '';
  }

  toggle() {
    this.lang = this.lang === 'ja' ? 'en' : 'ja';
    try { this._storage?.setItem(STORAGE_KEY, this.lang); } catch { /* private mode */ }
    for (const listener of this._listeners) listener(this.lang);
  }

  onChange(listener) {
    this._listeners.add(listener);
  }

  /** Static text: every [data-i18n] element, placeholders, <html lang>. */
  apply(root) {
    root.documentElement.lang = this.lang;
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = this.t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
      el.placeholder = this.t(el.dataset.i18nPlaceholder);
    }
  }

  _load() {
    try {
      return this._storage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'ja';
    } catch {
      return 'ja';
    }
  }
}
