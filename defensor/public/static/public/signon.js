// Public sign-on form: give the ALTCHA widget its proof-of-work worker, served from this site.
// (The widget build without inline workers needs one per algorithm; ours issues PBKDF2/SHA-256.)
const widget = document.querySelector("altcha-widget[data-worker]");
if (widget && globalThis.$altcha) {
  const url = widget.dataset.worker;
  globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(url));
}
