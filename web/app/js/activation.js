// Activation helpers, pure: the code as typed, and what each refusal tells the member.
import { formatDate } from './dates.js';
import { lang, t } from './i18n.js';

export const CODE_DIGITS = 20;
/** The 暗証番号 from its own sheet, sent apart from the notice. */
export const PIN_DIGITS = 6;

/** Full-width digits, spaces and hyphens accepted: the digits only (the server does the same). */
export function codeDigits(text) {
  return String(text ?? '').normalize('NFKC').replace(/\D/g, '');
}

/** Grouped as printed on the notice: 1234-5678-9012-3456-7890 (anything else as typed). */
export function groupCode(text) {
  const digits = codeDigits(text);
  return digits.length === CODE_DIGITS ? digits.replace(/(\d{4})(?=\d)/g, '$1-') : String(text ?? '');
}

/** The #code=… fragment of /app/activate, if any. */
export function codeFromHash(hash) {
  const match = /(?:^#|[#&])code=([^&]*)/.exec(hash ?? '');
  if (!match) return '';
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

const GONE = { expired: 'act_expired', used: 'act_used', replaced: 'act_replaced', locked: 'act_locked',
  not_eligible: 'act_not_eligible' };

/** The message key for a refused activation: one generic message for a wrong code or
 *  birth date (no hint which), a specific one for a code that can no longer be used. */
export function activationMessageKey(status, code) {
  if (status === 429) return 'try_later';
  if (status === 410) return GONE[code] ?? 'act_gone';
  if (status === 400 || status === 404) return 'act_invalid';
  return null;
}

/** The picker's error (dates.fromPicker) in words. */
export function birthMessage(result) {
  const eraName = () => result.era[lang() === 'en' ? 'en' : 'ja'];
  switch (result.error) {
    case 'no_such_day':
      return t('birth_no_such_day', { month: result.month, days: result.days ?? '—' });
    case 'outside_era':
      return result.last
        ? t('birth_outside_era', { era: eraName(), first: formatDate(result.first, lang()),
          last: formatDate(result.last, lang()) })
        : t('birth_outside_era_open', { era: eraName(), first: formatDate(result.first, lang()) });
    case 'future':
      return t('birth_future');
    default:
      return t('birth_incomplete');
  }
}
