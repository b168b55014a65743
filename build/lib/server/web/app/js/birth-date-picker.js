// 生年月日 on a phone: era (令和/平成/昭和/大正/西暦) + year + month + day selects, each a
// native <select> (the phone's own wheel). value() gives { iso } or { error, … } (dates.js).
import { PICKER_ERAS, daysInMonth, era, fromPicker, todayIso, yearLabel, yearsOf } from './dates.js';
import { h, replace } from './dom.js';
import { lang, t } from './i18n.js';

export class BirthDatePicker {
  constructor({ idPrefix = 'birth', onChange = () => {} } = {}) {
    this._id = idPrefix;
    this._onChange = onChange;
    this._values = { era: '', year: '', month: '', day: '' };
    this.el = h('fieldset', { class: 'birth-date-picker' });
    this.render();
  }

  /** { iso } or { error, ... } for what is selected now. */
  value() {
    const v = this._values;
    return fromPicker(v.era, v.year, v.month, v.day, todayIso());
  }

  render() {
    const v = this._values;
    const years = v.era ? yearsOf(v.era, todayIso()) : [];
    if (!years.some((y) => String(y.value) === v.year)) v.year = '';
    const gregorian = v.year ? (v.era === 'gregorian' ? Number(v.year) : Number(v.year) + era(v.era).offset) : null;
    const days = gregorian && v.month ? daysInMonth(gregorian, Number(v.month)) : 31;
    if (Number(v.day) > days) v.day = '';

    const eraNames = { gregorian: t('gregorian') };
    const options = (name, list) => [
      h('option', { value: '', selected: v[name] === '' }, t('choose')),
      ...list.map(([value, text]) => h('option', { value: String(value), selected: String(value) === v[name] }, text)),
    ];
    replace(this.el,
      h('legend', {}, t('birth_label')),
      this._select('era', t('era_label'), options('era', PICKER_ERAS.map((key) => [key,
        eraNames[key] ?? (lang() === 'en' ? `${era(key).en} (${era(key).ja})` : era(key).ja)]))),
      this._select('year', t('year_label'), options('year',
        years.map((y) => [y.value, yearLabel(v.era, y.value, y.gregorian, lang())])), !v.era),
      this._select('month', t('month_label'), options('month',
        Array.from({ length: 12 }, (_, i) => [i + 1, t('month_option', { n: i + 1 })]))),
      this._select('day', t('day_label'), options('day',
        Array.from({ length: days }, (_, i) => [i + 1, t('day_option', { n: i + 1 })]))));
  }

  _select(name, label, options, disabled = false) {
    const id = `${this._id}-${name}`;
    return h('span', { class: `picker-part picker-${name}` },
      h('label', { for: id }, label),
      h('select', { id, name: `${this._id}_${name}`, disabled, onchange: (event) => {
        this._values[name] = event.target.value;
        if (name === 'era' || name === 'year' || name === 'month') {
          this.render();
          this.el.querySelector(`#${id}`)?.focus();
        }
        this._onChange(this.value());
      } }, options));
  }
}
