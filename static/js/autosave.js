/* Autosave (htmx): a save that fails is said in the field's status line, never dropped
 * silently. htmx swaps nothing for an error answer (a 4xx or 5xx, e.g. the 503 of a database
 * outage) nor when the request cannot be sent (no connection), so without this the user would
 * believe the change was kept. The message is the status line's data-autosave-error (Dutch,
 * from the template); its role="status" region announces it. */
(function () {
  function showFailure(event) {
    const status = event.detail && event.detail.target;
    if (!status || !status.classList || !status.classList.contains("app-autosave")) {
      return;
    }
    const message = document.createElement("span");
    message.className = "app-autosave__error";
    message.textContent = status.dataset.autosaveError || "Niet bewaard.";
    status.replaceChildren(message);
  }
  document.addEventListener("htmx:responseError", showFailure);
  document.addEventListener("htmx:sendError", showFailure);
  document.addEventListener("htmx:timeout", showFailure);
})();
