// The server's segno SVG, inserted as drawn (quiet zone kept) but made to scale:
// a viewBox from its width/height, no fixed size, crisp edges.

export function qrElement(svgText, label) {
  // Parsed as HTML (segno's inline SVG has no xmlns); nothing in a parsed document runs.
  const doc = new DOMParser().parseFromString(svgText ?? '', 'text/html');
  const svg = doc.body.querySelector('svg');
  if (!svg) return null;
  for (const bad of svg.querySelectorAll('script, foreignObject')) bad.remove();
  const width = parseFloat(svg.getAttribute('width'));
  const height = parseFloat(svg.getAttribute('height'));
  if (!svg.hasAttribute('viewBox') && width > 0 && height > 0) {
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  }
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  return document.importNode(svg, true);
}
