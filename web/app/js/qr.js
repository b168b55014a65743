// The member's QR, drawn on the device from the token text (npm "lean-qr", served from
// /vendor/ and kept offline by the service worker): the server signs, the phone draws, so a
// token fetch costs the server a signature, not a picture (issue 10), and the card can be
// redrawn offline from the saved text alone.
//
// Level M at least, as docs/token-format.md sizes the token (version ≤ 9 at M); lean-qr may
// raise the level when the same version has room, which only adds error correction. The text
// is all digits, so lean-qr's automatic mode is QR numeric mode (3 digits per 10 bits).
// Quiet zone of 4 modules, crisp edges, scaled by CSS.

import { correction, generate } from '/vendor/lean-qr/index.mjs';
import { toSvg } from '/vendor/lean-qr/extras/svg.mjs';

/** A token's text is "8801" or "8802" (the format version) and digits only
 *  (docs/token-format.md): anything else is not ours. */
const TOKEN_TEXT = /^880[12][0-9]+$/;

export function qrElement(text, label) {
  if (typeof text !== 'string' || !TOKEN_TEXT.test(text)) return null;
  const code = generate(text, { minCorrectionLevel: correction.M });
  const svg = toSvg(code, document, { pad: 4, on: '#000', off: '#fff' });
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.dataset.version = String((code.size - 17) / 4);
  return svg;
}
