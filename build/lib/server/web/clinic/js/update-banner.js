// "新しいバージョンがあります": a waiting service worker is offered, never forced.
// Accepting tells it to take over (SKIP_WAITING) and reloads once it has.

export class UpdateBanner {
  constructor({ document, onDone = () => {} }) {
    this._el = document.getElementById('update-banner');
    this._worker = null;
    this.accepted = false;
    document.getElementById('update-apply').addEventListener('click', () => {
      this.accepted = true;
      this._worker?.postMessage({ type: 'SKIP_WAITING' });
      this.hide();
    });
    document.getElementById('update-later').addEventListener('click', () => {
      this.hide();
      onDone();
    });
  }

  show(worker) {
    this._worker = worker;
    this._el.hidden = false;
  }

  hide() {
    this._el.hidden = true;
  }
}
