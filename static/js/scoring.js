/* Scoring screens: move focus to the error summary after a refused submit, so keyboard and
 * screen-reader users land on the list of what is missing (each item links to its field). */
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
